"""Setting a school up in the browser, at desktop and phone width: the site administrator creates a school and
enters its terms with a half term; a trust administrator follows the set-up of the trust's schools."""

import datetime

import pytest
from playwright.sync_api import expect

from onlinesafety.schools.models import Organisation, OrganisationMembership, OrganisationRole, School, Term
from onlinesafety.schools.roles import Role
from tests.factories import TEST_PASSWORD, SchoolFactory, UserFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
WIDTHS = ["page", "phone"]  # the 1280px and 375px fixtures


@pytest.mark.parametrize("width", WIDTHS)
def test_the_site_administrator_creates_a_school_and_enters_its_terms(request, sign_in, width):
    page = request.getfixturevalue(width)
    UserFactory(email="operator@browser.example", is_staff=True)
    sign_in(page, "operator@browser.example", TEST_PASSWORD)
    page.get_by_role("link", name="Create a school").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Create a school")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")
    page.get_by_label("Name of the school").fill("Hill Top Academy")
    page.get_by_label("URN").fill("12345")  # one digit short
    page.get_by_role("textbox", name="Local authority").fill("Leeds")
    page.get_by_role("button", name="Create the school").click()

    # The error summary says what is wrong and takes the keyboard to each field.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Create a school")
    expect(summary.get_by_role("link", name="Choose the school's phase.")).to_be_visible()
    summary.get_by_role("link", name="Enter the URN as six digits, for example 123456.").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("URN")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("123456")
    page.get_by_label("Secondary").check()
    page.get_by_role("button", name="Create the school").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Hill Top Academy")
    school = School.objects.get(urn="123456")
    assert (school.phase, school.timezone, school.local_authority) == ("secondary", "Europe/London", "Leeds")
    checklist = page.locator(".setup-checklist")
    expect(checklist.locator("[data-item=terms]")).to_contain_text("No terms entered for")
    expect(checklist.locator("[data-item=policies]")).to_contain_text("8 of 8 policies not yet uploaded")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.get_by_role("link", name="Terms and half terms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms and half terms")
    page.get_by_label("Name").fill("Autumn 2026")
    page.get_by_label("First day of term").fill("2026-09-03")
    page.get_by_label("Last day of term").fill("2026-12-18")
    page.get_by_label("Half-term holiday: first day").fill("2026-12-21")  # after the term: refused
    page.get_by_label("Half-term holiday: last day").fill("2026-12-23")
    page.get_by_role("button", name="Save the term").click()
    expect(page.get_by_role("alert")).to_contain_text("The half-term holiday must fall inside the term")
    assert not Term.objects.exists()

    page.get_by_label("Half-term holiday: first day").fill("2026-10-26")
    page.get_by_label("Half-term holiday: last day").fill("2026-10-30")
    page.get_by_role("button", name="Save the term").click()
    expect(page.locator("main")).to_contain_text("Autumn 2026 is saved.")
    row = page.get_by_role("row").filter(has_text="Autumn 2026")
    expect(row).to_contain_text("Thu 3 Sep 2026")
    expect(row).to_contain_text("26 Oct to 30 Oct 2026")
    term = Term.objects.get(school=school)
    assert (term.half_term_starts_on, term.half_term_ends_on) == (datetime.date(2026, 10, 26),
                                                                  datetime.date(2026, 10, 30))
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_trust_administrator_sees_how_far_each_school_is_set_up(request, sign_in, width):
    page = request.getfixturevalue(width)
    trust = Organisation.objects.create(name="Oakfield Learning Trust", slug="olt", kind=Organisation.Kind.TRUST)
    ready = SchoolFactory(name="Oakfield Primary", slug="oak-b", organisation=trust)
    member_of(ready, Role.HEADTEACHER)
    member_of(ready, Role.DSL)
    SchoolFactory(name="Riverside Primary", slug="river-b", organisation=trust)
    SchoolFactory(name="Someone Else's School", slug="else-b")
    admin = UserFactory(email="trust@browser.example")
    OrganisationMembership.objects.create(user=admin, organisation=trust, role=OrganisationRole.ADMINISTRATOR)

    sign_in(page, "trust@browser.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Your trusts and local authorities")).to_be_visible()
    page.get_by_role("link", name="Oakfield Learning Trust").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Oakfield Learning Trust")
    table = page.locator("#organisation-schools")
    oakfield = table.locator("[data-school=oak-b]")
    expect(oakfield).to_contain_text("1 of 7 done")  # people beyond the head (a DSL) ... but no deputy
    expect(oakfield).to_contain_text("A named DSL and a deputy: No deputy DSL")
    expect(table.locator("[data-school=river-b]")).to_contain_text("0 of 7 done")
    expect(table).not_to_contain_text("Someone Else's School")
    expect(page.get_by_role("link", name="Create a school")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    oakfield.get_by_role("link", name="Oakfield Primary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up Oakfield Primary")
    expect(page.locator(".setup-checklist [data-item=dsl]")).to_contain_text("No deputy DSL")
    expect(page.get_by_role("link", name="Oakfield Learning Trust")).to_be_visible()  # the breadcrumb back
