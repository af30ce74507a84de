from celery import shared_task

from . import folders, services


@shared_task(name="onlinesafety.roster.tasks.apply_roster_import")
def apply_roster_import(import_id: int) -> bool:
    """Apply one confirmed import. A duplicate delivery finds it already claimed and does nothing."""
    return services.run_queued_apply(import_id) is not None


@shared_task(name="onlinesafety.roster.tasks.fetch_roster_import")
def fetch_roster_import(import_id: int) -> bool:
    """Read the MIS's API for one import and make its dry run. A duplicate delivery finds it already claimed."""
    return services.run_fetch(import_id) is not None


@shared_task(name="onlinesafety.roster.tasks.look_after_imports")
def look_after_imports() -> dict[str, int]:
    """Every five minutes: re-send imports left waiting, fail the stuck ones, expire day-old dry runs."""
    return services.look_after_imports()


@shared_task(name="onlinesafety.roster.tasks.import_nightly")
def import_nightly() -> dict[str, int]:
    """Nightly: every file the MIS dropped in ROSTER_DROP_FOLDER, then every school connected to the MIS's API."""
    return folders.import_nightly()
