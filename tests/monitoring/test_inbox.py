"""The inbox: the DSL team's alone, filtered by status and risk, paginated, in a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from monitoring import ingest, services
from monitoring.models import AlertStatus, Arrival, MonitoringAlert
from tests.factories import PupilFactory

from .conftest import alert_json

pytestmark = pytest.mark.django_db


def _alerts(school, count, start=0):
    zone = timezone.get_current_timezone()
    pupils = [PupilFactory(school=school, mis_id=f"P{start + n}") for n in range(3)]
    rows = [ingest.read_alert(services.webhook_fields(alert_json(
        f"R-{start + n}", risk_level=("low", "medium", "high")[n % 3],
        pupil_identifier=pupils[n % 3].mis_id if n % 4 else "", user="")), zone)
            for n in range(count)]
    ingest.save_alerts(school, rows, arrival=Arrival.UPLOAD)


def test_it_lists_alerts_in_a_fixed_number_of_queries(client, oakfield, people, django_assert_max_num_queries):
    client.force_login(people.dsl)
    _alerts(oakfield, 3)
    with django_assert_max_num_queries(14) as few:
        assert client.get(reverse("monitoring:inbox")).status_code == 200
    _alerts(oakfield, 60, start=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("monitoring:inbox"), {"status": "new"})
    assert len(response.context["page"].object_list) == 25


def test_it_filters_by_status_and_risk(client, oakfield, people):
    _alerts(oakfield, 9)
    MonitoringAlert.objects.filter(provider_reference="R-2").update(status=AlertStatus.DISMISSED)
    client.force_login(people.dsl)
    page = client.get(reverse("monitoring:inbox"), {"risk": "high"}).context["page"]
    assert {a.provider_reference for a in page} == {"R-2", "R-5", "R-8"}
    page = client.get(reverse("monitoring:inbox"), {"risk": "high", "status": "new"}).context["page"]
    assert {a.provider_reference for a in page} == {"R-5", "R-8"}


def test_it_shows_an_error_and_nothing_for_a_wrong_filter(client, oakfield, people):
    _alerts(oakfield, 3)
    client.force_login(people.dsl)
    response = client.get(reverse("monitoring:inbox"), {"risk": "extreme"})
    assert response.status_code == 400
    assert escape("Choose a risk level from the list.") in response.content.decode()
    assert not response.context["page"].object_list


@pytest.mark.parametrize("who", ["reporter", "technician", "head", "governor", "chair", "parent", "visitor"])
def test_it_refuses_the_inbox_to_anyone_outside_the_dsl_team(client, oakfield, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("monitoring:inbox")).status_code == 403


@pytest.mark.parametrize("who", ["dsl", "deputy", "osl"])
def test_it_shows_the_inbox_to_the_dsl_team(client, oakfield, people, who):
    _alerts(oakfield, 1)
    client.force_login(getattr(people, who))
    assert client.get(reverse("monitoring:inbox")).context["page"].paginator.count == 1


def test_it_answers_404_for_another_schools_alert(client, oakfield, riverside, people):
    _alerts(riverside, 1)
    alert = MonitoringAlert.objects.get()
    client.force_login(people.riverside_dsl)
    assert client.get(reverse("monitoring:alert", args=[alert.pk])).status_code == 200
    client.force_login(people.dsl)
    assert client.get(reverse("monitoring:alert", args=[alert.pk])).status_code == 404
    assert client.post(reverse("monitoring:open_case", args=[alert.pk])).status_code == 404
    assert client.get(reverse("monitoring:inbox")).context["page"].paginator.count == 0


def test_it_puts_the_waiting_alerts_on_the_dsl_home(client, oakfield, people):
    _alerts(oakfield, 3)
    client.force_login(people.dsl)
    page = client.get(reverse("home")).content.decode()
    assert "Monitoring alerts to triage (1 high risk)" in page
