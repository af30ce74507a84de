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
    yield queue
    celery_app.conf.task_default_queue = previous


@pytest.fixture
def worker(worker_queue, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_DIR": str(settings.CELERY_BROKER_DIR),
        "DEBUG": "1",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    env.pop("EMAIL_HOST", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "onlinesafety", "worker", "-Q", worker_queue, "--pool=solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    yield tmp_path
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


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
