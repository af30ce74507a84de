from celery import shared_task

from . import services


@shared_task(name="onlinesafety.mail.tasks.deliver_email")
def deliver_email(email_id: int) -> bool:
    return services.deliver(email_id)


@shared_task(name="onlinesafety.mail.tasks.deliver_emails")
def deliver_emails(email_ids: list[int]) -> int:
    return sum(services.deliver(email_id) for email_id in email_ids)


@shared_task(name="onlinesafety.mail.tasks.drain_outbox")
def drain_outbox() -> int:
    """Send whatever was left unsent (broker down when it was queued, or a failed attempt)."""
    return sum(services.deliver(email_id) for email_id in services.unsent_email_ids())
