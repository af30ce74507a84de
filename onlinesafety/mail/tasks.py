from celery import shared_task

from . import services


@shared_task(name="onlinesafety.mail.tasks.deliver_email")
def deliver_email(email_id: int) -> bool:
    return services.deliver_many([email_id]) == 1


@shared_task(name="onlinesafety.mail.tasks.deliver_emails")
def deliver_emails(email_ids: list[int]) -> int:
    """Every email queued in one transaction (a hundred at most), in one task."""
    return services.deliver_many(email_ids)


@shared_task(name="onlinesafety.mail.tasks.drain_outbox")
def drain_outbox() -> int:
    """Send whatever was left unsent (broker down when it was queued, a failed attempt, a worker that died)."""
    return services.drain()
