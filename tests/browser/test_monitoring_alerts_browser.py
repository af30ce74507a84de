"""The DSL opens the monitoring alerts inbox, picks the high-risk alert and turns it into a case, at desktop and phone
width."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from incidents.services import set_up_school_defaults
from monitoring import services
from monitoring.models import AlertStatus, MonitoringAlert
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_lets_the_dsl_turn_an_alert_into_a_case(device, request, sign_in, oakfield):
    page = request.getfixturevalue(device)
    set_up_school_defaults(school=oakfield)
    member_of(oakfield, Role.DSL, email="dsl-monitoring@browser.example")
    PupilFactory(school=oakfield, first_name="Maya", last_name="Okafor", mis_id="M-771")
    now = timezone.now()
    services.receive_alerts(school=oakfield, payloads=[
        {"time": (now - timezone.timedelta(minutes=40)).isoformat(), "provider_reference": "SW-1", "user": "m771",
         "pupil_identifier": "M-771", "category": "Self-harm", "risk_level": "high",
         "captured_text": "searched: ways to disappear", "provider": "Smoothwall Monitor"},
        {"time": (now - timezone.timedelta(minutes=20)).isoformat(), "provider_reference": "SW-2",
         "device": "LIB-PC-04", "category": "Gaming", "risk_level": "low", "captured_text": "typed: gg"},
    ])

    sign_in(page, "dsl-monitoring@browser.example", TEST_PASSWORD)
    go_to(page, "Monitoring alerts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring alerts")
    expect(page.locator("main")).to_contain_text("1 high risk")
    expect(page.locator("#alert-table")).to_contain_text("Not matched")
    assert_accessible(page)

    page.get_by_label("Risk").select_option(label="High")
    page.get_by_role("button", name="Show these alerts").click()
    expect(page.locator("#alert-table tbody tr")).to_have_count(1)
    page.locator("#alert-table tbody a").first.click()
    expect(page.locator("main")).to_contain_text("searched: ways to disappear")
    expect(page.locator("main")).to_contain_text("Maya Okafor")
    assert_accessible(page)

    page.get_by_role("button", name="Open a case from this alert").click()
    expect(page.locator("main")).to_contain_text("A case was opened from the alert")
    incident = Incident.objects.get(school=oakfield)
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    assert MonitoringAlert.objects.get(provider_reference="SW-1").status == AlertStatus.CASE_OPENED
    assert list(incident.pupils.values_list("first_name", flat=True)) == ["Maya"]
    assert_accessible(page)
