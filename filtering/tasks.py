from celery import shared_task

from . import imports, services
from .models import ProviderImport


@shared_task(name="filtering.tasks.import_provider_log")
def import_provider_log(import_id: int) -> int:
    provider_import = ProviderImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
    if provider_import.state != ProviderImport.State.RUNNING:
        return 0  # already done: a retried task adds nothing
    return imports.run_import(provider_import).rows_added


@shared_task(name="filtering.tasks.process_reverts")
def process_reverts() -> int:
    return services.process_reverts()
