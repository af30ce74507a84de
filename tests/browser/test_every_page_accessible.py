"""Every page of every role, walked in a real browser at a laptop's width (1366x768) and a phone's (390x844): axe-core
finds no violation of any impact (WCAG 2.2 A and AA and its best practices), the page is no wider than the window,
and the account menu (or the menu toggler that hides it) is visible.

The pages come from the URLconf and the access matrix's rules (tests/access_matrix/rules.py), with the access
matrix's world (tests/access_matrix/world.py: every record a URL names, in the actors' own school): a page added
with its rule is walked without a line here. A page is walked when its rule lets the role GET it and the answer is
an HTML page (redirects, downloads and refusals are the access matrix's business). The main forms are walked again
after being sent empty, so their error states are checked too. Pages anyone may open (sign in, the public
policies, a family's signing link) are walked signed out.

To walk some pages only: WALK_PAGES=<a regular expression matched against the URL names>, e.g.
WALK_PAGES='^(incidents:triage|alerts)$' and -k dsl.

Every problem of a role is collected and reported in one assertion: one run shows them all.
"""

import datetime
import os
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from aup.middleware import SESSION_FLAG
from incidents import services as incident_services
from incidents.models import CategoryCode, Incident, IncidentCategory
from tests.access_matrix.actors import ANONYMOUS, EVERYONE, SITE_ADMIN, role_of
from tests.access_matrix.check import endpoints, quiet_request_logs
from tests.access_matrix.rules import Rule, rules_for
from tests.access_matrix.world import SchoolWorld, World, build_world
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# The roles walked, by the access matrix's actor names: DSL, deputy DSL, head, Online Safety Lead, a teacher (who
# reported the case), the technician, a governor and the chair, a parent, a visitor, the site administrator, and
# someone signed out.
ROLES = ["dsl", "deputy", "head", "osl", "reporter", "technician", "governor", "chair", "parent", "visitor",
         SITE_ADMIN, ANONYMOUS]

# Not the product's own pages: the Django admin (the site administrator's back office, Django's own templates) and
# the development mailbox (DEBUG only).
NOT_WALKED_PREFIXES = ("admin:", "mail:")

# A person's own account pages (password, second factor, where they are signed in) are one template for everyone:
# walked by the head (who has every kind of second factor, a passkey among them) and a teacher (who needs none).
ACCOUNT_PAGES = ("accounts:", "account_", "mfa_", "usersessions_")
ACCOUNT_PAGES_WALKED_BY = {"head", "reporter", ANONYMOUS}

# The main forms, sent empty (by whoever may send them) so their error summary and field errors are checked too.
SENT_EMPTY = {"incidents:report", "filtering:change_new", "filtering:check_new", "filtering:review_new",
              "policies:create", "people:add", "aup:campaign_new", "aup:add_restriction", "setup:school_new",
              "accounts:password_change", "aup:family_answer", "aup:sign_child", "setup:terms"}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    send_empty: bool


def _paths(world: World, name: str, rule: Rule) -> str:
    if rule.args is not None:
        return reverse(name, kwargs=rule.args(world.oak))
    if rule.site_args is not None:
        return reverse(name, kwargs=rule.site_args(world))
    return reverse(name)


def _public(rule: Rule) -> bool:
    return rule.get is not None and EVERYONE <= rule.get


def is_a_whole_page(response) -> bool:
    """An HTML page of its own: not a download, a redirect, or a fragment htmx swaps into a page (a report's
    progress), which is checked as part of the page it is swapped into."""
    html = response["Content-Type"].startswith("text/html")
    return response.status_code == 200 and html and response.content.lstrip()[:9].lower() == b"<!doctype"


def pages_of(world: World, actor: str, client: Client) -> list[Page]:
    """The HTML pages ``actor`` may open (in their own school), by the rules, each once."""
    found, _ = endpoints()
    pages: dict[str, Page] = {}
    for endpoint in found:
        if endpoint.name.startswith(NOT_WALKED_PREFIXES) or (
                endpoint.name.startswith(ACCOUNT_PAGES) and actor not in ACCOUNT_PAGES_WALKED_BY):
            continue
        for rule in rules_for(endpoint.name, endpoint.params) or ():
            # Signed-out pages are walked signed out; a signed-in role walks the pages that are theirs.
            if rule.get is None or role_of(actor) not in rule.get or (actor != ANONYMOUS and _public(rule)):
                continue
            path = _paths(world, endpoint.name, rule)
            if path in pages or not re.search(os.environ.get("WALK_PAGES", ""), endpoint.name):
                continue
            response = client.get(path)
            if is_a_whole_page(response):
                send_empty = endpoint.name in SENT_EMPTY and rule.post is not None and role_of(actor) in rule.post
                pages[path] = Page(endpoint.name, path, send_empty)
    return list(pages.values())


def django_client(world: World, actor: str) -> Client:
    client = Client(raise_request_exception=False)
    if actor != ANONYMOUS:
        client.force_login(world.people[actor])  # with both factors (tests/conftest.py)
        session = client.session
        session.pop(SESSION_FLAG, None)  # "agreements first" has had its turn
        session.save()
    return client


def account_menu_problem(page) -> str | None:
    """The account menu's button, or at a phone's width the toggler of the menu that holds it, is visible."""
    if page.url.rstrip("/").endswith("/accounts/login") or "Signed in as" not in page.content():
        return None  # signed out: no account menu
    controls = page.get_by_role("button", name=re.compile(r"^(Show menu|Signed in as)"))
    if any(controls.nth(index).is_visible() for index in range(controls.count())):
        return None
    return "neither the account menu's button nor 'Show menu' is visible"


# What sticks out past the window's right edge: the outermost such elements (whose parent does not), named as a
# selector, so the message says where to look.
STICKING_OUT = """() => {
    const edge = document.documentElement.clientWidth + 1;
    // A scrolling box clips what is inside it, except what is positioned against something outside it (the
    // visually hidden text of a button in a table that scrolls sideways, say).
    const clipped = element => {
        if (['absolute', 'fixed'].includes(getComputedStyle(element).position)) return false;
        for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== 'visible') return true;
        }
        return false;
    };
    const out = element => element.getBoundingClientRect().right > edge && !clipped(element);
    const name = element => element.tagName.toLowerCase() + (element.id ? `#${element.id}` : '')
        + [...element.classList].slice(0, 3).map(c => `.${c}`).join('');
    return [...document.body.querySelectorAll('*')]
        .filter(element => out(element) && !out(element.parentElement) && element.offsetParent !== null)
        .slice(0, 3).map(element => `${name(element.parentElement)} > ${name(element)}`);
}"""


def check_page(page, width: dict[str, int]) -> list[str]:
    page.set_viewport_size(width)
    problems = [f"axe {violation}" for violation in axe_violations(page)]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width["width"]:
        culprits = " | ".join(page.evaluate(STICKING_OUT))
        problems.append(f"horizontal overflow: the page is {scroll_width} px wide ({culprits})")
    if (menu := account_menu_problem(page)) is not None:
        problems.append(menu)
    return problems


def check_both_widths(page, name: str, path: str) -> list[str]:
    return [f"{name} {path} at {width['width']} px: {problem}"
            for width in (LAPTOP, PHONE) for problem in check_page(page, width)]


AFTER_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

LARGEST_MAIN_FORM = """() => {
    const forms = [...document.querySelectorAll('main form[method="post" i]')];
    return forms.sort((a, b) => b.elements.length - a.elements.length)[0] || null;
}"""


def send_empty(page) -> bool:
    """Send the largest form in the main content with nothing filled in (the browser's own checks off, as the
    server's must hold anyway). False if there was none."""
    form = page.evaluate_handle(LARGEST_MAIN_FORM)
    if form.as_element() is None:
        return False
    with page.expect_navigation():
        form.evaluate("form => { form.noValidate = true; form.requestSubmit(); }")
    page.wait_for_load_state()
    return True


def check_page_and_form(page, walked: Page) -> list[str]:
    failures = check_both_widths(page, walked.name, walked.path)
    if walked.send_empty:
        page.set_viewport_size(LAPTOP)
        # The page's media-query listeners run in a later frame: until then the parents' answer page still steps
        # one screen at a time and takes the submit as "Continue" (a race once seen on a loaded CI machine).
        page.evaluate(AFTER_TWO_FRAMES)
        if send_empty(page):
            failures += check_both_widths(page, f"{walked.name} (sent empty)", walked.path)
    return failures


def walk(browser, live_server, world: World, actor: str) -> tuple[list[str], int]:
    client = django_client(world, actor)
    with quiet_request_logs():
        pages = pages_of(world, actor, client)
    context = browser.new_context(viewport=LAPTOP)
    if session := client.cookies.get(settings.SESSION_COOKIE_NAME):
        context.add_cookies([{"name": session.key, "value": session.value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    failures = []
    try:
        for walked in pages:
            try:
                page.goto(f"{live_server.url}{walked.path}")
                failures += check_page_and_form(page, walked)
            except PlaywrightError as error:
                failures.append(f"{walked.name} {walked.path}: could not be checked: {error.message.splitlines()[0]}")
    finally:
        context.close()
    return failures, len(pages)


@pytest.fixture
def world(settings, fake_provider):
    settings.AUP_COPY_MINUTES = 24 * 60  # a signing link keeps showing the answer just given
    # In one transaction, as the access matrix builds it: the emails go out (and their bodies are cleared) once it
    # commits, after the world has read its tokens from them.
    with transaction.atomic():
        world = build_world()
        a_busier_week(world.oak)
        return world


def a_busier_week(school: SchoolWorld) -> None:
    """Beyond the matrix's one record of each kind, what a triage list and the alerts show on a real week: an urgent
    case, possibly illegal, not acknowledged for two days, with an action overdue; a pupil in three cases."""
    cast, pupil = school.cast, school.pupil
    category = IncidentCategory.objects.get(school=school.school, code=CategoryCode.CYBERBULLYING)
    for days_ago, urgent in ((2, True), (3, False), (4, False)):
        case = incident_services.report_incident(
            school=school.school, reporter=cast.reporter, pupils=[pupil], location="in_school", category=category,
            occurred_at=timezone.now() - datetime.timedelta(days=days_ago), description="Messages in a group chat.",
            immediate_risk=urgent, possibly_illegal="yes" if urgent else "not_sure")
        Incident.objects.filter(pk=case.pk).update(reported_at=timezone.now() - datetime.timedelta(days=days_ago))
        if urgent:
            incident_services.add_action(incident=case, actor=cast.dsl, description="Speak to the family",
                                         owner=cast.dsl, due_on=timezone.localdate() - datetime.timedelta(days=1))


@pytest.mark.parametrize("actor", ROLES)
def test_it_finds_every_page_of_the_role_accessible(actor, browser, live_server, world):
    failures, walked = walk(browser, live_server, world, actor)
    found_too_few = f"only {walked} pages found for {actor}: is the walk still reading the rules?"
    assert walked >= 3 or os.environ.get("WALK_PAGES"), found_too_few
    assert failures == [], f"{len(failures)} problems on {walked} pages of {actor}:\n" + "\n".join(failures)


# Each control the keyboard reaches: its outline (style, width) while focused, and for a text box, a select or a
# tick box its border's contrast against the page's white (WCAG's relative luminance).
FOCUSED_CONTROL = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const luminance = colour => {
        const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map(Number).map(c => c / 255)
            .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const bordered = element.matches('.form-control, .form-select, .form-check-input:not(:checked)');
    const id = element.id ? `#${element.id}` : '';
    return {name: `${element.tagName.toLowerCase()}${id} ${element.textContent.trim().slice(0, 30)}`,
            focused: element.matches(':focus'), outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            border: bordered ? 1.05 / (luminance(style.borderTopColor) + 0.05) : null};
}"""


def test_it_shows_a_focus_ring_on_every_control_and_borders_at_3_to_1(browser, live_server, world):
    client = django_client(world, "dsl")
    context = browser.new_context(viewport=LAPTOP)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": session.key, "value": session.value, "url": live_server.url}])
    page = context.new_page()
    problems, seen = [], 0
    try:
        page.goto(f"{live_server.url}{reverse('incidents:report')}")
        for _ in range(60):
            page.keyboard.press("Tab")
            page.wait_for_timeout(200)  # Bootstrap's border and shadow transitions (.15 s) end
            control = page.evaluate(FOCUSED_CONTROL)
            if control["name"].startswith("body"):
                break  # past the last control
            if not control["focused"]:
                continue  # in a control's own part the page does not style (a date's picker)
            seen += 1
            if control["outline"] == "none" or control["width"] < 3:
                problems.append(f"{control['name']}: outline {control['outline']} {control['width']} px")
            if control["border"] is not None and control["border"] < 3:
                problems.append(f"{control['name']}: border {control['border']:.1f}:1")
    finally:
        context.close()
    assert problems == [], f"of {seen} controls reached with Tab:\n" + "\n".join(problems)
