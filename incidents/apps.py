from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from onlinesafety.navigation import (
            SAFEGUARDING,
            NavItem,
            register,
            register_home_action,
            register_home_panels,
            register_object_link,
        )

        from . import signals  # noqa: F401
        from .panels import case_panels, own_report_panels
        from .rights import can_edit_response_tables, can_manage_pupil_link, can_report, can_triage

        register(
            NavItem("Report a concern", "incidents:report", can_report, SAFEGUARDING),
            NavItem("Cases to triage", "incidents:triage", can_triage, SAFEGUARDING),
            NavItem("My reports", "incidents:mine", can_report, SAFEGUARDING),
            NavItem("Response tables", "incidents:response_tables", can_edit_response_tables, SAFEGUARDING),
            NavItem("The pupils' link", "incidents:pupil_link", can_manage_pupil_link, SAFEGUARDING),
        )
        # Reporting a concern is the first thing on the home of everyone who may, and never waits for anything.
        register_home_action(NavItem("Report a concern", "incidents:report", can_report, SAFEGUARDING))
        register_home_panels(case_panels, can_triage, order=10)
        register_home_panels(own_report_panels, can_report, order=60)
        register_object_link("pupil", NavItem("Online safety chronology", "incidents:chronology", can_triage))
