from django.db.models import Case, IntegerField, QuerySet, Value, When

from onlinesafety.access import found
from onlinesafety.accounts.models import User
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import School

from .models import Notification, OutboundEmail


def notifications_for(user: User, school: School) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, school=school).order_by("-created_at")


def alerts_in_order(user: User, school: School) -> QuerySet[Notification]:
    """The alerts page's order: urgent alerts not yet read pinned first, then newest first."""
    pinned = Case(When(is_urgent=True, read_at__isnull=True, then=Value(0)), default=Value(1),
                  output_field=IntegerField())
    return notifications_for(user, school).annotate(pinned=pinned).order_by("pinned", "-created_at", "-pk")


def get_alert_for_user(user: User, school: School, notification_id: int) -> Notification:
    """One of this person's alerts in this school; 404 for anyone else's, as for one that does not exist."""
    return found(notifications_for(user, school).filter(pk=notification_id).first(), "No such alert.")


def unread_notifications(user: User, school: School) -> QuerySet[Notification]:
    return notifications_for(user, school).filter(read_at__isnull=True)


# From this failed try on, the log reports an error and the site administrator's failed jobs list the email; the
# outbox keeps trying it.
ALERT_AFTER_ATTEMPTS = 8


def stuck_emails(limit: int) -> list[FailedJob]:
    """Emails still unsent after many tries (dated by when they were queued), for the site administrator's list
    of failed jobs (one query). No address and no subject: the kind of message and its id."""
    stuck = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__gte=ALERT_AFTER_ATTEMPTS).order_by(
        "-created_at").values("pk", "kind", "attempts", "last_error", "created_at")[:limit]
    return [FailedJob(kind="Email", record=f"{row['kind']} email {row['pk']}", school="",
                      failed_at=row["created_at"], attempts=row["attempts"], reason=row["last_error"] or "Unknown",
                      retried_by="No one needs to: the outbox tries again every hour. Check the mail server settings")
            for row in stuck]
