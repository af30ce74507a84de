"""The flowchart's illegal branch in a browser, at laptop and phone width: a reporter who answers "not sure" sees at
once what to do (and sends the report all the same), and the DSL records the branch and sees its open steps shrink."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, Level
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible, new_page, sign_in_at
from tests.factories import TEST_PASSWORD, member_of
from tests.incidents.helpers import incident_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
STEPS = "It could be illegal: what to do now"


def open_page(browser, width):
    options = {"viewport": WIDTHS[width]}
    if width == "phone":
        options.update(is_mobile=True, has_touch=True)
    return new_page(browser, **options)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_shows_a_reporter_who_is_not_sure_the_illegal_steps_at_once(width, browser, live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@illegal.example")
    context, page = open_page(browser, width)
    sign_in_at(page, live_server.url, teacher.email, TEST_PASSWORD, next_path="/incidents/new/")
    steps = page.locator("#illegal-steps")
    expect(steps).to_be_hidden()
    question = page.get_by_role("group", name="Could this be illegal?")
    question.get_by_label("Not sure", exact=True).check()
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("Do not open, view, copy, forward, print or screenshot")
    expect(steps).to_contain_text("LADO")
    assert_accessible(page)
    evidence = page.locator("#evidence-box")
    expect(evidence).to_be_hidden()  # nothing is attached to a concern that could be illegal
    question.get_by_label("No", exact=True).check()
    expect(steps).to_be_hidden()
    page.locator("summary", has_text="Add more detail").click()
    expect(evidence).to_be_visible()
    question.get_by_label("Yes", exact=True).check()
    expect(steps).to_be_visible()
    expect(evidence).to_be_hidden()

    # Nothing is held back: the report goes with the steps shown.
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_label("What happened?").fill("A pupil says an adult online asked her for photos.")
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.locator("#illegal-steps")).to_be_visible()  # still shown on the form sent back
    page.get_by_label("No pupil is involved").check()
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    expect(page.get_by_role("heading", name=STEPS)).to_be_visible()
    assert Incident.objects.get().possibly_illegal == "yes"
    assert_accessible(page)
    context.close()


def open_count(page):
    return page.locator("#flowchart-checklist [data-done=no]").count()


@pytest.mark.parametrize("width", WIDTHS)
def test_it_lets_the_dsl_record_the_branch_and_shows_the_open_steps_shrink(width, browser, live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@branch.example")
    dsl = member_of(oakfield, Role.DSL, email=f"dsl-{width}@branch.example")
    osl = member_of(oakfield, Role.ONLINE_SAFETY_LEAD, email=f"osl-{width}@branch.example")
    incident = services.report_incident(school=oakfield, reporter=teacher,
                                        **incident_fields(oakfield, possibly_illegal="not_sure"))
    context, page = open_page(browser, width)
    sign_in_at(page, live_server.url, dsl.email, TEST_PASSWORD,
               next_path=reverse("incidents:case", args=[incident.pk]))
    expect(page.locator("#possibly-illegal-badge")).to_be_visible()
    assert open_count(page) == 4  # the branch, evidence, device, meeting: the agencies come with the branch
    assert_accessible(page)

    page.locator("#manage #id_level-level").select_option(label=Level.ILLEGAL_NO_RISK.label)
    page.get_by_role("button", name="Set level").click()
    expect(page.locator("#case-level")).to_have_text(Level.ILLEGAL_NO_RISK.label)
    assert open_count(page) == 6  # evidence, device, meeting, police (101), CEOP, the IWF

    page.get_by_label("How was the evidence preserved?").fill("Web address written down; nothing copied")
    page.get_by_label("Where is it kept?").fill("The case file")
    page.get_by_label("Who preserved it?").select_option(label=osl.full_name)
    page.get_by_role("button", name="Save evidence").click()
    expect(page.locator("#steps-open-count")).to_contain_text("5 steps still open")

    device = page.locator("#branch-device")
    device.get_by_label("No", exact=True).check()
    device.get_by_role("button", name="Save device").click()  # no reason: refused, and said why
    expect(page.locator("#error-summary")).to_contain_text("Say why the device was not secured")
    assert_accessible(page)
    page.locator("#branch-device").get_by_label("If not, why not?").fill("Seen on a public website")
    page.locator("#branch-device").get_by_role("button", name="Save device").click()
    expect(page.locator("#steps-open-count")).to_contain_text("4 steps still open")

    agency = page.locator("#branch-agency")
    agency.get_by_label("Agency not contacted").select_option(label="Internet Watch Foundation")
    agency.get_by_label("Why not?").fill("No images were involved")
    agency.get_by_role("button", name="Save").click()
    expect(page.locator("#steps-open-count")).to_contain_text("3 steps still open")
    expect(page.locator("[data-step=agency-iwf]")).to_contain_text("not contacted: No images were involved")
    assert_accessible(page)
    context.close()
