"""A harm's procedure checklist in a browser, at laptop and phone width: the DSL answers the sharing-nudes checklist
on the case page with the keyboard alone, sees it count what is answered and warn while a risk has no referral, and
a data breach case shows its 72-hour deadline."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents import services
from incidents.models import CategoryCode, ChecklistAnswer
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible, new_page, sign_in_at
from tests.factories import TEST_PASSWORD, member_of
from tests.incidents.helpers import category, incident_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def open_page(browser, width):
    options = {"viewport": WIDTHS[width]}
    if width == "phone":
        options.update(is_mobile=True, has_touch=True)
    return new_page(browser, **options)


def choose_by_keyboard(page, question, answer):
    """Tab into the question's radios and pick ``answer`` with the arrow keys (Yes, No, Not applicable)."""
    group = page.get_by_role("group", name=question)
    first = group.get_by_label("Yes", exact=True)
    first.focus()
    page.keyboard.press("Space")
    for _ in range(["Yes", "No", "Not applicable"].index(answer)):
        page.keyboard.press("ArrowRight")
    expect(group.get_by_label(answer, exact=True)).to_be_checked()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_lets_the_dsl_answer_the_sharing_nudes_checklist(width, browser, live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@nudes.example")
    dsl = member_of(oakfield, Role.DSL, email=f"dsl-{width}@nudes.example")
    incident = services.report_incident(school=oakfield, reporter=teacher, **incident_fields(
        oakfield, category=category(oakfield, CategoryCode.YOUTH_IMAGERY)))
    context, page = open_page(browser, width)
    sign_in_at(page, live_server.url, dsl.email, TEST_PASSWORD,
               next_path=reverse("incidents:case", args=[incident.pk]))
    checklist = page.locator("#checklist-sharing_nudes")
    expect(checklist.locator("#checklist-sharing_nudes-progress")).to_contain_text("0 of 11 answered")
    assert_accessible(page)

    choose_by_keyboard(page, "Has the DSL held an initial review meeting with the staff involved?", "Yes")
    choose_by_keyboard(page, "Risk: is an adult involved, or thought to be?", "No")
    choose_by_keyboard(page, "Risk: was anyone pressured, coerced, blackmailed or groomed into it?", "Yes")
    # Images viewed: the note is needed. Sent without it, the error summary says so and takes the focus.
    choose_by_keyboard(page, "Have staff kept from viewing the images?", "No")
    save = checklist.get_by_role("button", name="Save answers")
    save.focus()
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(page)
    assert not ChecklistAnswer.objects.exists()

    # The answers sent are still chosen; the note is typed and the answers saved, again by keyboard.
    note = page.get_by_label("Who viewed them, why, and who agreed (the headteacher) (if the answer is no)")
    note.focus()
    page.keyboard.type("The headteacher agreed the DSL could check one image's age marker.")
    page.locator("#checklist-sharing_nudes").get_by_role("button", name="Save answers").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#checklist-sharing_nudes-progress")).to_contain_text("4 of 11 answered")
    warning = page.locator("#checklist-sharing_nudes-warning")
    expect(warning).to_contain_text("refer to the police or children's social care now")
    expect(page.locator("#checklist-sharing_nudes-open")).to_contain_text("Referred to the police")
    assert ChecklistAnswer.objects.filter(answered_by=dsl).count() == 4
    assert_accessible(page)

    # Referral recorded: the warning goes.
    choose_by_keyboard(page, "Referred to the police or children's social care?", "Yes")
    page.locator("#checklist-sharing_nudes").get_by_role("button", name="Save answers").click()
    expect(page.locator("#checklist-sharing_nudes-progress")).to_contain_text("5 of 11 answered")
    expect(page.locator("#checklist-sharing_nudes-warning")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_a_data_breach_deadline(width, browser, live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@breach.example")
    dsl = member_of(oakfield, Role.DSL, email=f"dsl-{width}@breach.example")
    incident = services.report_incident(school=oakfield, reporter=teacher, **incident_fields(
        oakfield, category=category(oakfield, CategoryCode.DATA_BREACH)))
    context, page = open_page(browser, width)
    sign_in_at(page, live_server.url, dsl.email, TEST_PASSWORD,
               next_path=reverse("incidents:case", args=[incident.pk]))
    deadline = page.locator("#checklist-data_breach-deadline")
    expect(deadline).to_contain_text("ICO decision due by")
    expect(deadline).to_contain_text("hours left")
    assert_accessible(page)
    context.close()
