"""The safeguarding team's home: a worklist of cases, by reference and category, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Incident, Outcome, Status
from incidents.panels import case_panels, own_report_panels
from onlinesafety.navigation import home_panels_for
from onlinesafety.schools.roles import Role
from tests.factories import member_of

from .helpers import bulk_incidents

pytestmark = pytest.mark.django_db


def panels_by_title(user, school):
    return {panel.title: panel for panel in case_panels(user, school)}


def reported_hours_ago(incident, hours):
    Incident.objects.filter(pk=incident.pk).update(reported_at=timezone.now() - timedelta(hours=hours))


def test_it_counts_and_links_what_waits_for_the_dsl(oakfield, people, make_incident, pupil):
    urgent = make_incident(immediate_risk=True, pupils=[pupil])
    illegal = make_incident(possibly_illegal="yes")
    old = make_incident()
    reported_hours_ago(old, 30)
    acknowledged = make_incident()
    services.acknowledge(incident=acknowledged, actor=people.dsl, expected_version=None)
    services.add_action(incident=acknowledged, actor=people.dsl, description="Call home", owner=people.dsl,
                        due_on=timezone.localdate() - timedelta(days=2))
    panels = panels_by_title(people.dsl, oakfield)
    assert panels["Urgent or possibly illegal"].count == 2
    assert {link.url for link in panels["Urgent or possibly illegal"].links} == {
        reverse("incidents:case", args=[urgent.pk]), reverse("incidents:case", args=[illegal.pk])}
    assert panels["New cases to acknowledge"].count == 3
    assert panels["Not acknowledged after 24 hours"].count == 1
    assert panels["Not acknowledged after 24 hours"].links[0].url == reverse("incidents:case", args=[old.pk])
    assert panels["Overdue actions"].count == 1
    assert panels["Overdue actions"].links[0].url == reverse("incidents:case", args=[acknowledged.pk])
    label = panels["Urgent or possibly illegal"].links[0].label
    assert label == f"Urgent: Case {urgent.reference} (cyberbullying)"
    assert pupil.first_name not in label and pupil.last_name not in label


def test_it_never_counts_another_schools_cases(oakfield, riverside, people, make_incident):
    make_incident(school=riverside, reporter=people.riverside_dsl, immediate_risk=True)
    assert all(panel.count == 0 for panel in case_panels(people.dsl, oakfield))
    assert sum(panel.count for panel in case_panels(people.riverside_dsl, riverside)) >= 1


def test_it_counts_only_cases_the_person_may_open(oakfield, people, make_incident):
    make_incident(allegation_subject=people.other_staff)  # for the headteacher alone
    assert all(panel.count == 0 for panel in case_panels(people.dsl, oakfield))
    assert panels_by_title(people.head, oakfield)["New cases to acknowledge"].count == 1


def test_it_keeps_a_closed_case_off_the_list(oakfield, people, make_incident):
    case = make_incident(immediate_risk=True)
    Incident.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=timezone.now(),
                                               outcome=Outcome.RESOLVED_INTERNALLY)
    assert panels_by_title(people.dsl, oakfield)["Urgent or possibly illegal"].count == 0


def test_it_reads_the_worklist_in_a_fixed_number_of_queries(oakfield, people, django_assert_max_num_queries):
    bulk_incidents(oakfield, people.reporter, 40, is_urgent=True)
    with django_assert_max_num_queries(8):
        panels = case_panels(people.dsl, oakfield)
        [link.label for panel in panels for link in panel.links]
    assert panels[0].count == 40 and len(panels[0].links) == 5


def test_it_shows_the_dsl_the_worklist_on_the_home_page(client, oakfield, people, make_incident):
    case = make_incident(immediate_risk=True)
    client.force_login(people.dsl)
    body = client.get(reverse("home")).content.decode()
    assert "Urgent or possibly illegal" in body and case.reference in body
    assert "Go to" not in body
    assert reverse("incidents:case", args=[case.pk]) in body


def test_it_says_plainly_when_nothing_waits(client, oakfield, people):
    client.force_login(people.dsl)
    assert "Nothing waiting for you" in client.get(reverse("home")).content.decode()


def test_it_puts_report_a_concern_first_on_a_teachers_home_with_their_open_reports(client, oakfield, people,
                                                                                     make_incident):
    mine = make_incident(reporter=people.reporter)
    make_incident(reporter=people.other_staff)
    count, reports = own_report_panels(people.reporter, oakfield)[0].count, own_report_panels(
        people.reporter, oakfield)[0].links
    assert count == 1 and [link.url for link in reports] == [reverse("incidents:case", args=[mine.pk])]
    client.force_login(people.reporter)
    body = client.get(reverse("home")).content.decode()
    assert f'class="btn btn-primary btn-lg" href="{reverse("incidents:report")}"' in body
    assert "Your reports still open" in body
    assert "Urgent or possibly illegal" not in body  # not the team's worklist


def test_it_gives_a_parent_no_case_panel(oakfield, people, make_incident):
    make_incident(immediate_risk=True)
    titles = [panel.title for panel in home_panels_for(people.parent, oakfield)]
    assert not any("case" in title.lower() or "urgent" in title.lower() for title in titles)


def test_it_shows_the_headteacher_the_dsl_worklist_too(oakfield, people, make_incident):
    make_incident(immediate_risk=True)
    titles = [panel.title for panel in home_panels_for(people.head, oakfield)]
    assert "Urgent or possibly illegal" in titles


def test_it_lets_a_second_role_add_its_panels(oakfield, make_incident):
    from tests.factories import MembershipFactory

    teacher_and_deputy = member_of(oakfield, Role.STAFF)
    MembershipFactory(user=teacher_and_deputy, school=oakfield, role=Role.DEPUTY_DSL)
    make_incident(immediate_risk=True)
    titles = [panel.title for panel in home_panels_for(teacher_and_deputy, oakfield)]
    assert "Urgent or possibly illegal" in titles
