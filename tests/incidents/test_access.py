"""Who may open which incidents page: a matrix of URL x person, allegation routing, and sharing."""

import pytest
from django.core import mail
from django.urls import reverse

from incidents import services
from incidents.models import Evidence, Visibility
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import Notification
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.uploads import check_upload
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

PEOPLE = EVERYONE
TRIAGE = {"dsl", "deputy", "osl", "head", "riverside_dsl"}  # riverside sees its own (empty) dashboard
REPORTERS = {"reporter", "other_staff", "technician", "dsl", "deputy", "osl", "head", "visitor", "riverside_dsl"}
FULL_CASE = {"dsl", "deputy", "osl", "head"}


def expected_for_school_pages(person, allowed):
    return 200 if person in allowed else 403


@pytest.fixture
def case_with_evidence(make_incident, pupil, people, png_upload):
    incident = make_incident(pupils=[pupil])
    services.add_evidence(incident=incident, actor=people.dsl,
                          upload=check_upload(png_upload, allowed=("image/png",), max_bytes=10**7))
    return incident


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix(client, people, pupil, case_with_evidence, person):
    incident = case_with_evidence
    evidence = Evidence.objects.get()
    client.force_login(getattr(people, person))
    pages = {
        reverse("incidents:report"): expected_for_school_pages(person, REPORTERS),
        reverse("incidents:mine"): expected_for_school_pages(person, REPORTERS),
        reverse("incidents:triage"): expected_for_school_pages(person, TRIAGE),
        reverse("incidents:export"): expected_for_school_pages(person, TRIAGE),
        reverse("incidents:chronology", args=[pupil.pk]):
            404 if person == "riverside_dsl" else expected_for_school_pages(person, TRIAGE),
        reverse("incidents:case", args=[incident.pk]): 200 if person in FULL_CASE | {"reporter"} else 404,
        reverse("incidents:evidence", args=[incident.pk, evidence.pk]): 200 if person in FULL_CASE else 404,
        reverse("incidents:submitted", args=[incident.pk]): 200 if person == "reporter" else
            (403 if person not in REPORTERS else 404),
    }
    for url, status in pages.items():
        assert client.get(url).status_code == status, (person, url)
    search = client.post(reverse("incidents:pupil_search"), {"pupil_q": "po"})
    assert search.status_code == expected_for_school_pages(person, REPORTERS), person

    action = services.add_action(incident=incident, actor=people.dsl, description="Call home", owner=people.dsl,
                                 due_on=incident.reported_at.date())
    services.share_case(incident=incident, actor=people.dsl, colleague=people.technician)
    posts = [
        (reverse("incidents:change", args=[incident.pk, "note"]), {"note-kind": "note", "note-text": "Checked."}),
        (reverse("incidents:take_responses", args=[incident.pk]), {"response": ["inform_parents"]}),
        (reverse("incidents:action_done", args=[incident.pk, action.pk]), {}),
        (reverse("incidents:revoke_share", args=[incident.pk, people.technician.pk]), {}),
    ]
    for url, data in posts:
        expected = 302 if person in FULL_CASE else 403 if person == "technician" else 404
        assert client.post(url, data).status_code == expected, (person, url)
        if person in FULL_CASE and "revoke" in url:
            services.share_case(incident=incident, actor=people.dsl, colleague=people.technician)
    if person == "reporter":
        page = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
        assert "Your report" in page and "Timeline" not in page


def test_it_sends_an_allegation_about_staff_to_the_headteacher_only(
    client, people, make_incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(allegation_subject=people.other_staff)
    assert incident.visibility == Visibility.HEADTEACHER
    assert [m.to for m in mail.outbox] == [[people.head.email]]
    assert list(Notification.objects.values_list("user", flat=True)) == [people.head.pk]
    url = reverse("incidents:case", args=[incident.pk])
    for person, status in [("head", 200), ("dsl", 404), ("deputy", 404), ("osl", 404), ("chair", 404),
                           ("other_staff", 404), ("reporter", 200)]:
        client.force_login(getattr(people, person))
        assert client.get(url).status_code == status, person
    client.force_login(people.dsl)
    assert incident.reference.encode() not in client.get(reverse("incidents:triage")).content


def test_it_sends_an_allegation_about_the_headteacher_to_the_chair_only(
    client, people, make_incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(allegation_subject=people.head)
    assert incident.visibility == Visibility.CHAIR
    assert [m.to for m in mail.outbox] == [[people.chair.email]]
    url = reverse("incidents:case", args=[incident.pk])
    for person, status in [("chair", 200), ("head", 404), ("dsl", 404), ("governor", 404)]:
        client.force_login(getattr(people, person))
        assert client.get(url).status_code == status, person


def test_it_lets_the_headteacher_share_an_allegation_with_the_dsl_and_revoke_it(client, people, make_incident):
    incident = make_incident(allegation_subject=people.other_staff)
    url = reverse("incidents:case", args=[incident.pk])
    client.force_login(people.head)
    assert client.post(reverse("incidents:change", args=[incident.pk, "share"]),
                       {"share-colleague": people.dsl.pk}).status_code == 302
    client.force_login(people.dsl)
    assert client.get(url).status_code == 200
    client.force_login(people.head)
    assert client.post(reverse("incidents:revoke_share", args=[incident.pk, people.dsl.pk])).status_code == 302
    client.force_login(people.dsl)
    assert client.get(url).status_code == 404


def test_it_lets_a_dsl_share_a_case_with_a_named_colleague(client, people, make_incident):
    incident = make_incident()
    url = reverse("incidents:case", args=[incident.pk])
    client.force_login(people.other_staff)
    assert client.get(url).status_code == 404
    services.share_case(incident=incident, actor=people.dsl, colleague=people.other_staff)
    assert client.get(url).status_code == 200
    assert client.get(reverse("incidents:triage")).status_code == 403  # sharing is one case, not the dashboard
    services.revoke_share(incident=incident, actor=people.dsl, colleague=people.other_staff)
    assert client.get(url).status_code == 404


def test_it_never_shares_a_case_with_the_person_it_is_about(people, make_incident):
    incident = make_incident(allegation_subject=people.other_staff)
    with pytest.raises(RuleBroken):
        services.share_case(incident=incident, actor=people.head, colleague=people.other_staff)


def test_it_keeps_a_shared_case_from_a_member_of_another_school(client, people, make_incident):
    from guardian.shortcuts import assign_perm

    incident = make_incident()
    with pytest.raises(RuleBroken):
        services.share_case(incident=incident, actor=people.dsl, colleague=people.riverside_dsl)
    # Even a permission granted behind the service's back opens nothing outside the school.
    assign_perm("incidents.view_incident", people.riverside_dsl, incident)
    client.force_login(people.riverside_dsl)
    assert client.get(reverse("incidents:case", args=[incident.pk])).status_code == 404


def test_it_lets_a_colleague_shared_to_read_only_read(client, people, make_incident, png_upload):
    incident = make_incident()
    evidence = services.add_evidence(incident=incident, actor=people.dsl,
                                     upload=check_upload(png_upload, allowed=("image/png",), max_bytes=10**7))
    services.share_case(incident=incident, actor=people.dsl, colleague=people.governor)
    client.force_login(people.governor)
    page = client.get(reverse("incidents:case", args=[incident.pk]))
    assert page.status_code == 200 and b"shared with you to read" in page.content
    assert b"Close case" not in page.content and b"Add an action" not in page.content
    assert client.get(reverse("incidents:evidence", args=[incident.pk, evidence.pk])).status_code == 200
    version = incident.version
    for name, data in [("close", {"close-outcome": "nfa", "close-version": version}),
                       ("note", {"note-kind": "note", "note-text": "x"}),
                       ("share", {"share-colleague": people.technician.pk})]:
        assert client.post(reverse("incidents:change", args=[incident.pk, name]), data).status_code == 403
    assert client.post(reverse("incidents:revoke_share", args=[incident.pk, people.governor.pk])).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "new" and incident.timeline.filter(kind="note").count() == 0


def test_it_lets_a_colleague_shared_to_work_on_it_work_but_not_share(client, people, make_incident):
    incident = make_incident(allegation_subject=people.other_staff)
    services.share_case(incident=incident, actor=people.head, colleague=people.dsl, can_contribute=True)
    client.force_login(people.dsl)
    assert client.post(reverse("incidents:change", args=[incident.pk, "note"]),
                       {"note-kind": "note", "note-text": "Spoke to LADO"}).status_code == 302
    assert client.post(reverse("incidents:change", args=[incident.pk, "share"]),
                       {"share-colleague": people.technician.pk}).status_code == 403
    assert client.post(reverse("incidents:revoke_share", args=[incident.pk, people.dsl.pk])).status_code == 403


def test_it_ends_a_share_when_the_colleague_no_longer_works_there(client, people, make_incident):
    from onlinesafety.schools.models import Membership
    from onlinesafety.schools.roles import Role
    from tests.factories import MembershipFactory

    incident = make_incident()
    MembershipFactory(user=people.other_staff, school=incident.school, role=Role.PARENT)
    services.share_case(incident=incident, actor=people.dsl, colleague=people.other_staff)
    Membership.objects.filter(user=people.other_staff, role=Role.STAFF).update(is_active=False)
    client.force_login(people.other_staff)
    assert client.get(reverse("incidents:case", args=[incident.pk])).status_code == 404


def test_it_never_hands_an_allegation_to_the_person_it_is_about(client, people, make_incident):
    incident = make_incident(allegation_subject=people.dsl)
    client.force_login(people.head)
    assign = client.post(reverse("incidents:change", args=[incident.pk, "assign"]),
                         {"assign-assignee": people.dsl.pk, "assign-version": incident.version})
    action = client.post(reverse("incidents:change", args=[incident.pk, "action"]),
                         {"action-description": "x", "action-owner": people.dsl.pk, "action-due_on": "2026-12-01"})
    assert (assign.status_code, action.status_code) == (400, 400)
    with pytest.raises(RuleBroken):
        services.assign(incident=incident, actor=people.head, assignee=people.dsl, expected_version=incident.version)
    incident.refresh_from_db()
    assert incident.assigned_to is None and incident.actions.count() == 0


def test_it_routes_an_allegation_to_the_chair_when_there_is_no_head_and_never_to_nobody(people, make_incident):
    from onlinesafety.schools.models import Membership
    from onlinesafety.schools.roles import Role

    Membership.objects.filter(user=people.head, role=Role.HEADTEACHER).update(is_active=False)
    assert make_incident(allegation_subject=people.other_staff).visibility == Visibility.CHAIR
    Membership.objects.filter(user=people.chair).update(is_active=False, is_chair=False)
    assert make_incident(allegation_subject=people.other_staff).visibility == Visibility.DSL_TEAM


def test_it_refuses_to_record_a_view_a_download_or_an_export_for_someone_without_the_right(
        people, case_with_evidence):
    evidence = Evidence.objects.get()
    for person in (people.governor, people.parent, people.riverside_dsl):
        with pytest.raises(NotAllowed):
            services.record_case_view(incident=case_with_evidence, actor=person)
        with pytest.raises(NotAllowed):
            services.record_evidence_download(evidence=evidence, actor=person)
        with pytest.raises(NotAllowed):
            services.record_log_export(school=case_with_evidence.school, actor=person, rows=1)
    with pytest.raises(NotAllowed):  # the reporter sees their report's page, never its files
        services.record_evidence_download(evidence=evidence, actor=people.reporter)
    services.record_case_view(incident=case_with_evidence, actor=people.reporter)
    assert list(AuditEvent.objects.filter(verb__in=["incident.viewed", "incident.evidence_downloaded",
                                                    "incident.log_exported"]).values_list("verb", "actor")) == [
        ("incident.viewed", people.reporter.pk)]
