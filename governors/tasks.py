from celery import shared_task

from . import services


@shared_task(name="onlinesafety.governors.tasks.build_report")
def build_report(report_id: int) -> bool:
    """A failed build is marked failed and tried again by ``look_after_reports``, not by Celery's retries."""
    return services.build(report_id)


@shared_task(name="onlinesafety.governors.tasks.look_after_reports")
def look_after_reports() -> int:
    return services.look_after_reports()


@shared_task(name="onlinesafety.governors.tasks.generate_due_reports")
def generate_due_reports() -> int:
    """Daily: the report of every term that ended yesterday, and another go at any report left behind."""
    return services.generate_due_reports()
