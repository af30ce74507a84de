"""A real worker sends 200 emails through a real Redis that stops mid-batch and comes back empty, or is killed
(kill -9) mid-batch: each email reaches the mail server once (the outbox and drain_outbox send what the lost tasks
did not), or twice with the outbox saying so.

The test starts a Redis of its own on a free port (never the machine's on 6379) and skips only where there is no
redis-server.
"""

import email
import email.policy
import os
import signal
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from onlinesafety.jobs import enqueue_now
from onlinesafety.mail.devmailbox import SEPARATOR
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.mail.services import CLAIM_TIMEOUT, message_id, queue_email, queue_emails
from onlinesafety.mail.tasks import drain_outbox
from tests.conftest import forget_broker_connections, publishing_to
from tests.kernel.test_celery_worker import (  # the suite's real worker
    start_worker,
    stop_worker,
    worker_queue,  # noqa: F401
)
from tests.servers import OwnRedis

EMAILS = 200


@pytest.fixture
def own_redis(settings, monkeypatch, tmp_path):
    redis = OwnRedis(tmp_path)  # skips where there is no redis-server
    redis.start()
    try:
        with publishing_to(monkeypatch, redis.url):  # saves Celery's settings before the one below changes
            settings.CELERY_BROKER_URL = redis.url  # what the worker fixture hands its worker
            yield redis
    finally:
        redis.stop()


def messages_written(folder: Path) -> list[email.message.EmailMessage]:
    messages = []
    for path in folder.glob("*.log"):
        for chunk in path.read_text(errors="replace").split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_string(chunk, policy=email.policy.default))
    return messages


def queue_200() -> set[str]:
    """Half as single tasks (one request each), half as campaigns of 20 (one transaction, one task each)."""
    for n in range(EMAILS // 2):
        queue_email(to=f"single{n}@example.org", subject="One", body="x", kind="test")
    for start in range(0, EMAILS // 2, 20):
        queue_emails([(f"campaign{n}@example.org", "Many", "x") for n in range(start, start + 20)], kind="test")
    assert OutboundEmail.objects.count() == EMAILS
    return {f"single{n}@example.org" for n in range(EMAILS // 2)} | {
        f"campaign{n}@example.org" for n in range(EMAILS // 2)}


def wait_for(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}; the worker's log:\n{log.read_text()[-4000:]}"
        time.sleep(0.02)


class Supervised:
    """A worker restarted when it exits, as a process supervisor would: after a Redis outage the worker can stop
    with an error in kombu's reconnection (celery/kombu#582, celery/celery#10205); the outbox keeps every email
    until one runs again."""

    def __init__(self, queue: str, folder: Path) -> None:
        self.queue, self.folder = queue, folder
        self.process = start_worker(queue, folder)
        self.restarts = 0

    def keep_running(self) -> None:
        if self.process.poll() is not None:
            self.restarts += 1
            self.process = start_worker(self.queue, self.folder)

    def stop(self) -> None:
        stop_worker(self.process)


def drain_until_sent(sent, log: Path, worker: Supervised | None = None) -> None:
    """What beat does every minute, every two seconds: publish drain_outbox until every email is sent. A Redis
    that restarted empty has lost the queue's binding too, so a drain published before the worker is back and
    has declared it again goes nowhere; the next one does not."""
    deadline = time.monotonic() + 45
    while sent.count() < EMAILS:
        assert time.monotonic() < deadline, f"not all sent; the worker's log:\n{log.read_text()[-4000:]}"
        if worker is not None:
            worker.keep_running()
        if not enqueue_now(drain_outbox, what="The test's drain"):
            forget_broker_connections()  # a connection from before the restart: open a new one
        next_drain = time.monotonic() + 2
        while sent.count() < EMAILS and time.monotonic() < next_drain:
            time.sleep(0.05)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_it_sends_each_email_once_when_redis_stops_mid_batch_and_comes_back_empty(own_redis, worker_queue,  # noqa: F811
                                                                                   tmp_path):
    expected = queue_200()
    folder, log = tmp_path, tmp_path / "worker.log"
    worker = Supervised(worker_queue, folder)  # only now: every task waits in Redis
    try:
        sent = OutboundEmail.objects.filter(sent_at__isnull=False)
        wait_for(lambda: sent.count() >= 20, 45, "the worker sent nothing", log)
        own_redis.stop()  # mid-batch: the queue and every unacknowledged task go with it (no persistence)
        sent_when_stopped = sent.count()
        time.sleep(1)
        own_redis.start()  # on the same port, empty

        # Emails queued over a minute ago, for the drain.
        OutboundEmail.objects.filter(sent_at__isnull=True).update(created_at=timezone.now() - timedelta(minutes=5))
        forget_broker_connections()
        drain_until_sent(sent, log, worker)
    finally:
        worker.stop()

    assert sent_when_stopped < EMAILS, "Redis stopped after the batch, not during it"
    messages = messages_written(folder / "mail")
    recipients = Counter(str(message["To"]) for message in messages)
    assert set(recipients) == expected
    assert [to for to, times in recipients.items() if times > 1] == []
    assert {str(m["Message-ID"]) for m in messages} == {message_id(pk) for pk in
                                                        OutboundEmail.objects.values_list("pk", flat=True)}
    assert not OutboundEmail.objects.filter(possible_duplicate=True).exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_it_sends_each_email_again_only_marked_as_a_possible_duplicate_when_the_worker_is_killed_mid_batch(
        own_redis, worker_queue, tmp_path):  # noqa: F811
    expected = queue_200()
    log = tmp_path / "worker.log"
    first = start_worker(worker_queue, tmp_path)
    try:
        sent = OutboundEmail.objects.filter(sent_at__isnull=False)
        wait_for(lambda: sent.count() >= 20, 45, "the worker sent nothing", log)
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch, perhaps between a send and its record
        first.wait(timeout=10)
    finally:
        stop_worker(first)
    killed_at = sent.count()

    # Ten minutes on, as far as the outbox is concerned: an attempt the killed worker began is due again.
    earlier = timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
    unsent = OutboundEmail.objects.filter(sent_at__isnull=True)
    unsent.filter(claimed_at__isnull=False).update(claimed_at=earlier, next_attempt_at=earlier)
    unsent.update(created_at=timezone.now() - timedelta(minutes=5))
    second = start_worker(worker_queue, tmp_path)  # takes the tasks still waiting in Redis
    try:
        drain_until_sent(sent, log)
    finally:
        stop_worker(second)

    assert killed_at < EMAILS, "the worker was killed after the batch, not during it"
    recipients = Counter(str(message["To"]) for message in messages_written(tmp_path / "mail"))
    assert set(recipients) == expected
    twice = {to for to, times in recipients.items() if times > 1}
    flagged = set(OutboundEmail.objects.filter(possible_duplicate=True).values_list("to", flat=True))
    assert twice <= flagged, "an email went twice and the outbox does not say so"
    assert max(recipients.values()) <= 2
