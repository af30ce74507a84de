from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register, register_object_link

        from . import signals  # noqa: F401
        from .selectors import REPORTER_ROLES, TRIAGE_ROLES

        register(
            NavItem("Report a concern", "incidents:report", frozenset(REPORTER_ROLES)),
            NavItem("Triage", "incidents:triage", frozenset(TRIAGE_ROLES)),
            NavItem("My reports", "incidents:mine", frozenset(REPORTER_ROLES)),
        )
        register_object_link("pupil", NavItem("Online safety chronology", "incidents:chronology",
                                              frozenset(TRIAGE_ROLES)))
