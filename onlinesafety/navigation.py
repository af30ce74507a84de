"""The menu, the links on a record's page, and the notices at the top of every page.

Each entry carries the right of the page it opens (a predicate from the app's ``rights.py``), so a person is
only ever shown what they can open. Domain apps add their entries from ``AppConfig.ready()``; the kernel never
imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.urls import reverse

from onlinesafety.access import Right, any_member
from onlinesafety.accounts.models import Person, User
from onlinesafety.schools import rights as school_rights
from onlinesafety.schools.models import School

if TYPE_CHECKING:
    from onlinesafety.schools.middleware import SchoolRequest


# The top-level menus, in the order the bar shows them: a menu is named for a task, never for an app. At most six;
# an app says which one each of its entries goes in (``NavItem.menu``).
SAFEGUARDING = "Safeguarding"
AGREEMENTS = "Agreements"
POLICIES = "Policies and compliance"
FILTERING = "Filtering"
REPORTS = "Reports"
SCHOOL = "School"
MENUS = (SAFEGUARDING, AGREEMENTS, POLICIES, FILTERING, REPORTS, SCHOOL)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    right: Right = any_member
    menu: str = SCHOOL

    def __post_init__(self) -> None:
        if self.menu not in MENUS:
            raise ValueError(f"{self.label!r} names a menu the bar does not have: {self.menu!r}.")

    def visible_to(self, user: Person, school: School) -> bool:
        return self.right(user, school)


NAV_ITEMS = [
    NavItem("Pupils", "schools:pupil_list", school_rights.can_see_pupils, SCHOOL),
    NavItem("My children", "schools:my_children", school_rights.is_parent, SCHOOL),
    NavItem("People", "schools:member_list", school_rights.can_see_people, SCHOOL),
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


class MenuEntry(TypedDict):
    label: str
    url: str
    active: bool  # the page shown


class Menu(TypedDict):
    label: str
    key: str  # for the element ids
    items: list[MenuEntry]
    active: bool  # the page shown is one of its entries, or in the same part of the site as one


def _section(url_name: str) -> str:
    return url_name.partition(":")[0]


def _current_menu(menus: list[tuple[str, list[NavItem]]], current: str) -> str:
    for name, items in menus:
        if any(item.url_name == current for item in items):
            return name
    for name, items in menus:  # a page with no entry of its own (a case, a policy): the menu of its part of the site
        if any(_section(item.url_name) == _section(current) for item in items):
            return name
    return ""


def menus_for(request: "SchoolRequest") -> list[Menu]:
    """The bar's menus for this person, in ``MENUS`` order: each with only the entries they can open, and a menu
    with none is left out."""
    school = getattr(request, "school", None)
    if not request.user.is_authenticated or school is None:
        return []
    current = request.resolver_match.view_name if request.resolver_match else ""
    visible = [item for item in NAV_ITEMS if item.visible_to(request.user, school)]
    grouped = [(name, [item for item in visible if item.menu == name]) for name in MENUS]
    grouped = [(name, items) for name, items in grouped if items]
    active = _current_menu(grouped, current)
    return [
        Menu(label=name, key=name.split()[0].lower(), active=name == active,
             items=[MenuEntry(label=item.label, url=reverse(item.url_name), active=item.url_name == current)
                    for item in items])
        for name, items in grouped
    ]


# ---------------------------------------------------------------- the home page's worklist
# Each role's home is a list of what waits for that person: panels that apps register from AppConfig.ready(), each
# provider with the right of the people it is for. A provider reads through its app's selectors (scoped to the
# school and the person) in a fixed number of queries, and returns panels; a panel with nothing in it is not shown.
@dataclass(frozen=True)
class PanelLink:
    label: str  # names the record by its reference, never a person
    url: str
    detail: str = ""


@dataclass(frozen=True)
class HomePanel:
    title: str
    count: int
    links: tuple[PanelLink, ...] = ()
    more_url: str = ""  # the full list, when there are more than the links show
    more_label: str = ""
    urgent: bool = False


PanelProvider = Callable[[User, School], list[HomePanel]]


@dataclass(frozen=True)
class PanelSource:
    provider: PanelProvider
    right: Right
    order: int  # lower first: the safeguarding panels come before the rest


PANEL_SOURCES: list[PanelSource] = []
# The few things a role does most, as buttons at the top of its home ("Report a concern").
HOME_ACTIONS: list[NavItem] = []
# How many records a panel links to; the rest are behind its "see all" link.
PANEL_LINKS = 5


def register_home_panels(provider: PanelProvider, right: Right, order: int = 50) -> None:
    if all(source.provider is not provider for source in PANEL_SOURCES):
        PANEL_SOURCES.append(PanelSource(provider, right, order))
        PANEL_SOURCES.sort(key=lambda source: source.order)


def register_home_action(*items: NavItem) -> None:
    HOME_ACTIONS.extend(item for item in items if item not in HOME_ACTIONS)


def home_panels_for(user: User, school: School) -> list[HomePanel]:
    """The panels with something waiting for ``user`` in ``school``, in order."""
    return [panel for source in PANEL_SOURCES if source.right(user, school)
            for panel in source.provider(user, school) if panel.count]


def home_actions_for(user: Person, school: School) -> list[MenuEntry]:
    return [MenuEntry(label=item.label, url=reverse(item.url_name), active=False)
            for item in HOME_ACTIONS if item.visible_to(user, school)]
