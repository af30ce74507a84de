"""A high-risk alert tells the DSL team at once: an urgent in-app alert and an email, both naming no one."""

import pytest

from onlinesafety.mail.models import Notification, OutboundEmail

from .conftest import HEADER, alert_json, csv_file, do_import, recent

pytestmark = pytest.mark.django_db


def test_it_alerts_the_dsl_team_at_once_for_a_high_risk_alert(send, secret, people, amy):
    send([alert_json("H-1", risk_level="high", captured_text="CAPTURED"), alert_json("L-1", risk_level="low")], secret)
    alerts = Notification.objects.filter(school=amy.school)
    assert {n.user for n in alerts} == set(people.dsl_team())
    assert all(n.is_urgent and n.message == "Urgent: 1 new high-risk monitoring alert to triage now." for n in alerts)
    emails = OutboundEmail.objects.all()
    assert {e.to for e in emails} == {p.email for p in people.dsl_team()}
    for email in emails:
        assert "Amy" not in email.body and "Brook" not in email.body and "CAPTURED" not in email.body
        assert "Bullying" not in email.body and "MIS001" not in email.body


def test_it_tells_nobody_of_low_and_medium_alerts_or_of_a_duplicate(send, secret):
    send([alert_json("L-1", risk_level="low"), alert_json("M-1", risk_level="medium")], secret)
    assert not Notification.objects.exists()
    send(alert_json("H-1", risk_level="5"), secret)
    assert Notification.objects.count() == 3
    send(alert_json("H-1", risk_level="5"), secret)  # the same alert again: nothing new to tell
    assert Notification.objects.count() == 3


def test_it_tells_the_team_once_per_import_with_the_count(oakfield, people):
    rows = [f"{recent()},H-{n},u{n},L,,Self-harm,high,x," for n in range(3)]
    do_import(oakfield, people.dsl, csv_file([HEADER, *rows, f"{recent()},L-1,u,L,,Gaming,low,x,"]))
    messages = set(Notification.objects.values_list("message", flat=True))
    assert messages == {"Urgent: 3 new high-risk monitoring alerts to triage now."}
    assert Notification.objects.count() == 3
