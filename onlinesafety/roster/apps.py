from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "onlinesafety.roster"
    label = "roster"
    verbose_name = "Roster imports from the school's MIS"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register

        from .rights import can_import_roster

        register(NavItem("Roster", "roster:current", can_import_roster))
