"""The menu, the links on a record's page, and the notices at the top of every page.

Each entry carries the right of the page it opens (a predicate from the app's ``rights.py``), so a person is
only ever shown what they can open. Domain apps add their entries from ``AppConfig.ready()``; the kernel never
imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from onlinesafety.access import Right, any_member
from onlinesafety.accounts.models import Person
from onlinesafety.schools import rights as school_rights
from onlinesafety.schools.models import School

if TYPE_CHECKING:
    from onlinesafety.schools.middleware import SchoolRequest


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    right: Right = any_member

    def visible_to(self, user: Person, school: School) -> bool:
        return self.right(user, school)


NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Pupils", "schools:pupil_list", school_rights.can_see_pupils),
    NavItem("My children", "schools:my_children", school_rights.is_parent),
    NavItem("People", "schools:member_list", school_rights.can_see_people),
]


# Links shown on a record's page (a pupil, an incident ...); each takes the record's id.
OBJECT_LINKS: dict[str, list[NavItem]] = {}


def register(*items: NavItem) -> None:
    """Domain apps add their menu entries from AppConfig.ready(); the kernel never imports them."""
    NAV_ITEMS.extend(item for item in items if item not in NAV_ITEMS)


def register_object_link(kind: str, *items: NavItem) -> None:
    links = OBJECT_LINKS.setdefault(kind, [])
    links.extend(item for item in items if item not in links)


def object_links_for(kind: str, user: Person, school: School, object_id: int) -> list[dict[str, str]]:
    return [{"label": item.label, "url": reverse(item.url_name, args=[object_id])}
            for item in OBJECT_LINKS.get(kind, []) if item.visible_to(user, school)]


# Reminders shown at the top of every page (e.g. "sign the staff agreement"). Each provider takes the request
# and returns a list of Notice; apps register them from AppConfig.ready().
@dataclass(frozen=True)
class Notice:
    message: str
    url: str
    link_label: str


NoticeProvider = Callable[..., list[Notice]]
NOTICE_PROVIDERS: list[NoticeProvider] = []


def register_notice(provider: NoticeProvider) -> None:
    if provider not in NOTICE_PROVIDERS:
        NOTICE_PROVIDERS.append(provider)


def notices_for(request: "SchoolRequest") -> list[Notice]:
    if not request.user.is_authenticated or getattr(request, "school", None) is None:
        return []
    return [notice for provider in NOTICE_PROVIDERS for notice in provider(request)]


def nav_for(request: "SchoolRequest") -> list[dict[str, object]]:
    school = getattr(request, "school", None)
    if not request.user.is_authenticated or school is None:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"label": item.label, "url": reverse(item.url_name), "active": item.url_name == current}
        for item in NAV_ITEMS
        if item.visible_to(request.user, school)
    ]
