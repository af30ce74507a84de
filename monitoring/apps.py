from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring alerts"

    def ready(self) -> None:
        from onlinesafety.jobs import register_failed_jobs
        from onlinesafety.navigation import SAFEGUARDING, NavItem, register, register_home_panels

        from . import rights
        from .panels import inbox_panels
        from .selectors import failed_imports

        register(NavItem("Monitoring alerts", "monitoring:inbox", rights.can_triage_alerts, SAFEGUARDING))
        register_home_panels(inbox_panels, rights.can_triage_alerts, order=15)
        register_failed_jobs(failed_imports)
