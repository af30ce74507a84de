from celery import shared_task

from .services import campaigns


@shared_task(name="aup.tasks.remind_families")
def remind_families() -> int:
    """Daily: remind parents who have not answered (each reminder once, however often this runs)."""
    return campaigns.remind_families()
