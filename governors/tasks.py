from celery import shared_task

from . import services


@shared_task(name="onlinesafety.governors.tasks.build_report", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=30, acks_late=True)
def build_report(report_id: int) -> bool:
    return services.build(report_id)


@shared_task(name="onlinesafety.governors.tasks.generate_due_reports")
def generate_due_reports() -> int:
    """Daily: the report of every term that ended yesterday, and another go at any report left behind."""
    return services.generate_due_reports()
