"""Case numbers: each school's run one after another, never refused when reports arrive at the same moment."""

import threading

import pytest
from django.db import connection, connections

from incidents import services
from incidents.models import CaseCounter, Incident

from .helpers import bulk_incidents, incident_fields

pytestmark = pytest.mark.django_db


def report(school, reporter):
    return services.report_incident(school=school, reporter=reporter, **incident_fields(school))


def test_it_numbers_each_schools_cases_on_their_own(oakfield, riverside, people):
    assert [report(oakfield, people.reporter).number for _ in range(3)] == [1, 2, 3]
    assert report(riverside, people.riverside_dsl).number == 1
    assert CaseCounter.objects.get(school=oakfield).last_number == 3


def test_it_steps_past_numbers_already_used_by_cases_made_another_way(oakfield, people):
    assert report(oakfield, people.reporter).number == 1
    bulk_incidents(oakfield, people.reporter, 2, start_number=40)  # say, imported from the paper log
    assert report(oakfield, people.reporter).number == 42


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite takes one writer at a time (transactions begin IMMEDIATE): nothing can collide")
@pytest.mark.django_db(transaction=True)
def test_it_gives_twenty_reports_sent_at_the_same_moment_distinct_numbers(oakfield, people):
    start, numbers, errors = threading.Barrier(20), [], []

    def teacher():
        try:
            start.wait(timeout=30)
            numbers.append(report(oakfield, people.reporter).number)
        except Exception as error:  # a refused report is what this test is about
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=teacher) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))
    assert Incident.objects.filter(school=oakfield).count() == 20
