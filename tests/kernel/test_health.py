"""``/healthz`` and ``/readyz``, and a kept database connection that the database dropped."""

import io
import json
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
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


def test_it_is_not_ready_at_once_when_the_broker_refuses_connections(broker_down):
    started = time.monotonic()
    response = probe("/readyz")
    assert time.monotonic() - started < 1
    assert (response.status_code, response.json()) == (503, {"database": "ok", "broker": "unreachable"})


def test_it_is_not_ready_within_a_second_when_the_broker_never_answers(broker_silent):
    started = time.monotonic()
    response = probe("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.json()["broker"] == "unreachable"


def test_it_is_not_ready_when_the_database_does_not_answer(monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = probe("/readyz")
    assert (response.status_code, json.loads(response.content)["database"]) == (503, "unreachable")


def _wsgi_get(path):
    """A request through Django's real handler, which (unlike the test client) runs the request-started check of
    kept connections."""
    statuses = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
               "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    return statuses[0], body


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
    assert _wsgi_get("/readyz")[0].startswith("200")
    assert connection.connection is not None  # kept for the next request
    _terminate_from_the_database_side()
    status, body = _wsgi_get("/readyz")
    assert status.startswith("200"), body
    connection.close()


def test_it_checks_kept_connections_in_every_environment(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
