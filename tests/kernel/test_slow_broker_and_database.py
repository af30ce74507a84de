"""Faults found in review of issue 19's work (a request held, a probe slower than documented)."""

import os
import signal
import socket
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from onlinesafety.jobs import enqueue_now
from onlinesafety.mail.tasks import drain_outbox
from tests.conftest import publishing_to
from tests.servers import OwnRedis

pytestmark = pytest.mark.django_db


def test_it_gives_up_within_the_publish_timeout_when_a_connected_broker_stops_answering(monkeypatch, tmp_path,
                                                                                        settings):
    """A broker that answered the last publish and then hangs (paused, swapping, a full network buffer)."""
    redis = OwnRedis(tmp_path)
    with publishing_to(monkeypatch, redis.url):
        redis.start()
        try:
            assert enqueue_now(drain_outbox, what="The outbox drain") is True
            os.kill(redis.process.pid, signal.SIGSTOP)
            started = time.monotonic()
            assert enqueue_now(drain_outbox, what="The outbox drain") is False
            waited = time.monotonic() - started
            assert waited < 3 * settings.PUBLISH_TIMEOUT, waited
        finally:
            os.kill(redis.process.pid, signal.SIGCONT)
            redis.stop()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is a file: there is no server to hang")
@pytest.mark.django_db(transaction=True)
def test_it_is_not_ready_within_about_a_second_when_the_database_never_answers():
    """docs/operations.md, "Health checks": /readyz answers "each within about a second". A database host that takes
    the connection and never answers (a hung server, a dropped network path) held /readyz until the far side gave up:
    here a watchdog closes the silent listener after five seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    connection.close()
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(listener.getsockname()[1]))
    watchdog = threading.Timer(5, listener.close)
    watchdog.start()
    try:
        started = time.monotonic()
        response = Client().get("/readyz", HTTP_HOST="10.0.0.7:8000")
        waited = time.monotonic() - started
    finally:
        watchdog.cancel()
        listener.close()
        connection.close()
        connection.settings_dict.update(saved)
    assert response.json()["database"] == "unreachable"
    assert waited < 2, f"/readyz waited {waited:.1f} s on a database that never answers"


def test_it_never_holds_a_request_that_tells_several_people_when_the_broker_never_answers(
        broker_silent, django_capture_on_commit_callbacks, settings):
    """operations.md: "each request that hands work over waits at most PUBLISH_TIMEOUT (0.3 s) for the broker". A
    request that notifies four people (a new case for the DSL team: one queue_email each) publishes four times after
    commit, and after each failure enqueue_now forgets the connection, so each publish waits its own timeout."""
    from onlinesafety.mail.services import queue_email

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(4):
            queue_email(to=f"dsl{number}@example.org", subject="New concern", body="x", kind="incident_new")
    waited = time.monotonic() - started
    assert waited < 1, f"the request waited {waited:.1f} s on a broker that never answers"


def test_it_never_holds_a_campaign_request_when_the_broker_never_answers(broker_silent,
                                                                       django_capture_on_commit_callbacks):
    """queue_emails publishes one deliver_emails per hundred: a campaign to 1,000 families publishes ten times."""
    from onlinesafety.mail.services import queue_emails

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        queue_emails([(f"family{number}@example.org", "Reminder", "x") for number in range(1000)], kind="campaign")
    waited = time.monotonic() - started
    assert waited < 1, f"the request waited {waited:.1f} s on a broker that never answers"


def test_it_keeps_the_site_in_the_load_balancer_when_only_the_broker_is_down(broker_down):
    """operations.md says to use /readyz for the load balancer's readiness check, and that with the broker down
    "What people see: nothing. Pages work" (health.py: "alert on it rather than route around it"). But /readyz
    answers 503 when only the broker is down, so a load balancer following the guide takes every web process out
    of service: the whole site is down for a broker outage."""
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.json() == {"database": "ok", "broker": "unreachable"}
    assert response.status_code == 200
