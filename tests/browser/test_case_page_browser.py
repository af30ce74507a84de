"""The DSL's case page at laptop and phone width: the report before the panel that manages it, a level chosen (none
is chosen for them), and a case closed with its open action after the page asked."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.models import CaseAction, Level, Status
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible, new_page
from tests.factories import TEST_PASSWORD, member_of
from tests.incidents.helpers import incident_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# The page's own content, not the whole document: the top navigation's width at 1366 px is another part of issue 18.
CONTENT_FITS = ("[...document.querySelectorAll('main *')].every("
                "e => e.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)")


@pytest.mark.parametrize("width", WIDTHS)
def test_it_puts_the_report_first_sets_a_level_and_closes_with_the_open_action(width, browser, sign_in,
                                                                                live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@case.example")
    dsl = member_of(oakfield, Role.DSL, email=f"dsl-{width}@case.example")
    incident = services.report_incident(school=oakfield, reporter=teacher, **incident_fields(oakfield))
    services.add_action(incident=incident, actor=dsl, description="Speak to the parents", owner=dsl,
                        due_on=timezone.localdate())
    options = {"viewport": WIDTHS[width]}
    if width == "phone":
        options.update(is_mobile=True, has_touch=True)
    context, page = new_page(browser, **options)

    sign_in(page, dsl.email, TEST_PASSWORD)
    page.goto(live_server.url + reverse("incidents:case", args=[incident.pk]))
    report = page.locator("#case-report").bounding_box()
    manage = page.locator("#manage").bounding_box()
    if width == "phone":  # stacked: the report, then the panel below it
        assert report["y"] + report["height"] <= manage["y"]
    else:  # side by side: the report on the left
        assert report["x"] + report["width"] <= manage["x"]
    assert page.evaluate(CONTENT_FITS)
    expect(page.locator("#case-level")).to_have_text("not set")
    level = page.locator("#manage #id_level-level")
    expect(level).to_have_value("")
    assert_accessible(page)

    level.select_option(label=Level.INAPPROPRIATE.label)
    page.get_by_role("button", name="Set level").click()
    expect(page.locator("#case-level")).to_have_text(Level.INAPPROPRIATE.label)

    page.locator("#id_close-outcome").select_option(label="Resolved internally")
    page.locator("#id_close-summary").fill("Spoke to both families.")
    page.get_by_label("Close the case with 6 checklist items unanswered").check()  # its cyberbullying checklist
    page.get_by_role("button", name="Close case").click()
    confirm = page.locator("#open-actions-confirm")
    expect(confirm).to_contain_text("Speak to the parents")
    expect(page.locator("#id_close-summary")).to_have_value("Spoke to both families.")  # kept
    incident.refresh_from_db()
    assert incident.status == Status.NEW
    assert_accessible(page)

    page.get_by_label("Close the case and its 1 open action").check()
    page.get_by_role("button", name="Close case").click()
    expect(page.locator("#case-status")).to_have_text("Closed")
    expect(page.locator("#actions")).to_contain_text(f"closed with the case {timezone.localdate():%-d %b %Y}")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert CaseAction.objects.get().done_by == dsl
    assert page.evaluate(CONTENT_FITS)
    assert_accessible(page)
    context.close()
