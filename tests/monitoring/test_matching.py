"""Alerts are matched to pupils by the MIS's keys (the MIS id, the UPN, a username that is the MIS id); an alert
that names nobody stays in the inbox, marked "Not matched"."""

import pytest
from django.urls import reverse

from monitoring.models import MonitoringAlert
from tests.factories import PupilFactory

from .conftest import alert_json

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fields", [
    {"pupil_identifier": "MIS001", "user": "someone"},
    {"pupil_identifier": "a123456789012", "user": ""},  # the UPN, in any case
    {"pupil_identifier": "", "user": "mis001@pupils.example"},  # a username that is the MIS id
    {"pupil_identifier": "", "user": "MIS001"},
])
def test_it_matches_an_alert_to_the_pupil_it_names(send, secret, amy, fields):
    send(alert_json(**fields), secret)
    assert MonitoringAlert.objects.get().pupil == amy


def test_it_keeps_an_alert_that_names_no_pupil_and_shows_it_as_not_matched(client, send, secret, people, amy):
    send(alert_json(pupil_identifier="", user="shared-laptop-07"), secret)
    alert = MonitoringAlert.objects.get()
    assert alert.pupil is None
    client.force_login(people.dsl)
    page = client.get(reverse("monitoring:inbox")).content.decode()
    assert "Not matched" in page and "shared-laptop-07" in page and "1 not matched to a pupil" in page


def test_it_never_matches_a_pupil_of_another_school(send, secret, riverside):
    PupilFactory(school=riverside, mis_id="MIS001")
    send(alert_json(), secret)
    assert MonitoringAlert.objects.get().pupil is None


def test_it_matches_a_batch_in_one_query(send, secret, oakfield, django_assert_max_num_queries):
    for n in range(20):
        PupilFactory(school=oakfield, mis_id=f"M{n}")
    few = [alert_json(f"F-{n}", pupil_identifier=f"M{n}") for n in range(2)]
    many = [alert_json(f"G-{n}", pupil_identifier=f"M{n}") for n in range(20)]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as small:
        send(few, secret)
    with CaptureQueriesContext(connection) as large:
        send(many, secret)
    assert len(large) == len(small)
    assert MonitoringAlert.objects.filter(pupil__isnull=False).count() == 22


def test_it_does_not_match_an_alert_to_a_pupil_who_had_left_by_then(send, secret, amy):
    """Guards matching by the roster's leaving date (``roster.selectors.pupils_by_identifier``): an alert after the
    pupil left is matched to no one; one from before they left, or on their last day, is still theirs."""
    import datetime

    from onlinesafety.schools.models import Pupil

    Pupil.objects.filter(pk=amy.pk).update(is_on_roll=False, left_on=datetime.date(2025, 7, 20))
    assert send(alert_json(), secret).status_code == 200
    assert MonitoringAlert.objects.get().pupil_id is None
    send(alert_json(reference="A-2", time="2025-07-20T15:00:00+01:00"), secret)
    assert MonitoringAlert.objects.get(provider_reference="A-2").pupil_id == amy.pk

