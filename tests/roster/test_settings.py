"""The school's roster settings: the DfE number a file is checked against, and its id at the MIS data provider."""

import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster.models import RosterSettings

pytestmark = pytest.mark.django_db


def test_it_saves_the_settings_and_audits_them(client, oakfield, head):
    client.force_login(head)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "873/2345", "provider_school_id": "A1930499544",
                                 "api_staff_role": "staff"})
    assert response.status_code == 302
    saved = RosterSettings.objects.get(school=oakfield)
    assert (saved.dfe_number, saved.provider_school_id, saved.api_staff_role) == ("8732345", "A1930499544", "staff")
    event = AuditEvent.objects.get(verb="roster.settings_changed")
    assert event.detail == {"dfe_number": True, "provider": True}


def test_it_shows_each_mistake_in_an_error_summary_and_saves_nothing(client, oakfield, head):
    client.force_login(head)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "12", "provider_school_id": "not an id!",
                                 "api_staff_role": "headteacher"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert 'href="#id_dfe_number">A DfE number is seven digits' in page
    assert 'href="#id_provider_school_id">' in page and 'href="#id_api_staff_role">' in page
    assert not RosterSettings.objects.exists()
