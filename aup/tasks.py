from celery import shared_task

from . import services


@shared_task(name="aup.tasks.remind_families")
def remind_families() -> int:
    """Daily: remind parents who have not answered (each reminder once, however often this runs)."""
    return services.remind_families()
