import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onlinesafety.settings")

app = Celery("onlinesafety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_weasyprint_once(**kwargs: Any) -> None:
    """Load WeasyPrint in the worker's main process before it forks its pool, so no worker process pays about a
    second for it on its first PDF (see docs/performance.md). Web processes still load it only when needed."""
    import weasyprint  # noqa: F401
