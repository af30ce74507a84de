from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "onlinesafety.roster"
    label = "roster"
    verbose_name = "Roster imports from the school's MIS"

    def ready(self) -> None:
        from onlinesafety.navigation import SCHOOL, NavItem, register

        from .rights import can_import_roster

        register(NavItem("Roster import", "roster:current", can_import_roster, SCHOOL))

        from onlinesafety.jobs import register_failed_jobs

        from .selectors import failed_roster_imports

        register_failed_jobs(failed_roster_imports)
