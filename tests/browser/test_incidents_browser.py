import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from onlinesafety.schools.roles import Role
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_teacher_report_and_the_dsl_acknowledge(browser, page, sign_in, live_server, oakfield):
    member_of(oakfield, Role.STAFF, email="teacher@browser.example")
    member_of(oakfield, Role.DSL, email="dsl@browser.example")
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")

    sign_in(page, "teacher@browser.example", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report a concern").click()
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("When did it happen?").fill("2026-01-15T10:30")
    page.get_by_label("In school").check()
    page.get_by_label("What kind of concern is it?").select_option(label="Cyberbullying")
    page.get_by_label("What happened?").fill("Said \"they keep posting about me\" after lunch.")
    page.get_by_label("Find a pupil by name").fill("ferns")
    page.get_by_label("Maisie Fernsby (Year 4").check()
    expect(page.locator("#chosen-pupils")).to_contain_text("Maisie Fernsby")
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")

    incident = Incident.objects.get()
    assert list(incident.pupils.values_list("first_name", flat=True)) == ["Maisie"]

    dsl_page = browser.new_context().new_page()
    sign_in(dsl_page, "dsl@browser.example", TEST_PASSWORD)
    dsl_page.get_by_role("navigation", name="Main").get_by_role("link", name="Triage").click()
    row = dsl_page.locator("#triage-table tbody tr", has_text=incident.reference)
    expect(row).to_contain_text("Maisie Fernsby")
    row.get_by_role("button", name="Acknowledge").click()
    expect(dsl_page.locator("#triage-table")).not_to_contain_text(incident.reference)
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None


def test_it_warns_at_once_and_hides_uploads_for_image_abuse_on_the_form(page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="staff2@browser.example")
    sign_in(page, "staff2@browser.example", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report a concern").click()
    warning = page.locator("#risk-warning")
    expect(warning).to_be_hidden()
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("Yes").check()
    expect(warning).to_be_visible()
    expect(page.get_by_label("Evidence (screenshots or documents)")).to_be_visible()
    page.get_by_label("What kind of concern is it?").select_option(label="Indecent images of children")
    expect(page.locator("#evidence-rules")).to_be_visible()
    expect(page.get_by_label("Evidence (screenshots or documents)")).to_be_hidden()
