from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from onlinesafety.navigation import SAFEGUARDING, NavItem, register, register_object_link

        from . import signals  # noqa: F401
        from .rights import can_report, can_triage

        register(
            NavItem("Report a concern", "incidents:report", can_report, SAFEGUARDING),
            NavItem("Cases to triage", "incidents:triage", can_triage, SAFEGUARDING),
            NavItem("My reports", "incidents:mine", can_report, SAFEGUARDING),
            NavItem("Response matrix", "incidents:responses", can_triage, SAFEGUARDING),
        )
        register_object_link("pupil", NavItem("Online safety chronology", "incidents:chronology", can_triage))
