"""``/healthz`` and ``/readyz``, and a kept database connection that the database dropped."""

import json
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections
from django.test import Client

pytestmark = pytest.mark.django_db


def probe(path, **extra):
    """As a load balancer asks: plain HTTP, to the container's own address (not an allowed host)."""
    return Client().get(path, HTTP_HOST="10.0.0.7:8000", **extra)


def test_it_answers_healthz_without_touching_the_database(django_assert_num_queries, settings):
    settings.SECURE_SSL_REDIRECT = True
    with django_assert_num_queries(0):
        response = probe("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"
    assert "sessionid" not in response.cookies


def test_it_is_ready_when_the_database_and_the_broker_answer():
    response = probe("/readyz")
    assert (response.status_code, response.json()) == (200, {"database": "ok", "broker": "ok"})


def test_it_says_at_once_that_the_broker_refuses_connections_and_stays_in_service(broker_down):
    started = time.monotonic()
    response = probe("/readyz")
    assert time.monotonic() - started < 1
    # Pages work without the broker (work waits in the database): reported for monitoring, still ready.
    assert (response.status_code, response.json()) == (200, {"database": "ok", "broker": "unreachable"})


def test_it_is_not_ready_within_a_second_when_the_broker_never_answers(broker_silent):
    started = time.monotonic()
    response = probe("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.json()["broker"] == "unreachable"


def test_it_is_not_ready_when_the_database_does_not_answer(monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "cursor", lambda self: refuse())  # the probe thread's too
    response = probe("/readyz")
    assert (response.status_code, json.loads(response.content)["database"]) == (503, "unreachable")


def _a_request_uses_the_database():
    """What each request does: Django's request-started check of kept connections, then a query."""
    request_started.send(sender=WSGIHandler)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _terminate_from_the_database_side():
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    other.close()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has no server to drop a connection; Django treats its connections as always usable")
@pytest.mark.django_db(transaction=True)
def test_it_replaces_a_kept_connection_the_database_dropped(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    assert _a_request_uses_the_database()
    request_finished.send(sender=WSGIHandler)
    assert connection.connection is not None  # kept for the next request
    _terminate_from_the_database_side()
    assert _a_request_uses_the_database()  # a new connection, not an error
    connection.close()


def test_it_checks_kept_connections_in_every_environment(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
