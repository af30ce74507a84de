from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import CaseAction, CategoryCode, Incident, Outcome, Status
from tests.factories import PupilFactory

from .helpers import bulk_incidents, category, with_level

pytestmark = pytest.mark.django_db

URL = reverse("incidents:triage")


def rows(response):
    return [incident.pk for incident in response.context["page"].object_list]


def test_it_puts_urgent_first_then_the_oldest(client, people, make_incident):
    old = make_incident()
    urgent = make_incident(immediate_risk=True)
    newer = make_incident()
    Incident.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=2))
    client.force_login(people.dsl)
    assert rows(client.get(URL)) == [urgent.pk, old.pk, newer.pk]


def test_it_counts_each_queue_and_keeps_closed_ones_recent(client, people, make_incident):
    new, opened, waiting, closed, long_closed = (make_incident() for _ in range(5))
    services.acknowledge(incident=opened, actor=people.dsl, expected_version=opened.version)
    services.set_status(incident=waiting, actor=people.dsl, status=Status.WAITING, expected_version=waiting.version)
    for case in (closed, long_closed):
        with_level(case)
        services.close_case(incident=case, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                            expected_version=case.version)
    Incident.objects.filter(pk=long_closed.pk).update(closed_at=timezone.now() - timedelta(days=45))
    client.force_login(people.dsl)
    response = client.get(URL)
    assert response.context["counts"] == {"new": 1, "open": 1, "waiting": 1, "closed": 1}
    assert rows(client.get(URL, {"queue": "open"})) == [opened.pk]
    assert rows(client.get(URL, {"queue": "waiting"})) == [waiting.pk]
    assert rows(client.get(URL, {"queue": "closed"})) == [closed.pk]
    nonsense = client.get(URL, {"queue": "nonsense"})
    assert nonsense.status_code == 400 and rows(nonsense) == []  # an error on the page, not another queue
    assert "Select a valid choice" in nonsense.content.decode()


def test_it_filters_by_category_year_assignee_and_date(client, oakfield, people, make_incident):
    year3 = PupilFactory(school=oakfield, year_group=3)
    year5 = PupilFactory(school=oakfield, year_group=5)
    a = make_incident(pupils=[year3])
    b = make_incident(pupils=[year5], category=category(oakfield, CategoryCode.FILTER_BYPASS))
    c = make_incident(occurred_at=timezone.now() - timedelta(days=20))
    for case in (a, b, c):
        services.acknowledge(incident=case, actor=people.dsl, expected_version=case.version)
    services.assign(incident=b, actor=people.dsl, assignee=people.osl, expected_version=b.version)
    client.force_login(people.dsl)
    base = {"queue": "open"}
    assert rows(client.get(URL, {**base, "year_group": 3})) == [a.pk]
    assert rows(client.get(URL, {**base, "category": b.category_id})) == [b.pk]
    assert rows(client.get(URL, {**base, "assignee": people.osl.pk})) == [b.pk]
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert sorted(rows(client.get(URL, {**base, "date_from": since}))) == sorted([a.pk, b.pk])
    assert rows(client.get(URL, {**base, "date_to": since})) == [c.pk]
    wrong = client.get(URL, {**base, "year_group": "x", "date_from": "not-a-date"})
    assert wrong.status_code == 400 and rows(wrong) == []  # a wrong filter lists nothing, never every case
    page = wrong.content.decode()
    assert 'id="error-summary"' in page and "Enter a valid date." in page


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_it_refuses_a_filter_date_in_no_plausible_year(client, people, make_incident, day):
    make_incident()
    client.force_login(people.dsl)
    response = client.get(URL, {"date_to": day})
    assert response.status_code == 400 and rows(response) == []
    assert "Enter a real date between 1 January 1900 and 31 December" in response.content.decode()


def test_it_flags_late_acknowledgement_overdue_actions_and_repeated_pupils(client, oakfield, people, make_incident):
    repeated = PupilFactory(school=oakfield)
    cases = [make_incident(pupils=[repeated]) for _ in range(3)]
    lonely = make_incident(pupils=[PupilFactory(school=oakfield)])
    Incident.objects.filter(pk=cases[0].pk).update(reported_at=timezone.now() - timedelta(hours=30))
    CaseAction.objects.create(incident=cases[1], description="Call home", owner=people.dsl, created_by=people.dsl,
                              due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(people.dsl)
    page = {i.pk: i for i in client.get(URL).context["page"].object_list}
    assert page[cases[0].pk].unacknowledged_too_long and not page[cases[1].pk].unacknowledged_too_long
    assert page[cases[1].pk].has_overdue_actions and not page[cases[2].pk].has_overdue_actions
    assert all(page[c.pk].has_repeated_pupil for c in cases)
    assert not page[lonely.pk].has_repeated_pupil
    body = client.get(URL).content.decode()
    assert "Not acknowledged in 24 h" in body and "Actions overdue" in body and "Repeated" in body


def test_it_refreshes_the_table_alone_for_htmx(client, people, make_incident):
    incident = make_incident()
    client.force_login(people.dsl)
    response = client.get(URL, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert incident.reference in body
    assert "<html" not in body
    assert "<html" in client.get(URL).content.decode()


def test_it_acknowledges_from_the_dashboard(client, people, make_incident):
    incident = make_incident()
    client.force_login(people.osl)
    client.post(reverse("incidents:change", args=[incident.pk, "acknowledge"]),
                {"acknowledge-version": incident.version})
    incident.refresh_from_db()
    assert incident.acknowledged_by == people.osl


@pytest.mark.parametrize("queue", ["new", "open", "closed"])
def test_it_shows_the_dashboard_in_a_fixed_number_of_queries(client, oakfield, people, queue,
                                                             django_assert_max_num_queries):
    pupils = [PupilFactory(school=oakfield) for _ in range(6)]
    status = {"new": Status.NEW, "open": Status.OPEN, "closed": Status.CLOSED}[queue]
    extra = {"outcome": Outcome.RESOLVED_INTERNALLY, "closed_at": timezone.now()} if queue == "closed" else {}
    bulk_incidents(oakfield, people.reporter, 10, pupils=pupils, status=status, **extra)
    client.force_login(people.dsl)
    with django_assert_max_num_queries(30) as ten:
        assert client.get(URL, {"queue": queue}).status_code == 200
    bulk_incidents(oakfield, people.reporter, 490, pupils=pupils, status=status, start_number=5000, **extra)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(URL, {"queue": queue})
    assert response.context["page"].paginator.count == 500
