from celery import shared_task

from . import services


@shared_task(name="filtering.tasks.import_provider_log")
def import_provider_log(import_id: int) -> int:
    """Import one queued provider log. A duplicate delivery finds it already claimed and adds nothing."""
    return services.run_queued_import(import_id)


@shared_task(name="filtering.tasks.requeue_waiting_imports")
def requeue_waiting_imports() -> int:
    """Every five minutes: hand imports left waiting (the broker was down) to a worker again."""
    return services.requeue_waiting_imports()


@shared_task(name="filtering.tasks.process_reverts")
def process_reverts() -> int:
    return services.process_reverts()
