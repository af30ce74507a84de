import pytest
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, MembershipFactory, ParentLinkFactory, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_through_the_login_page_and_lands_on_the_role_home(page, sign_in, oakfield):
    member_of(oakfield, Role.DSL, email="dsl@browser.example")
    sign_in(page, "dsl@browser.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("main")).to_contain_text("reaches you and your deputies first")
    expect(page.locator("main")).to_contain_text(oakfield.name)
    page.get_by_role("button", name="Signed in as").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_it_shows_a_clear_error_for_a_wrong_password(page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="staff@browser.example")
    sign_in(page, "staff@browser.example", "wrong-password")
    expect(page.locator("#error-summary")).to_contain_text("do not match an account")


def test_it_lets_a_parent_see_their_children_on_a_phone(phone, sign_in, oakfield):
    parent = member_of(oakfield, Role.PARENT, email="parent@browser.example")
    ParentLinkFactory(parent=parent, pupil=PupilFactory(school=oakfield, first_name="Ada", last_name="Byron"))
    sign_in(phone, "parent@browser.example", TEST_PASSWORD)
    expect(phone.locator("main")).to_contain_text("Ada Byron")
    # At phone width the menu is folded behind a button.
    menu_link = phone.get_by_role("navigation", name="Main").get_by_role("link", name="My children")
    expect(menu_link).to_be_hidden()
    phone.get_by_role("button", name="Show menu").click()
    menu_link.click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Your children")
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_it_offers_a_skip_link_to_keyboard_users(page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="keys@browser.example")
    sign_in(page, "keys@browser.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_it_switches_school_for_a_governor_of_two(page, sign_in, oakfield, riverside):
    governor = member_of(oakfield, Role.GOVERNOR, email="two@browser.example")
    MembershipFactory(user=governor, school=riverside, role=Role.GOVERNOR)
    sign_in(page, "two@browser.example", TEST_PASSWORD)
    expect(page.locator("main")).to_contain_text(oakfield.name)
    page.get_by_label("School").select_option(label=riverside.name)
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("main")).to_contain_text(riverside.name)


def test_it_finds_a_pupil_by_name(page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="finder@browser.example")
    PupilFactory(school=oakfield, first_name="Grace", last_name="Hopper")
    PupilFactory(school=oakfield, first_name="Alan", last_name="Turing")
    sign_in(page, "finder@browser.example", TEST_PASSWORD)
    go_to(page, "Pupils")
    page.get_by_label("Name").fill("hopp")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table")).to_contain_text("Hopper, Grace")
    expect(page.locator("table")).not_to_contain_text("Turing")
    page.get_by_role("link", name="Hopper, Grace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
