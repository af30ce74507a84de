from celery import shared_task

from . import services


@shared_task(name="monitoring.tasks.import_alerts")
def import_alerts(import_id: int) -> int:
    """Import one queued CSV of monitoring alerts. A duplicate delivery finds it already claimed and adds nothing."""
    return services.run_queued_import(import_id)


@shared_task(name="monitoring.tasks.requeue_waiting_imports")
def requeue_waiting_imports() -> int:
    """Every five minutes: hand imports left waiting (the broker was down) to a worker again."""
    return services.requeue_waiting_imports()
