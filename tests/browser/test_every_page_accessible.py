"""Every page of every role, walked in a real browser at a laptop's width (1366x768) and a phone's (390x844): axe-core
finds no violation of any impact (WCAG 2.2 A and AA and its best practices), the page is no wider than the window,
and the account menu (or the menu toggler that hides it) is visible.

The pages come from the URLconf and the access matrix's rules (tests/access_matrix/rules.py), with the access
matrix's world (tests/access_matrix/world.py: every record a URL names, in the actors' own school): a page added
with its rule is walked without a line here. A page is walked when its rule lets the role GET it and the answer is
an HTML page (redirects, downloads and refusals are the access matrix's business). The main forms are walked again
after being sent empty, so their error states are checked too. Pages anyone may open (sign in, the public
policies, a family's signing link) are walked signed out.

Every problem of a role is collected and reported in one assertion: one run shows them all.
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from aup.middleware import SESSION_FLAG
from tests.access_matrix.actors import ANONYMOUS, EVERYONE, SITE_ADMIN, role_of
from tests.access_matrix.check import endpoints, quiet_request_logs
from tests.access_matrix.rules import Rule, rules_for
from tests.access_matrix.world import World, build_world
from tests.browser.conftest import assert_accessible, axe_violations

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
        if endpoint.name.startswith(NOT_WALKED_PREFIXES):
            continue
        for rule in rules_for(endpoint.name, endpoint.params) or ():
            # Signed-out pages are walked signed out; a signed-in role walks the pages that are theirs.
            if rule.get is None or role_of(actor) not in rule.get or (actor != ANONYMOUS and _public(rule)):
                continue
            path = _paths(world, endpoint.name, rule)
            if path in pages:
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


def check_page(page, width: dict[str, int]) -> list[str]:
    page.set_viewport_size(width)
    problems = [f"axe {violation}" for violation in axe_violations(page)]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width["width"]:
        problems.append(f"horizontal overflow: the page is {scroll_width} px wide")
    if (menu := account_menu_problem(page)) is not None:
        problems.append(menu)
    return problems


def check_both_widths(page, name: str, path: str) -> list[str]:
    return [f"{name} {path} at {width['width']} px: {problem}"
            for width in (LAPTOP, PHONE) for problem in check_page(page, width)]


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
        return build_world()


@pytest.mark.parametrize("actor", ROLES)
def test_it_finds_every_page_of_the_role_accessible(actor, browser, live_server, world):
    failures, walked = walk(browser, live_server, world, actor)
    assert walked >= 3, f"only {walked} pages found for {actor}: is the walk still reading the rules?"
    assert failures == [], f"{len(failures)} problems on {walked} pages of {actor}:\n" + "\n".join(failures)
