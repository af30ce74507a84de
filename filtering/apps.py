from django.apps import AppConfig


class FilteringConfig(AppConfig):
    name = "filtering"
    verbose_name = "Filtering and monitoring"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register

        from .rights import can_open_changes

        register(NavItem("Filtering", "filtering:changes", can_open_changes))

        from onlinesafety.setup import register_checklist

        from .selectors import setup_checklist

        register_checklist(setup_checklist)

        from onlinesafety.jobs import register_failed_jobs

        from .selectors import failed_imports

        register_failed_jobs(failed_imports)
