from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies and the compliance calendar"

    def ready(self) -> None:
        from onlinesafety.navigation import POLICIES, NavItem, register, register_home_panels, register_object_link

        from . import signals  # noqa: F401
        from .panels import approval_panels, reading_panels, review_panels
        from .rights import can_edit_policies, can_read_register, can_see_calendar, must_read_policies
        from .selectors import setup_checklist
        from .services import starter_register

        register(
            NavItem("Policies", "policies:register", can_read_register, POLICIES),
            NavItem("Policies to read", "policies:to_read", must_read_policies, POLICIES),
            NavItem("Compliance calendar", "policies:compliance", can_see_calendar, POLICIES),
        )
        register_home_panels(approval_panels, can_read_register, order=20)
        register_home_panels(review_panels, can_edit_policies, order=30)
        register_home_panels(reading_panels, must_read_policies, order=45)
        register_object_link("incident", NavItem("Review a policy because of this case",
                                                 "policies:early_review_for_incident", can_read_register))

        from onlinesafety.setup import register_checklist, register_starter  # after the menu entries above

        register_checklist(setup_checklist)
        register_starter(starter_register)
