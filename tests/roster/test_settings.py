"""The school's roster settings: the DfE number a file is checked against, and its id at the MIS data provider
(set by the site administrator alone, once Wonde's record of that id carries the school's URN)."""

import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster.models import RosterSettings
from tests.roster.fake_wonde import SCHOOL_ID, FakeWonde

pytestmark = pytest.mark.django_db


def test_it_saves_the_settings_and_audits_them(client, oakfield, head, site_admin, wonde):
    client.force_login(head)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "873/2345", "api_staff_role": "staff"})
    assert response.status_code == 302
    saved = RosterSettings.objects.get(school=oakfield)
    assert (saved.dfe_number, saved.provider_school_id, saved.api_staff_role) == ("8732345", "", "staff")
    assert AuditEvent.objects.get(verb="roster.settings_changed").detail == {
        "dfe_number": True, "provider": False, "provider_changed": False}

    client.force_login(site_admin)  # only the site administrator connects the school to Wonde
    response = client.post(url, {"dfe_number": "873/2345", "provider_school_id": SCHOOL_ID,
                                 "api_staff_role": "staff"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.provider_school_id == SCHOOL_ID
    assert FakeWonde.requests[0][0] == f"/v1.0/schools/{SCHOOL_ID}"  # Wonde's record of the school was read first
    assert AuditEvent.objects.filter(verb="roster.settings_changed").latest("pk").detail == {
        "dfe_number": True, "provider": True, "provider_changed": True}


def test_it_shows_each_mistake_in_an_error_summary_and_saves_nothing(client, oakfield, site_admin, wonde):
    client.force_login(site_admin)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "12", "provider_school_id": "not an id!",
                                 "api_staff_role": "headteacher"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert 'href="#id_dfe_number">A DfE number is seven digits' in page
    assert 'href="#id_provider_school_id">' in page and 'href="#id_api_staff_role">' in page
    assert not RosterSettings.objects.exists()


def test_it_never_takes_the_wonde_id_from_a_headteacher(client, oakfield, head, wonde):
    client.force_login(head)
    client.post(reverse("roster:settings", args=[oakfield.slug]),
                {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert not RosterSettings.objects.filter(provider_school_id=SCHOOL_ID).exists()
    assert FakeWonde.requests == []


def test_it_refuses_a_wonde_id_whose_school_has_another_urn_and_saves_nothing(client, oakfield, site_admin, wonde):
    FakeWonde.school = {**FakeWonde.school, "urn": 123456}
    client.force_login(site_admin)
    response = client.post(reverse("roster:settings", args=[oakfield.slug]),
                           {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert response.status_code == 400
    assert "is not this school" in response.content.decode()
    assert not RosterSettings.objects.filter(provider_school_id=SCHOOL_ID).exists()


def test_it_refuses_a_wonde_id_another_school_has_already(client, oakfield, riverside, site_admin, wonde):
    RosterSettings.objects.create(school=riverside, provider_school_id=SCHOOL_ID)
    client.force_login(site_admin)
    response = client.post(reverse("roster:settings", args=[oakfield.slug]),
                           {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert response.status_code == 400 and "already another school" in response.content.decode()
    assert not RosterSettings.objects.filter(school=oakfield, provider_school_id=SCHOOL_ID).exists()
    assert FakeWonde.requests == []  # refused before Wonde is asked
