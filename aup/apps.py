from django.apps import AppConfig


class AupConfig(AppConfig):
    name = "aup"
    verbose_name = "Acceptable use agreements"

    def ready(self) -> None:
        from onlinesafety.navigation import (
            AGREEMENTS,
            NavItem,
            register,
            register_home_panels,
            register_notice,
            register_object_link,
        )

        from . import rights, signals  # noqa: F401
        from .notices import agreements_to_sign
        from .panels import agreements_to_sign_panels, family_panels

        register(
            NavItem("My agreements", "aup:mine", rights.signs_own_agreements, AGREEMENTS),
            NavItem("Family agreements", "aup:family", rights.is_parent, AGREEMENTS),
            NavItem("All agreements", "aup:list", rights.can_read_agreements, AGREEMENTS),
            NavItem("Who has signed", "aup:coverage", rights.can_see_coverage, AGREEMENTS),
            NavItem("Technology register", "aup:technology_register", rights.can_use_registers, AGREEMENTS),
        )
        register_object_link("pupil", NavItem("Keep off school technology", "aup:add_restriction",
                                               rights.can_use_registers))
        register_notice(agreements_to_sign)
        register_home_panels(agreements_to_sign_panels, rights.signs_own_agreements, order=40)
        register_home_panels(family_panels, rights.is_parent, order=40)
