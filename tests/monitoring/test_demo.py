import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring.models import MonitoringAlert, MonitoringSettings
from onlinesafety.mail.models import Notification

pytestmark = pytest.mark.django_db


def test_it_shows_a_morning_of_alerts_waiting_for_the_dsl(settings, client):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    alerts = MonitoringAlert.objects.filter(school__slug="oakfield", status="new")
    assert alerts.count() == 12
    assert alerts.filter(risk="high").count() == 1
    assert alerts.filter(pupil__isnull=True).count() == 1
    assert {a.risk for a in alerts} == {"low", "medium", "high"}
    assert alerts.filter(content_withheld=True, captured_text="", screenshot_ref="").count() == 1
    assert MonitoringSettings.objects.filter(school__slug="oakfield").exists()
    assert Notification.objects.filter(user__email="dsl@oakfield.example", is_urgent=True,
                                       message__contains="high-risk monitoring alert").exists()

    client.login(username="dsl@oakfield.example", password="demo-password-for-tests")
    page = client.get(reverse("monitoring:inbox"), follow=True)
    assert page.context["page"].paginator.count == 15  # the twelve waiting and the three triaged
    assert "1 high risk" in page.content.decode()
    client.login(username="tech@oakfield.example", password="demo-password-for-tests")
    assert client.get(reverse("monitoring:inbox")).status_code == 403

    call_command("seed_demo", quiet_logins=True)  # once only
    assert MonitoringAlert.objects.filter(school__slug="oakfield").count() == 15


def test_it_shows_one_alert_of_each_outcome_besides_the_waiting_ones(settings):
    """The demo's DSL has already triaged three alerts, one of each outcome, each through the services: dismissed
    with a reason, added to an existing case as evidence (a note on it), opened as a case (linked to it)."""
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    triaged = MonitoringAlert.objects.filter(school__slug="oakfield").exclude(status="new")
    assert sorted(triaged.values_list("status", flat=True)) == ["case_opened", "dismissed", "linked"]
    dismissed = triaged.get(status="dismissed")
    assert dismissed.dismiss_reason == "already_known" and dismissed.dismiss_note
    assert triaged.get(status="linked").incident_id and triaged.get(status="case_opened").incident_id
    assert triaged.get(status="linked").incident_id != triaged.get(status="case_opened").incident_id
    assert not triaged.filter(triaged_by__isnull=True).exists()
