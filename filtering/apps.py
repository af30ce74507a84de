from django.apps import AppConfig


class FilteringConfig(AppConfig):
    name = "filtering"
    verbose_name = "Filtering and monitoring"

    def ready(self) -> None:
        from onlinesafety.navigation import FILTERING, NavItem, register, register_home_panels

        from . import rights
        from .panels import decision_panels, sign_off_panels, technician_panels

        # The same pages as the filtering tabs, each with the right of its page.
        register(
            NavItem("Change requests", "filtering:changes", rights.can_list_changes, FILTERING),
            NavItem("Report a site", "filtering:report", rights.can_report_site, FILTERING),
            NavItem("Change log", "filtering:log", rights.can_read_oversight, FILTERING),
            NavItem("Checks and reviews", "filtering:checks", rights.can_read_oversight, FILTERING),
            NavItem("Provider logs", "filtering:imports", rights.can_read_provider_logs, FILTERING),
            NavItem("Providers", "filtering:settings", rights.can_record_providers, FILTERING),
        )
        register_home_panels(decision_panels, rights.can_decide_changes, order=20)
        register_home_panels(technician_panels, rights.is_technician, order=20)
        register_home_panels(sign_off_panels, rights.can_read_oversight, order=25)

        from onlinesafety.setup import register_checklist

        from .selectors import setup_checklist

        register_checklist(setup_checklist)

        from onlinesafety.jobs import register_failed_jobs

        from .selectors import failed_imports

        register_failed_jobs(failed_imports)
