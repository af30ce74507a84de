"""In a browser, at desktop and phone width: a member of staff signs in with Microsoft (the fake provider standing in
for Entra ID) and lands on their home page; and from the sign-in page, by their work address."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from onlinesafety.sso import services
from onlinesafety.sso.models import IdentityProvider
from tests.factories import member_of
from tests.sso.helpers import DOMAIN, MICROSOFT_CLIENT, SECRET, TENANT, microsoft_identity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def microsoft(fake_provider, oakfield):
    head = member_of(oakfield, Role.HEADTEACHER, email=f"head@{DOMAIN}")
    fake_provider.register_client(MICROSOFT_CLIENT, SECRET)
    return services.save_identity_provider(
        actor=head, owner=oakfield, kind=IdentityProvider.Kind.MICROSOFT, client_id=MICROSOFT_CLIENT,
        client_secret=SECRET, tenant_id=TENANT, domains=[DOMAIN], enforces_mfa=False, enabled=True)


@pytest.mark.parametrize("width", ["page", "phone"])
def test_it_signs_in_with_microsoft_and_lands_on_the_home_page(request, live_server, fake_provider, microsoft,
                                                              oakfield, width):
    screen = request.getfixturevalue(width)
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher.{width}@{DOMAIN}")  # (a DSL would set up a factor)
    fake_provider.sign_in_as(**microsoft_identity(teacher.email))
    screen.goto(f"{live_server.url}/accounts/sso/{oakfield.slug}/")
    expect(screen.get_by_role("heading", level=1)).to_have_text(f"Sign in to {oakfield.name}")
    assert screen.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screen.get_by_role("button", name="Sign in with Microsoft").click()
    expect(screen.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(screen.locator("main")).to_contain_text(oakfield.name)
    assert screen.url == f"{live_server.url}/"


def test_it_signs_in_from_the_sign_in_page_by_the_work_address_with_the_keyboard(page, live_server, fake_provider,
                                                                                  microsoft, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher@{DOMAIN}")
    fake_provider.sign_in_as(**microsoft_identity(teacher.email))
    page.goto(f"{live_server.url}{resolve_url(settings.LOGIN_URL)}")
    page.get_by_role("link", name="Sign in with Microsoft or Google").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Your work email address").fill(teacher.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert fake_provider.authorize_requests[-1]["login_hint"] == teacher.email
