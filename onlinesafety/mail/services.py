"""Queueing and sending email. Messages never carry names or incident details (see docs/architecture.md)."""

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from onlinesafety.accounts.models import User
from onlinesafety.jobs import enqueue_now
from onlinesafety.schools.models import School

from .models import Notification, OutboundEmail
from .selectors import ALERT_AFTER_ATTEMPTS, unread_notifications

logger = logging.getLogger(__name__)
T = TypeVar("T")

LONGEST_WAIT = timedelta(hours=1)


def absolute_url(path: str) -> str:
    """A link for an email: the site's address (SITE_URL) and ``path``."""
    return f"{settings.SITE_URL}{path}"


def queue_email(*, to: str, subject: str, body: str, kind: str) -> OutboundEmail:
    """Save the email in the outbox and ask a worker to send it once the transaction commits. Every email queued
    in one transaction goes to the worker in one task (see ``deliver_after_commit``)."""
    email = OutboundEmail.objects.create(to=to, subject=subject, body=body, kind=kind)
    deliver_after_commit([email.pk])
    return email


BULK_TASK_SIZE = 100


def queue_emails(messages: Iterable[tuple[str, str, str]], *, kind: str) -> int:
    """Save many emails (``(to, subject, body)`` each) in the outbox at once; workers send them in batches of
    a hundred after the transaction commits. For campaigns to a whole school."""
    emails = OutboundEmail.objects.bulk_create(
        [OutboundEmail(to=to, subject=subject, body=body, kind=kind) for to, subject, body in messages],
        batch_size=500,
    )
    ids = [email.pk for email in emails]
    if ids:
        deliver_after_commit(ids)
    return len(ids)


class _PendingDeliveries:
    """The outbox ids queued in one transaction, handed to workers together once it commits.

    Each ``queue_email`` (or ``queue_emails``) adds an entry and registers a callback for it with ``on_commit``.
    The first callback to run publishes its own entry and every later one, in one task; the others find their
    entries sent already. So a savepoint rolled back (which drops the callbacks registered inside it) never keeps
    the other emails from going: the first callback that survives takes them all. An id whose row was rolled back
    is harmless (``deliver`` finds no row and sends nothing); an entry before the first surviving callback can
    only be one that was rolled back."""

    def __init__(self) -> None:
        self.entries: list[list[int]] = []
        self.published_upto = 0

    def add(self, ids: list[int]) -> "_PublishFrom":
        self.entries.append(ids)
        return _PublishFrom(self, len(self.entries) - 1)

    def publish_from(self, index: int) -> None:
        if index < self.published_upto:
            return
        ids = [pk for entry in self.entries[index:] for pk in entry]
        self.published_upto = len(self.entries)
        publish_deliveries(list(dict.fromkeys(ids)))


class _PublishFrom:
    def __init__(self, pending: _PendingDeliveries, index: int) -> None:
        self.pending = pending
        self.index = index

    def __call__(self) -> None:
        self.pending.publish_from(self.index)


def publish_deliveries(ids: list[int]) -> None:
    """Hand ``ids`` to workers now: one task per hundred (``deliver_email`` for a single one)."""
    from .tasks import deliver_email, deliver_emails

    for start in range(0, len(ids), BULK_TASK_SIZE):
        batch = ids[start:start + BULK_TASK_SIZE]
        if len(batch) == 1:
            enqueue_now(deliver_email, batch[0], what=f"Outbound email {batch[0]}")
        else:
            enqueue_now(deliver_emails, batch, what=f"A batch of {len(batch)} outbound emails")


def deliver_after_commit(ids: list[int]) -> None:
    """Publish ``ids`` once the current transaction commits (at once outside one), together with every other id
    queued in the same transaction. Like ``onlinesafety.jobs.enqueue_after_commit``, it never fails or holds the
    request: with the broker down the emails wait for ``drain_outbox``."""
    db = transaction.get_connection()
    pending: _PendingDeliveries | None = getattr(db, "_outbox_pending", None)
    if pending is None or not any(getattr(entry[1], "pending", None) is pending for entry in db.run_on_commit):
        # None yet in this transaction, or the last one committed (Django empties run_on_commit then), or every
        # callback it had was rolled back with the rows it named.
        pending = _PendingDeliveries()
        db._outbox_pending = pending
    transaction.on_commit(pending.add(ids))


CLAIM_TIMEOUT = timedelta(minutes=10)  # an attempt older than this, neither sent nor failed, died with its worker
DATABASE_RETRIES = 3  # per batch (and per write after a send): then the task fails and drain_outbox takes over
DATABASE_ERRORS = (OperationalError, InterfaceError)


def message_id(email_id: int) -> str:
    """The email's Message-ID: the same on every attempt, so the receiving side can recognise a duplicate. It
    holds the outbox id and a keyed hash of it (so none can be made up for another row), nothing else."""
    digest = salted_hmac("onlinesafety.mail.message_id", str(email_id)).hexdigest()[:16]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname
    return f"<outbox-{email_id}-{digest}@{domain or 'localhost'}>"


def reset_connection() -> None:
    """After a database error: drop the connection so the next query opens a new one. Inside a transaction (a
    caller's, or a test's) it is left alone: closing it would lose the transaction."""
    if not connection.in_atomic_block:
        connection.close()


def _with_database_retries(write: Callable[[], T], *, what: str) -> T:
    for attempt in range(DATABASE_RETRIES + 1):
        try:
            return write()
        except DATABASE_ERRORS as error:
            if attempt == DATABASE_RETRIES:
                raise
            logger.warning("%s: database error (%s), trying again", what, type(error).__name__)
            reset_connection()
            time.sleep(0.2 * 2 ** attempt)
    raise AssertionError("unreachable")


def _claim(email_id: int) -> tuple[datetime, bool] | None:
    """Record an attempt, committed before anything is sent: one conditional update, so of two workers only one
    claims the email. None if it is sent, being sent (a claim younger than CLAIM_TIMEOUT) or gone. Otherwise the
    claim's time, and whether an earlier attempt never finished (so the email may have gone already: the update
    marks it a possible duplicate)."""
    now = timezone.now()
    unsent = OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True)
    earlier = unsent.values_list("claimed_at", flat=True).first()  # for the log line only; the update decides
    with transaction.atomic():
        claimed = unsent.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - CLAIM_TIMEOUT)).update(
            claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_TIMEOUT,
            possible_duplicate=Case(When(claimed_at__isnull=False, then=Value(True)), default=F("possible_duplicate")),
        )
    return (now, earlier is not None) if claimed else None


def deliver(email_id: int) -> bool:
    """Send one queued email: at least once to the mail server, and never twice without the outbox saying so.
    Returns True if this call sent it.

    1. The attempt is claimed and committed (``_claim``). 2. The email is sent, with its stable Message-ID.
    3. ``sent_at`` is recorded (and the body cleared) in a transaction of its own, retried after a database
    error. A worker that dies between 1 and 3 leaves the claim: the email is tried again after CLAIM_TIMEOUT,
    marked ``possible_duplicate``. Call it outside a transaction (a worker), so each step commits."""
    claim = _claim(email_id)
    if claim is None:
        return False
    claimed_at, unfinished = claim
    if unfinished:
        logger.warning("Outbound email %s: an earlier attempt never finished; sending it again, marked as a "
                       "possible duplicate", email_id)
    email = OutboundEmail.objects.filter(pk=email_id).values("to", "subject", "body", "kind", "attempts").get()
    try:
        EmailMessage(
            subject=email["subject"], body=email["body"], from_email=settings.DEFAULT_FROM_EMAIL, to=[email["to"]],
            headers={"Message-ID": message_id(email_id)},
        ).send()
    except Exception as exc:
        error = type(exc).__name__
        _with_database_retries(lambda: _record_failure(email_id, claimed_at, email["attempts"], error),
                               what=f"Recording a failed send of outbound email {email_id}")
        log = logger.error if email["attempts"] >= ALERT_AFTER_ATTEMPTS else logger.warning
        log("Sending outbound email %s failed %s times (%s)", email_id, email["attempts"], error)
        return False
    _with_database_retries(lambda: _record_sent(email_id), what=f"Recording outbound email {email_id} as sent")
    logger.info("Sent outbound email %s (%s)", email_id, email["kind"])
    return True


def _record_failure(email_id: int, claimed_at: datetime, attempts: int, error: str) -> None:
    # Wait longer after each failure (2, 4, 8 ... minutes, at most an hour); never give up.
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True, claimed_at=claimed_at).update(
            claimed_at=None, last_error=error,
            next_attempt_at=timezone.now() + min(timedelta(minutes=2 ** attempts), LONGEST_WAIT),
        )


def _record_sent(email_id: int) -> None:
    with transaction.atomic():
        marked = OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), body="", last_error="", next_attempt_at=None,
        )
        if not marked:  # another worker sent it too, after this one's claim had timed out
            OutboundEmail.objects.filter(pk=email_id).update(possible_duplicate=True)


def deliver_many(email_ids: Iterable[int]) -> int:
    """Send each email in turn; returns how many this call sent. A database error (a lost connection, a restarted
    server) drops the connection and goes on from the email it happened on, DATABASE_RETRIES times in all, before
    the error fails the task (the rest then waits for drain_outbox)."""
    remaining = list(email_ids)
    sent = errors = 0
    while remaining:
        try:
            sent += deliver(remaining[0])
        except DATABASE_ERRORS as error:
            errors += 1
            if errors > DATABASE_RETRIES:
                logger.error("Database errors in a batch of outbound emails; %s left for drain_outbox",
                             len(remaining))
                raise
            logger.warning("Database error (%s) in a batch of outbound emails, at email %s; trying the %s left "
                           "again", type(error).__name__, remaining[0], len(remaining))
            reset_connection()
            time.sleep(0.2 * 2 ** (errors - 1))
            continue
        remaining.pop(0)
    return sent


def drain() -> int:
    """Send whatever is due (``unsent_email_ids``), reading the list again after a database error."""
    return deliver_many(_with_database_retries(unsent_email_ids, what="Reading the outbox"))


def unsent_email_ids(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Emails to try now: never tried and queued over a minute ago, or due another try after a failure, or whose
    last attempt began over CLAIM_TIMEOUT ago and never finished. Never one being sent now."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True, created_at__lte=now - older_than) | Q(next_attempt_at__lte=now)
    not_being_sent = Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - CLAIM_TIMEOUT)
    unsent = OutboundEmail.objects.filter(due, not_being_sent, sent_at__isnull=True).order_by("created_at")
    return list(unsent.values_list("pk", flat=True)[:500])


def notify(*, users: Iterable[User], school: School, message: str, url: str = "", is_urgent: bool = False,
           email_subject: str = "", email_body: str = "", kind: str = "notification") -> int:
    """An in-app alert for each user, and an email too when a subject is given. Returns how many people."""
    users = list(users)
    Notification.objects.bulk_create(
        [Notification(user=user, school=school, message=message[:200], url=url, is_urgent=is_urgent)
         for user in users]
    )
    if email_subject:
        queue_emails([(user.email, email_subject, email_body) for user in users], kind=kind)
    return len(users)


def mark_notification_read(*, notification: Notification) -> None:
    """One alert read, when its person opens it (their own state, like "mark all read": no audit event)."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def mark_notifications_read(*, user: User, school: School) -> int:
    return unread_notifications(user, school).update(read_at=timezone.now())
