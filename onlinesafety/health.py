"""``/healthz`` and ``/readyz`` for a load balancer, an orchestrator and docker-compose's healthchecks.

- ``/healthz``: the process is up and answering (nothing else is touched, so a database outage never gets a
  healthy web process restarted);
- ``/readyz``: whether the database answers a query (within ``READY_TIMEOUT``) and the broker takes a connection
  (within ``PUBLISH_TIMEOUT``), as ``{"database": "ok", "broker": "unreachable"}``. It is 503 only when the
  database does not answer, so the load balancer sends no traffic to a process that cannot serve pages. A broker
  outage alone leaves pages working (work waits in the database for its periodic task), so it is reported in the
  answer, for monitoring to alert on, and the process stays in service.

Answered by the first middleware, before the host check, the HTTPS redirect and sessions: a probe comes to the
container's own address over plain HTTP, and no session row or audit event is written for it. Neither answer
carries anything but those words.
"""

import logging
import threading
from collections.abc import Callable

from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from onlinesafety import celery_app
from onlinesafety.jobs import broker_reachable

logger = logging.getLogger(__name__)


READY_TIMEOUT = 1.0  # seconds /readyz waits for the database


def _database_ready() -> bool:
    """A query on a connection of its own, in a thread of its own, so that a database host that takes the
    connection and never answers costs the probe READY_TIMEOUT, not the connect timeout."""
    answers: list[bool] = []

    def ask() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                answers.append(cursor.fetchone() == (1,))
        except Exception as error:
            logger.warning("Readiness: the database did not answer (%s)", type(error).__name__)
        finally:
            connections.close_all()  # this thread's own connection

    asking = threading.Thread(target=ask, name="readiness-database", daemon=True)
    asking.start()
    asking.join(READY_TIMEOUT)
    if asking.is_alive():
        logger.warning("Readiness: the database did not answer within %s s", READY_TIMEOUT)
    return answers == [True]


def _broker_ready() -> bool:
    ready = broker_reachable(celery_app)
    if not ready:
        logger.warning("Readiness: the broker did not take a connection")
    return ready


def readiness() -> tuple[bool, dict[str, str]]:
    """Ready to serve pages (the database answers), and how each part is."""
    parts = {"database": _database_ready(), "broker": _broker_ready()}
    return parts["database"], {name: "ok" if ready else "unreachable" for name, ready in parts.items()}


def _answer(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return _answer(JsonResponse({"status": "ok"}))
        if request.path_info == "/readyz":
            ready, parts = readiness()
            return _answer(JsonResponse(parts, status=200 if ready else 503))
        return self.get_response(request)
