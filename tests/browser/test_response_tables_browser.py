"""The response tables at laptop and phone width: the DSL opens them from the menu, makes a cell of the proxy-sites row
required, saves a new version, records that behaviour on a case and sees the response there as required."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from incidents import services
from incidents.models import Behaviour, ResponseMatrix
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible, new_page
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, PupilFactory, member_of
from tests.incidents.helpers import incident_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PROXY = Behaviour.P_PROXY.label


@pytest.mark.parametrize("width", WIDTHS)
def test_it_lets_the_dsl_edit_a_cell_and_see_it_on_a_case(width, browser, sign_in, live_server, oakfield):
    teacher = member_of(oakfield, Role.STAFF, email=f"teacher-{width}@tables.example")
    dsl = member_of(oakfield, Role.DSL, email=f"dsl-{width}@tables.example")
    pupil = PupilFactory(school=oakfield, first_name="Pat", last_name="Proxy")
    incident = services.report_incident(school=oakfield, reporter=teacher, **incident_fields(oakfield),
                                        pupils=[pupil])
    options = {"viewport": WIDTHS[width]}
    if width == "phone":
        options.update(is_mobile=True, has_touch=True)
    context, page = new_page(browser, **options)

    sign_in(page, dsl.email, TEST_PASSWORD)
    go_to(page, "Response tables")
    expect(page.get_by_role("heading", name="Response tables", level=1)).to_be_visible()
    expect(page.locator("#tables-version")).to_contain_text("version 1")
    police = page.get_by_label(f"{PROXY}: Refer to the police", exact=True)
    expect(police).to_have_value("")
    assert_accessible(page)
    police.select_option(label="Required")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("#tables-version")).to_contain_text("version 2")
    assert ResponseMatrix.objects.filter(school=oakfield).count() == 2
    page.get_by_role("link", name="Version 1", exact=True).click()  # the old version is kept, to read
    expect(page.locator("#version-status")).to_contain_text("An earlier version")
    assert_accessible(page)

    page.goto(live_server.url + reverse("incidents:case", args=[incident.pk]))
    page.locator("#manage summary", has_text="Record behaviours").click()
    page.get_by_label(PROXY, exact=True).check()
    page.get_by_role("button", name="Save behaviours").click()
    behaviour = page.locator(f"#behaviour-{Behaviour.P_PROXY.value}")
    expect(behaviour).to_contain_text("From version 2 of the response tables.")
    expect(behaviour.locator("dd").first).to_contain_text("Refer to the police")  # the first: required
    expect(page.locator("label[for='response-refer_police']")).to_contain_text("Required")
    assert_accessible(page)
    context.close()
