"""Queueing and sending email. Messages never carry names or incident details (see docs/architecture.md)."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.jobs import enqueue_after_commit
from onlinesafety.schools.models import School

from .models import Notification, OutboundEmail
from .selectors import unread_notifications

logger = logging.getLogger(__name__)

ALERT_AFTER_ATTEMPTS = 8  # then the log says so (no names, ids only); the email keeps being retried
LONGEST_WAIT = timedelta(hours=1)


def absolute_url(path: str) -> str:
    """A link for an email: the site's address (SITE_URL) and ``path``."""
    return f"{settings.SITE_URL}{path}"


def queue_email(*, to: str, subject: str, body: str, kind: str) -> OutboundEmail:
    """Save the email in the outbox and ask a worker to send it once the transaction commits."""
    from .tasks import deliver_email

    email = OutboundEmail.objects.create(to=to, subject=subject, body=body, kind=kind)
    enqueue_after_commit(deliver_email, email.pk, what=f"Outbound email {email.pk}")
    return email


BULK_TASK_SIZE = 100


def queue_emails(messages: Iterable[tuple[str, str, str]], *, kind: str) -> int:
    """Save many emails (``(to, subject, body)`` each) in the outbox at once; workers send them in batches of
    a hundred after the transaction commits. For campaigns to a whole school."""
    from .tasks import deliver_emails

    emails = OutboundEmail.objects.bulk_create(
        [OutboundEmail(to=to, subject=subject, body=body, kind=kind) for to, subject, body in messages],
        batch_size=500,
    )
    ids = [email.pk for email in emails]
    for start in range(0, len(ids), BULK_TASK_SIZE):
        batch = ids[start:start + BULK_TASK_SIZE]
        enqueue_after_commit(deliver_emails, batch, what=f"A batch of {len(batch)} outbound emails")
    return len(ids)


def deliver(email_id: int) -> bool:
    """Send one queued email exactly once. Returns True if this call sent it."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id, sent_at__isnull=True).first()
        if email is None:
            return False
        email.attempts += 1
        try:
            EmailMessage(
                subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email.to]
            ).send()
        except Exception as exc:
            email.last_error = type(exc).__name__
            # Wait longer after each failure (2, 4, 8 ... minutes, at most an hour); never give up.
            email.next_attempt_at = timezone.now() + min(timedelta(minutes=2 ** email.attempts), LONGEST_WAIT)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            log = logger.error if email.attempts >= ALERT_AFTER_ATTEMPTS else logger.warning
            log("Sending outbound email %s failed %s times (%s)", email.pk, email.attempts, type(exc).__name__)
            return False
        email.sent_at = timezone.now()
        email.body = ""
        email.last_error = ""
        email.save(update_fields=["attempts", "sent_at", "body", "last_error"])
    logger.info("Sent outbound email %s (%s)", email.pk, email.kind)
    return True


def unsent_email_ids(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Emails to try now: never tried and queued over a minute ago, or due another try after a failure."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True, created_at__lte=now - older_than) | Q(next_attempt_at__lte=now)
    unsent = OutboundEmail.objects.filter(due, sent_at__isnull=True).order_by("created_at")
    return list(unsent.values_list("pk", flat=True)[:500])


def notify(*, users: Iterable[User], school: School, message: str, url: str = "", is_urgent: bool = False,
           email_subject: str = "", email_body: str = "", kind: str = "notification") -> int:
    """An in-app alert for each user, and an email too when a subject is given. Returns how many people."""
    users = list(users)
    Notification.objects.bulk_create(
        [Notification(user=user, school=school, message=message, url=url, is_urgent=is_urgent) for user in users]
    )
    if email_subject:
        for user in users:
            queue_email(to=user.email, subject=email_subject, body=email_body, kind=kind)
    return len(users)


@transaction.atomic
def mark_notifications_read(*, user: User, school: School) -> int:
    return unread_notifications(user, school).update(read_at=timezone.now())
