"""A real Celery worker process runs a task that the web side sent.

Against Redis when CELERY_BROKER_URL is set (as in CI), against the embedded filesystem broker otherwise.
It never skips: if no worker can run, the product cannot send a single email.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from onlinesafety import celery_app
from onlinesafety.mail.models import OutboundEmail
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so no other worker (say, one from `make run`) takes the task."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    forget_queues()
    yield queue
    celery_app.conf.task_default_queue = previous
    forget_queues()


def forget_queues():
    """Celery keeps the default queue and its routes once read: a second worker test would publish to the first's."""
    for name in ("default_queue", "default_exchange", "queues", "router"):
        celery_app.amqp.__dict__.pop(name, None)


def start_worker(queue: str, folder: Path) -> subprocess.Popen:
    """A worker process on ``queue`` against the test database, writing its email under ``folder / "mail"`` and
    its log to ``folder / "worker.log"``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_DIR": str(settings.CELERY_BROKER_DIR),
        "DEBUG": "1",
        "EMAIL_FILE_PATH": str(folder / "mail"),
    }
    env.pop("EMAIL_HOST", None)
    with (folder / "worker.log").open("a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "onlinesafety", "worker", "-Q", queue, "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def worker(worker_queue, tmp_path):
    process = start_worker(worker_queue, tmp_path)
    yield tmp_path
    stop_worker(process)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_it_sends_a_password_reset_email_from_a_real_worker(client, worker):
    user = UserFactory(email="reset-me@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302

    deadline = time.monotonic() + 60
    email = OutboundEmail.objects.get()
    while email.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.25)
        email.refresh_from_db()
    worker_log = (worker / "worker.log").read_text()
    assert email.sent_at is not None, f"the worker did not send the email:\n{worker_log}"
    written = list((worker / "mail").glob("*.log"))
    assert len(written) == 1
    assert "reset-me@example.org" in written[0].read_text()
    assert "deliver_email" in worker_log
