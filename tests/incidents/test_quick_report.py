"""The quick report: the required minimum (the two flowchart questions, when, who, what happened) is enough, the
date starts at now, no answer is preselected, and a report naming no pupil asks "no pupil involved?" once."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.forms import ReportForm
from incidents.models import CategoryCode, Incident, Location

pytestmark = pytest.mark.django_db

URL = reverse("incidents:report")


def minimum(pupil=None, **changes):
    data = {"immediate_risk": "no", "possibly_illegal": "no",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "description": "Unkind messages about a pupil in the class chat."}
    if pupil is not None:
        data["pupils"] = [pupil.pk]
        data[f"role_{pupil.pk}"] = "affected"  # each pupil's role is the reporter's to choose
    return {**data, **changes}


def test_it_saves_the_minimum_report_of_five_answers(client, oakfield, people, pupil):
    client.force_login(people.reporter)
    data = minimum(pupil)
    assert len(data) <= 6
    response = client.post(URL, data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incidents:submitted", args=[incident.pk])
    assert list(incident.pupils.all()) == [pupil]
    assert incident.category.code == CategoryCode.OTHER and incident.location == Location.NOT_KNOWN
    assert incident.device == "unknown" and incident.network == "unknown" and not incident.is_urgent


def test_it_starts_the_date_at_now_in_the_schools_time_zone(client, oakfield, people):
    client.force_login(people.reporter)
    before = timezone.localtime().replace(second=0, microsecond=0)
    page = client.get(URL).content.decode()
    shown = re.search(r'name="occurred_at" value="([^"]+)"', page).group(1)
    assert shown in {f"{before:%Y-%m-%dT%H:%M}", f"{before + timedelta(minutes=1):%Y-%m-%dT%H:%M}"}


def test_it_preselects_no_answer(client, oakfield, people):
    client.force_login(people.reporter)
    page = client.get(URL).content.decode()
    radios = re.findall(r'<input type="radio"[^>]*>', page)
    assert radios and not [radio for radio in radios if "checked" in radio]
    assert ReportForm.base_fields["immediate_risk"].initial is None
    assert ReportForm.base_fields["possibly_illegal"].initial is None


def test_it_asks_once_when_no_pupil_is_named_and_keeps_what_was_typed(client, oakfield, people):
    client.force_login(people.reporter)
    asked = client.post(URL, minimum(platform="Class chat"))
    page = asked.content.decode()
    assert asked.status_code == 200 and not Incident.objects.exists()
    assert "No pupil involved?" in page and 'name="no_pupil"' in page
    assert "Unkind messages about a pupil in the class chat." in page and 'value="Class chat"' in page
    confirmed = client.post(URL, minimum(platform="Class chat", no_pupil="on"))
    assert confirmed.status_code == 302
    incident = Incident.objects.get()
    assert incident.pupils.count() == 0 and incident.platform == "Class chat"


def test_it_never_asks_when_a_pupil_is_named(client, oakfield, people, pupil):
    client.force_login(people.reporter)
    page = client.get(URL).content.decode()
    assert 'name="no_pupil"' not in page
    assert client.post(URL, minimum(pupil)).status_code == 302


def test_it_says_what_to_do_about_each_empty_answer(client, oakfield, people):
    client.force_login(people.reporter)
    page = client.post(URL, {"occurred_at": ""}).content.decode()
    for message in ("Select whether a child is at immediate risk of harm", "Select whether this could be illegal",
                    "Enter the date and time it happened", "Describe what happened", "No pupil involved?"):
        assert message in page
    assert "This field is required" not in page
    assert 'id="error-summary"' in page and "js/form-errors.js" in page
    assert 'href="#id_immediate_risk_0"' in page and 'href="#id_description"' in page


def test_it_opens_more_detail_when_an_answer_there_is_wrong(client, oakfield, people, pupil):
    client.force_login(people.reporter)
    page = client.post(URL, minimum(pupil, url="javascript:alert(1)")).content.decode()
    assert re.search(r'<details[^>]*id="more-detail"[^>]*open', page)
    closed = client.post(URL, minimum(pupil, description="")).content.decode()
    assert not re.search(r'<details[^>]*id="more-detail"[^>]*open', closed)
