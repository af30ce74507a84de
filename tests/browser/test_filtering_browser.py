import pytest
from django.utils import timezone
from playwright.sync_api import expect

from filtering.models import ChangeRequest
from onlinesafety.schools.roles import Role
from tests.factories import TEST_PASSWORD, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_teacher_ask_the_dsl_approve_and_the_technician_make_a_change(browser, page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="teacher3@browser.example")
    member_of(oakfield, Role.DSL, email="dsl3@browser.example")
    member_of(oakfield, Role.TECHNICIAN, email="tech3@browser.example")
    today = timezone.localdate()

    sign_in(page, "teacher3@browser.example", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Filtering").click()
    page.get_by_role("link", name="Ask for a change").click()
    page.get_by_label("Unblock").check()
    page.get_by_label("What to change").select_option(label="A whole website (domain)")
    page.get_by_label("Web address, website or category").fill("www.racismnomore.example")
    page.get_by_label("For whom").select_option(label="Pupils: KS2")
    page.get_by_label("Educational reason").fill("Year 6 citizenship: how campaigns challenge racism")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("Until").fill((today + timezone.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("main")).to_contain_text("Awaiting approval")
    change = ChangeRequest.objects.get()

    dsl = browser.new_context().new_page()
    sign_in(dsl, "dsl3@browser.example", TEST_PASSWORD)
    dsl.goto(page.url)
    dsl.get_by_label("Educational benefit").fill("Campaign material chosen by the teacher")
    dsl.get_by_label("Risks").fill("Comments may contain hateful language")
    dsl.get_by_label("Supervision in place").fill("Teacher-led on the class screen")
    dsl.get_by_role("button", name="Approve").click()
    expect(dsl.locator("main")).to_contain_text("The technician has been asked to make the change")

    tech = browser.new_context().new_page()
    sign_in(tech, "tech3@browser.example", TEST_PASSWORD)
    tech.goto(page.url)
    tech.get_by_label("The filtering provider's reference").fill("SW-4411")
    tech.get_by_role("button", name="Mark as done").click()
    expect(tech.locator("main")).to_contain_text("In place")
    change.refresh_from_db()
    assert (change.status, change.provider_reference) == (ChangeRequest.Status.ACTIVE, "SW-4411")
