"""Handing work to a Celery worker: the one way every app does it.

A write that needs background work saves its own record of the work first (an outbox row, a report "queued",
an import "queued") and calls ``enqueue_after_commit``. The task is published only once the transaction has
committed, so a worker never looks for a row that is not there yet, and publishing never fails or holds the
request: with the broker down, the attempt is logged (ids only) and the record waits for its periodic task
(``drain_outbox``, ``look_after_reports``, ``requeue_waiting_imports``, ``look_after_imports``), which sends it
again.

Publishing uses a connection of its own, kept by each thread, with short socket timeouts (``PUBLISH_TIMEOUT``),
not the worker's: a broker that refuses connections fails at once, and one that takes them but never answers (a
half-dead host, a full network buffer) costs about ``PUBLISH_TIMEOUT``, never the default minute. After a failure
the thread does not try that broker again for ``BROKER_RETRY_AFTER`` seconds: a request that hands over several
tasks waits for the broker once at most, not once a task.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery, Task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)
_local = threading.local()  # each thread (a gunicorn worker has one) keeps its publishing connection


def _connection_options(app: Celery) -> dict[str, Any]:
    timeout = settings.PUBLISH_TIMEOUT
    return {"transport_options": {**app.conf.broker_transport_options, "max_retries": 0,
                                  "socket_connect_timeout": timeout, "socket_timeout": timeout},
            "connect_timeout": timeout}


def broker_reachable(app: Celery) -> bool:
    """Whether the broker takes a new connection within ``PUBLISH_TIMEOUT`` (for ``/readyz``)."""
    try:
        with app.connection_for_write(**_connection_options(app)) as connection:
            connection.ensure_connection(max_retries=0)
    except Exception:
        return False
    return True


def _publishing_connection(task: Task) -> Any:
    connection = getattr(_local, "connection", None)
    if connection is not None and getattr(_local, "broker_url", None) != task.app.conf.broker_url:
        _forget_publishing_connection()  # the broker was changed (in tests): its old connection is no use
        connection = None
    if connection is None:
        _local.broker_url = task.app.conf.broker_url
        connection = _local.connection = task.app.connection_for_write(**_connection_options(task.app))
    return connection


def _forget_publishing_connection() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # already broken: nothing to give back
            logger.debug("Could not release a broken publishing connection")


BROKER_RETRY_AFTER = 10.0  # seconds a thread leaves a broker alone after a publish to it failed


def _broker_resting(task: Task) -> bool:
    return (not task.app.conf.task_always_eager and getattr(_local, "failed_url", None) == task.app.conf.broker_url
            and time.monotonic() < getattr(_local, "retry_at", 0.0))


def _note_broker_failed(task: Task) -> None:
    if not task.app.conf.task_always_eager:  # run inline (tests), an exception is the task's own, not the broker's
        _local.failed_url, _local.retry_at = task.app.conf.broker_url, time.monotonic() + BROKER_RETRY_AFTER


def reset_publishing() -> None:
    """Forget this thread's publishing connection and any broker failure (for tests that change the broker)."""
    _forget_publishing_connection()
    _local.failed_url, _local.retry_at = None, 0.0


def enqueue_now(task: Task, *args: Any, what: str) -> bool:
    """Publish ``task(*args)`` at once, with no publish retries. False if it could not be handed over."""
    if _broker_resting(task):
        logger.warning("%s not handed to a worker (the broker failed moments ago); its periodic task will send it "
                       "again", what)
        return False
    try:
        # apply_async takes the connection to publish on (celery-stubs leave it out)
        task.apply_async(args=args, retry=False, connection=_publishing_connection(task))  # type: ignore[call-arg]
    except Exception as error:  # the broker is down (or, run inline in tests, the task itself failed)
        _forget_publishing_connection()  # the next publish starts on a fresh connection
        _note_broker_failed(task)
        logger.warning("%s not handed to a worker (%s); its periodic task will send it again",
                       what, type(error).__name__)
        return False
    return True


def enqueue_after_commit(task: Task, *args: Any, what: str) -> None:
    """Publish ``task(*args)`` once the current transaction commits (at once outside one). ``what`` names the
    work for the log by kind and id only, never a person."""
    transaction.on_commit(lambda: enqueue_now(task, *args, what=what))


# ---------------------------------------------------------------- failed jobs, for the site administrator

@dataclass(frozen=True)
class FailedJob:
    """A background job that failed and waits for a person. Names nobody: a kind, a school, ids and a reason."""

    kind: str  # "Provider log import"
    record: str  # "import 12", "version 2 of Summer 2026"
    school: str  # the school's name
    failed_at: datetime | None
    attempts: int
    reason: str  # the kind of error, or the plain reason the job recorded
    retried_by: str  # who may try it again, and where ("The DSL or the technician, on the import's page")


FailedJobSource = Callable[[int], list[FailedJob]]
_failed_job_sources: list[FailedJobSource] = []


def register_failed_jobs(source: FailedJobSource) -> None:
    """Each app that runs jobs adds, from ``AppConfig.ready()``, a source: given a limit, its failed jobs, newest
    first, in one query (the kernel never imports the apps)."""
    if source not in _failed_job_sources:
        _failed_job_sources.append(source)


def failed_jobs(limit: int = 200) -> list[FailedJob]:
    """Every app's failed jobs, newest first: one query per app, whatever their number."""
    jobs = [job for source in _failed_job_sources for job in source(limit)]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(jobs, key=lambda job: job.failed_at or oldest, reverse=True)[:limit]
