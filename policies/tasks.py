from celery import shared_task

from . import reminders


@shared_task(name="policies.tasks.send_due_reminders")
def send_due_reminders() -> int:
    return reminders.send_due_reminders()
