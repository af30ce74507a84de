"""Every task has time limits, and the broker never hands a task still running to a second worker."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from onlinesafety import celery_app

ROOT = Path(__file__).resolve().parents[2]


def our_tasks():
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}


def test_it_gives_every_task_a_soft_and_a_hard_time_limit():
    tasks = our_tasks()
    assert set(tasks) == set(settings.TASK_TIME_LIMITS) | set(settings.PERIODIC_TASK_TIME_LIMITS)
    for name, task in tasks.items():
        assert 0 < task.soft_time_limit < task.time_limit, name


def test_it_acknowledges_jobs_once_done_and_periodic_tasks_when_taken():
    tasks = our_tasks()
    assert {name for name, task in tasks.items() if task.acks_late} == set(settings.TASK_TIME_LIMITS)


def test_it_keeps_an_unacknowledged_task_away_from_other_workers_longer_than_any_task_runs():
    printed = subprocess.run(
        [sys.executable, "-c", "import django, json; django.setup(); from django.conf import settings; "
                               "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"],
        cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
             "DJANGO_SETTINGS_MODULE": "onlinesafety.settings"})
    visibility_timeout = json.loads(printed.stdout.strip().splitlines()[-1])["visibility_timeout"]
    longest = max(task.time_limit for task in our_tasks().values() if task.acks_late)
    assert visibility_timeout > longest
