from django.apps import AppConfig


class FilteringConfig(AppConfig):
    name = "filtering"
    verbose_name = "Filtering and monitoring"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register

        from .selectors import LOG_ROLES, REQUEST_ROLES

        register(NavItem("Filtering", "filtering:requests", frozenset(REQUEST_ROLES | LOG_ROLES)))
