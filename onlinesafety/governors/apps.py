from django.apps import AppConfig


class GovernorsConfig(AppConfig):
    name = "onlinesafety.governors"
    label = "governors"
    verbose_name = "Governor reports"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register

        from .selectors import PORTAL_ROLES

        register(NavItem("Governor reports", "governors:reports", frozenset(PORTAL_ROLES)))
