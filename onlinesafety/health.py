"""``/healthz`` and ``/readyz`` for a load balancer, an orchestrator and docker-compose's healthchecks.

- ``/healthz``: the process is up and answering (nothing else is touched, so a database outage never gets a
  healthy web process restarted);
- ``/readyz``: the database answers a query and the broker takes a connection, each within about a second;
  503 naming the part that is not ready (``{"database": "ok", "broker": "unreachable"}``), so the load balancer
  sends no traffic to a process that cannot serve it. A broker outage alone still leaves pages working (work waits
  in the database for its periodic task), so alert on it rather than route around it.

Answered by the first middleware, before the host check, the HTTPS redirect and sessions: a probe comes to the
container's own address over plain HTTP, and no session row or audit event is written for it. Neither answer
carries anything but those words.
"""

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from onlinesafety import celery_app
from onlinesafety.jobs import broker_reachable

logger = logging.getLogger(__name__)


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:
        logger.warning("Readiness: the database did not answer (%s)", type(error).__name__)
        return False


def _broker_ready() -> bool:
    ready = broker_reachable(celery_app)
    if not ready:
        logger.warning("Readiness: the broker did not take a connection")
    return ready


def readiness() -> tuple[bool, dict[str, str]]:
    parts = {"database": _database_ready(), "broker": _broker_ready()}
    return all(parts.values()), {name: "ok" if ready else "unreachable" for name, ready in parts.items()}


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
