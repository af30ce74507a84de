from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "onlinesafety.schools"
    label = "schools"
    verbose_name = "Schools and people"

    def ready(self) -> None:
        from onlinesafety.navigation import SCHOOL, NavItem, register

        from .people.rights import can_manage_people
        from .setup.selectors import administers_current_organisation, administers_current_school

        # The set-up and people pages, each entry with the right of the page it opens.
        register(NavItem("Set up", "setup:current", administers_current_school, SCHOOL),
                 NavItem("Manage people", "people:current", can_manage_people, SCHOOL),
                 NavItem("Trust or LA", "setup:current_organisation", administers_current_organisation, SCHOOL))
