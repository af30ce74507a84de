from celery import shared_task

from .models import UsedToken
from .tokens import forget_before


@shared_task(name="onlinesafety.submissions.tasks.forget_old_tokens")
def forget_old_tokens() -> int:
    """Forget the claims of tokens too old to be accepted any more (daily, on Celery beat)."""
    deleted, _ = UsedToken.objects.filter(issued_at__lt=forget_before()).delete()
    return deleted
