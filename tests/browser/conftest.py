"""Playwright driving Debian's Chromium (/usr/bin/chromium) against pytest-django's live server."""

import os
import time
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the test code's ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# What the browser refused under the Content-Security-Policy during the current test, and any Permissions-Policy
# feature it did not understand: either is a failure.
POLICY_PROBLEMS: list[str] = []


def record_policy_problem(message):
    refused = message.type == "error" and "Content Security Policy" in message.text
    if refused or "Error with Permissions-Policy header" in message.text:
        POLICY_PROBLEMS.append(f"{message.location.get('url', '')}: {message.text}")


class WatchedBrowser:
    """The Playwright browser, every context of which reports the policies' problems (above)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", record_policy_problem)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def no_policy_problems():
    POLICY_PROBLEMS.clear()
    yield
    assert POLICY_PROBLEMS == [], "the browser reported a Content-Security-Policy or Permissions-Policy problem"


def new_page(browser, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = new_page(browser, viewport={"width": 1280, "height": 800})
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = new_page(browser, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    yield page
    context.close()


# The authenticator app the sign-in helper gives each person whose role needs a second factor.
BROWSER_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_authenticator(email):
    """A person whose role needs a second factor and has none gets the helper's app, as if set up earlier."""
    from allauth.mfa.totp.internal.auth import TOTP

    from onlinesafety.accounts import mfa
    from onlinesafety.accounts.models import User

    user = User.objects.filter(email__iexact=email).first()
    if user is not None and mfa.second_factor_required(user) and not mfa.has_second_factor(user):
        TOTP.activate(user, BROWSER_TOTP_SECRET)
    return user


def type_authenticator_code(page, user, secret=BROWSER_TOTP_SECRET):
    import pyotp
    from django.core.cache import cache

    totp = pyotp.TOTP(secret)
    if totp.interval - time.time() % totp.interval < 2:  # a code typed as its 30 seconds end arrives too late
        time.sleep(totp.interval - time.time() % totp.interval + 0.1)
    code = totp.now()
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")  # a second sign-in in the same 30 seconds
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()


def set_up_authenticator_app(page, password):
    """From the "Set up a second factor" page: confirm the password, scan (read) the key, type the code. The
    secret the page showed."""
    import re

    import pyotp

    page.get_by_role("link", name="Set up an authenticator app").click()
    page.get_by_label("Password").fill(password)  # allauth confirms it is them first
    page.get_by_role("button", name=re.compile("Confirm")).click()
    secret = page.get_by_label("Setup key").input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on the authenticator app").click()
    return secret


def sign_in_at(page, base_url, email, password, next_path=""):
    """Sign in through the login page (and the second factor when the role needs one), going on to ``next_path``."""
    user = give_authenticator(email)
    page.goto(f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        type_authenticator_code(page, user)
        page.wait_for_load_state()


@pytest.fixture
def sign_in(live_server):
    def sign_in(page, email, password):
        sign_in_at(page, live_server.url, email, password)

    return sign_in


# axe-core, vendored (tests/browser/vendor, MPL-2.0): run in the page through the browser's debugging channel, so the
# site's Content-Security-Policy (no inline script) stays as it is.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
TRANSITIONS_ENDED = """() => Promise.race([
    Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null))),
    new Promise(done => setTimeout(done, 2000)),
])"""
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page):
    """What axe-core finds against WCAG 2.2 A and AA (and its best practices) on the page as it is now, any impact:
    one line per rule broken, with up to five of the elements that break it."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    # A colour part way through a CSS transition (a button's hover, just clicked) is not the colour anyone reads:
    # let running transitions and animations end first.
    page.evaluate(TRANSITIONS_ENDED)
    return page.evaluate(
        "async (rules) => (await axe.run(document, {runOnly: rules, resultTypes: ['violations']})).violations.map("
        "v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(' | ')}`)", AXE_RULES)


def assert_accessible(page):
    """axe-core finds no violation of WCAG 2.2 A and AA (and its best practices) on the page as it is now."""
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"
