"""Handing work to a Celery worker: the one way every app does it.

A write that needs background work saves its own record of the work first (an outbox row, a report "queued",
an import "queued") and calls ``enqueue_after_commit``. The task is published only once the transaction has
committed, so a worker never looks for a row that is not there yet, and publishing never fails or holds the
request: with the broker down, the attempt is logged (ids only) and the record waits for its periodic task
(``drain_outbox``, ``generate_due_reports``, ``requeue_waiting_imports``), which sends it again.
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_now(task: Task, *args: Any, what: str) -> bool:
    """Publish ``task(*args)`` at once, with no publish retries. False if it could not be handed over."""
    try:
        task.apply_async(args=args, retry=False)
    except Exception as error:  # the broker is down (or, run inline in tests, the task itself failed)
        logger.warning("%s not handed to a worker (%s); its periodic task will send it again",
                       what, type(error).__name__)
        return False
    return True


def enqueue_after_commit(task: Task, *args: Any, what: str) -> None:
    """Publish ``task(*args)`` once the current transaction commits (at once outside one). ``what`` names the
    work for the log by kind and id only, never a person."""
    transaction.on_commit(lambda: enqueue_now(task, *args, what=what))
