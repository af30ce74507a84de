from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"

    def ready(self) -> None:
        from onlinesafety.navigation import NavItem, register, register_notice, register_object_link
        from onlinesafety.schools.roles import Role

        from . import signals  # noqa: F401
        from .notices import agreements_to_sign
        from .selectors import COVERAGE_ROLES, READER_ROLES, REGISTER_ROLES

        register(
            NavItem("Agreements", "aup:list", frozenset(READER_ROLES)),
            NavItem("AUP coverage", "aup:coverage", frozenset(COVERAGE_ROLES)),
            NavItem("Registers", "aup:technology_register", frozenset(REGISTER_ROLES)),
            NavItem("Family agreements", "aup:family", frozenset({Role.PARENT})),
        )
        register_object_link("pupil", NavItem("Keep off school technology", "aup:add_restriction",
                                               frozenset(REGISTER_ROLES)))
        register_notice(agreements_to_sign)
