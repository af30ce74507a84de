"""What the webhook does with a body it cannot use: a time at the edge of the calendar or in the future, and JSON
that Python will not parse (nested too deeply, an integer too long). Each is a specific 400 in JSON, never a 500,
and nothing is saved."""

import datetime

import pytest
from django.utils import timezone

from monitoring.models import MonitoringAlert

from .conftest import alert_json

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("when", ["9999-12-31T23:30:00-05:00", "0001-01-01T00:10:00+05:00"])
def test_it_answers_400_not_500_for_a_time_at_the_edge_of_the_calendar(send, secret, when):
    """Guards a time that parses but cannot be moved to UTC (``OverflowError``), without a provider reference (the
    reference is made from a hash of the time)."""
    response = send(alert_json(reference="", time=when), secret)
    assert response.status_code == 400
    assert "edge of the calendar" in response.json()["error"]
    assert not MonitoringAlert.objects.exists()


def test_it_answers_400_not_500_for_an_edge_time_with_a_provider_reference(send, secret):
    """Guards the same with a provider reference (where the save itself would overflow)."""
    response = send(alert_json(reference="R-1", time="0001-01-01T00:10:00+05:00"), secret)
    assert response.status_code == 400
    assert not MonitoringAlert.objects.exists()


def test_it_refuses_a_time_more_than_a_few_minutes_in_the_future(send, secret):
    """Guards the future: a device clock a minute ahead is taken, an alert an hour ahead is refused, saying so."""
    ahead = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    response = send(alert_json(time=ahead), secret)
    assert response.status_code == 400
    assert "in the future" in response.json()["error"]
    assert not MonitoringAlert.objects.exists()
    assert send(alert_json(time=(timezone.now() + datetime.timedelta(minutes=1)).isoformat()), secret
                ).status_code == 200


def test_it_refuses_a_time_before_2000(send, secret):
    """Guards against a device clock that was never set (1970): refused with a message, not stored."""
    response = send(alert_json(time="1970-01-01T00:00:00Z"), secret)
    assert response.status_code == 400
    assert "before 2000" in response.json()["error"]


@pytest.mark.parametrize(("body", "says"), [("[" * 100_000 + "]" * 100_000, "nested too deeply"),
                                            ('{"risk_level": ' + "9" * 5000 + "}", "number too long")],
                         ids=["nested-100000-deep", "integer-of-5000-digits"])
def test_it_answers_400_not_500_for_json_python_will_not_read(send, secret, body, says):
    """Guards ``json.loads``'s other failures: ``RecursionError`` for deep nesting and a plain ``ValueError`` for an
    integer over 4,300 digits: a 400 JSON error saying which."""
    response = send(body, secret, raw=True)
    assert response.status_code == 400
    assert says in response.json()["error"]
