"""The per-school webhook: the secret in a header (compared in constant time), a specific 400 for a body it cannot
read, duplicates adding nothing, and the DSL team's page for the secret (seen and set again, both audited)."""

import json

import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import Arrival, MonitoringAlert, MonitoringSettings
from onlinesafety.audit.models import AuditEvent

from .conftest import alert_json

pytestmark = pytest.mark.django_db


def test_it_takes_an_alert_with_the_right_secret(send, secret, oakfield, amy):
    response = send(alert_json(), secret)
    assert response.status_code == 200
    assert response.json() == {"received": 1, "added": 1, "duplicates": 0}
    alert = MonitoringAlert.objects.get()
    assert (alert.school, alert.arrival, alert.pupil, alert.category) == (oakfield, Arrival.WEBHOOK, amy, "Bullying")
    assert (alert.captured_text, alert.screenshot_ref) == ("you are not welcome here", "shot-1.png")
    assert AuditEvent.objects.filter(verb="monitoring.alerts_received", school=oakfield).exists()


def test_it_takes_a_list_of_alerts_or_an_object_holding_them(send, secret):
    assert send([alert_json("A-1"), alert_json("A-2")], secret).json()["added"] == 2
    assert send({"alerts": [alert_json("A-3")]}, secret).json()["added"] == 1


def test_it_adds_nothing_for_an_alert_sent_twice(send, secret):
    send(alert_json("A-1"), secret)
    response = send([alert_json("A-1"), alert_json("A-2")], secret)
    assert response.json() == {"received": 2, "added": 1, "duplicates": 1}
    assert MonitoringAlert.objects.count() == 2


def test_it_refuses_a_wrong_or_missing_secret_with_403(send, secret, client, oakfield):
    assert send(alert_json(), secret + "x").status_code == 403
    assert send(alert_json(), "").status_code == 403
    response = client.post(reverse("monitoring:webhook", args=[oakfield.slug]), data=json.dumps(alert_json()),
                           content_type="application/json")
    assert response.status_code == 403
    assert not MonitoringAlert.objects.exists()


def test_it_answers_403_for_a_school_with_no_secret_or_no_such_school(send, oakfield, riverside, secret):
    assert send(alert_json(), secret, slug=riverside.slug).status_code == 403  # Oakfield's secret, Riverside
    assert send(alert_json(), secret, slug="nowhere").status_code == 403
    assert send(alert_json(), "no secret set", slug=riverside.slug).status_code == 403
    assert not MonitoringAlert.objects.exists()


def test_it_compares_the_secret_in_constant_time(send, secret, monkeypatch):
    import hmac

    from monitoring import views
    calls, original = [], hmac.compare_digest
    monkeypatch.setattr(views.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or original(a, b))
    send(alert_json(), "wrong")
    assert calls == [(b"wrong", secret.encode())]


@pytest.mark.parametrize(("body", "message"), [
    ('{"time": ', "The body is not valid JSON: Expecting value at line 1, column 10."),
    ("[]", "Send an alert as a JSON object, or a list of them."),
    ('"hello"', "Send an alert as a JSON object, or a list of them."),
    ("[1]", "Nothing was saved: alert 1: each alert must be a JSON object."),
])
def test_it_answers_400_saying_what_is_wrong_with_the_body(send, secret, body, message):
    response = send(body, secret, raw=True)
    assert response.status_code == 400
    assert response.json() == {"error": message}


@pytest.mark.parametrize(("change", "message"), [
    ({"risk_level": "extreme"}, "alert 2: the risk level 'extreme' is not one we read"),
    ({"category": ""}, "alert 2: the category is empty"),
    ({"time": "yesterday"}, "alert 2: the time is not in a format we read"),
    ({"user": "", "device": "", "pupil_identifier": ""}, "alert 2: give the user, the device or the pupil identifier"),
    ({"user": {"name": "x"}}, "alert 2: 'user' must be text or a number"),
])
def test_it_saves_none_of_a_batch_with_an_alert_it_cannot_read(send, secret, change, message):
    response = send([alert_json("A-1"), alert_json("A-2", **change)], secret)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not MonitoringAlert.objects.exists()


def test_it_answers_get_with_405(client, oakfield):
    assert client.get(reverse("monitoring:webhook", args=[oakfield.slug])).status_code == 405


def test_it_needs_no_csrf_token(secret, oakfield):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("monitoring:webhook", args=[oakfield.slug]), data=json.dumps(alert_json()),
                           content_type="application/json", headers={"X-Monitoring-Secret": secret})
    assert response.status_code == 200


def test_it_takes_a_thousand_alerts_in_one_request_and_refuses_more(send, secret):
    batch = [alert_json(f"B-{n}") for n in range(services.MAX_WEBHOOK_ALERTS)]
    assert send(batch, secret).json()["added"] == services.MAX_WEBHOOK_ALERTS
    too_many = send([*batch, alert_json("B-extra")], secret)
    assert too_many.status_code == 400 and "at most" in too_many.json()["error"]


def test_it_shows_the_secret_to_the_dsl_and_records_that_they_saw_it(client, oakfield, people, secret):
    client.force_login(people.deputy)
    page = client.get(reverse("monitoring:settings"))
    assert secret in page.content.decode()
    assert AuditEvent.objects.filter(verb="monitoring.webhook_secret_viewed", actor=people.deputy).exists()


def test_it_sets_a_new_secret_and_the_old_one_stops_working(client, oakfield, people, secret, send):
    client.force_login(people.dsl)
    response = client.post(reverse("monitoring:new_secret"))
    assert response["Location"] == reverse("monitoring:settings")
    new = MonitoringSettings.objects.get(school=oakfield).webhook_secret
    assert new != secret
    assert send(alert_json(), secret).status_code == 403
    assert send(alert_json(), new).status_code == 200
    event = AuditEvent.objects.filter(verb="monitoring.webhook_secret_set").latest("pk")
    assert event.detail == {"replaced": True}
    assert secret not in json.dumps(event.detail) and new not in json.dumps(event.detail)
