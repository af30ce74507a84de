from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies and the compliance calendar"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register, register_object_link

        from . import signals  # noqa: F401
        from .selectors import CALENDAR_ROLES, READER_ROLES, REGISTER_ROLES

        register(
            NavItem("Policies", "policies:register", frozenset(REGISTER_ROLES)),
            NavItem("To read", "policies:to_read", frozenset(READER_ROLES)),
            NavItem("Compliance", "policies:compliance", frozenset(CALENDAR_ROLES | READER_ROLES)),
        )
        register_object_link("incident", NavItem("Review a policy because of this case",
                                                 "policies:early_review_for_incident", frozenset(REGISTER_ROLES)))
