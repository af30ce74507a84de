"""The role-based navigation: each entry says who sees it. Apps add their entries here."""

from dataclasses import dataclass, field

from django.urls import reverse

from onlinesafety.schools.roles import SCHOOL_STAFF, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset = field(default_factory=frozenset)  # empty: every member of the school

    def visible_to(self, roles: frozenset) -> bool:
        return not self.roles or bool(self.roles & roles)


NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Pupils", "schools:pupil_list", SCHOOL_STAFF),
    NavItem("My children", "schools:my_children", frozenset({Role.PARENT})),
    NavItem("People", "schools:member_list", frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL})),
]


# Links shown on a record's page (a pupil, an incident ...); each takes the record's id.
OBJECT_LINKS: dict[str, list[NavItem]] = {}


def register(*items: NavItem) -> None:
    """Domain apps add their menu entries from AppConfig.ready(); the kernel never imports them."""
    NAV_ITEMS.extend(item for item in items if item not in NAV_ITEMS)


def register_object_link(kind: str, *items: NavItem) -> None:
    links = OBJECT_LINKS.setdefault(kind, [])
    links.extend(item for item in items if item not in links)


def object_links_for(kind: str, roles: frozenset, object_id: int) -> list[dict]:
    return [{"label": item.label, "url": reverse(item.url_name, args=[object_id])}
            for item in OBJECT_LINKS.get(kind, []) if item.visible_to(roles)]


# Reminders shown at the top of every page (e.g. "sign the staff agreement"). Each provider takes the request
# and returns a list of Notice; apps register them from AppConfig.ready().
@dataclass(frozen=True)
class Notice:
    message: str
    url: str
    link_label: str


NOTICE_PROVIDERS: list = []


def register_notice(provider) -> None:
    if provider not in NOTICE_PROVIDERS:
        NOTICE_PROVIDERS.append(provider)


def notices_for(request) -> list[Notice]:
    if not request.user.is_authenticated or getattr(request, "school", None) is None:
        return []
    return [notice for provider in NOTICE_PROVIDERS for notice in provider(request)]


def nav_for(request) -> list[dict]:
    if not request.user.is_authenticated or getattr(request, "school", None) is None:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"label": item.label, "url": reverse(item.url_name), "active": item.url_name == current}
        for item in NAV_ITEMS
        if item.visible_to(request.roles)
    ]
