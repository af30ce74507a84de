"""A DSL sets up an authenticator app at their first sign-in (the test is the phone: it computes the code) and
signs in with it next time; at desktop and phone width, with the keyboard for the code."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from tests.browser.conftest import new_page, type_authenticator_code
from tests.factories import TEST_PASSWORD, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_it_guides_a_dsl_through_an_authenticator_app_and_signs_in_with_it(browser, live_server, oakfield,
                                                                           viewport):
    dsl = member_of(oakfield, Role.DSL, email="dsl@browser.example")
    context, page = new_page(browser, viewport=viewport)
    password_step(page, live_server, dsl.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
    page.goto(f"{live_server.url}/incidents/triage/")  # no case before the second factor
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.get_by_role("link", name="Set up an authenticator app").click()
    page.get_by_label("Password").fill(TEST_PASSWORD)  # allauth confirms it is them first
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")  # the keyboard way
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    if viewport["width"] < 500:  # (the safeguarding team's menu overflows at laptop width: issue 18)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    secret = page.get_by_label("Setup key").input_value()
    page.get_by_label("Authenticator code").focus()
    page.keyboard.type(pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery")
    page.goto(f"{live_server.url}/incidents/triage/")
    expect(page).to_have_url(re.compile(r"/incidents/triage/"))
    context.close()

    context, page = new_page(browser, viewport=viewport)
    password_step(page, live_server, dsl.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor")
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_contain_text("That code is not right")
    type_authenticator_code(page, dsl, secret)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    context.close()


def test_it_adds_a_passkey_and_signs_in_with_it(browser, live_server, oakfield, settings):
    """Chromium's virtual authenticator stands for the device's passkey (over http://localhost, which WebAuthn
    treats as secure in the browser; the server allows its origin here as in development)."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    deputy = member_of(oakfield, Role.DEPUTY_DSL, email="deputy@browser.example")
    context, page = new_page(browser, viewport={"width": 1366, "height": 768})
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    password_step(page, live_server, deputy.email)
    page.get_by_role("link", name="Add a passkey or security key").click()
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    # The Add button works through allauth's script, bound when the page has loaded: a click before then would
    # send the form without a credential (as a slow CI machine once did).
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add Security Key")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery", timeout=15_000)
    page.goto(f"{live_server.url}/incidents/triage/")
    expect(page).to_have_url(re.compile(r"/incidents/triage/"))

    page.get_by_role("button", name="Signed in as").click()
    page.get_by_role("button", name="Sign out").click()
    password_step(page, live_server, deputy.email)
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    context.close()
