from django.apps import AppConfig


class GovernorsConfig(AppConfig):
    name = "governors"
    label = "governors"
    verbose_name = "Governor reports"

    def ready(self) -> None:
        from onlinesafety.navigation import REPORTS, NavItem, register, register_home_panels

        from .panels import report_panels
        from .rights import can_read_reports, is_governor

        register(NavItem("Governor reports", "governors:reports", can_read_reports, REPORTS))
        register_home_panels(report_panels, is_governor, order=50)

        from onlinesafety.jobs import register_failed_jobs

        from .selectors import failed_reports

        register_failed_jobs(failed_reports)
