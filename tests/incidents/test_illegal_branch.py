"""The flowchart's illegal branch: the steps a reporter sees at once, the flag and the order for the DSL, what each
branch asks of the team, and a possibly illegal case that does not close with steps still open."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import flowchart, selectors, services
from incidents.models import (
    Agency,
    AgencyNotContacted,
    IllegalBranch,
    Incident,
    Level,
    MeetingKind,
    MeetingRole,
    Outcome,
    Status,
)
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import RuleBroken

from .helpers import category, with_level

pytestmark = pytest.mark.django_db

STEPS_HEADING = "It could be illegal: what to do now"


def case_url(incident):
    return reverse("incidents:case", args=[incident.pk])


def change(client, incident, name, **data):
    incident.refresh_from_db()
    payload = {f"{name}-version": incident.version, **{f"{name}-{key}": value for key, value in data.items()}}
    return client.post(reverse("incidents:change", args=[incident.pk, name]), payload)


def open_keys(incident):
    incident.refresh_from_db()
    checklist = selectors.branch_checklist(incident, selectors.illegal_branch(incident))
    return [step.key for step in flowchart.open_steps(checklist)]


def answer_evidence(incident, people):
    services.record_branch_evidence(incident=incident, actor=people.dsl, how="Web address and a description",
                                    where="Case file", by=people.osl, expected_version=None)


def answer_device(incident, people):
    services.record_branch_device(incident=incident, actor=people.dsl, secured=True, by=people.osl,
                                  held_at="DSL's office safe", expected_version=None)


def answer_meeting(incident, people, kind=MeetingKind.STRATEGY):
    services.record_branch_meeting(incident=incident, actor=people.dsl, kind=kind, held_on=timezone.localdate(),
                                   roles=[MeetingRole.DSL, MeetingRole.POLICE], decision="Police to lead.",
                                   expected_version=None)


def refer(incident, people, agency):
    services.add_referral(incident=incident, actor=people.dsl, agency=agency, referred_on=timezone.localdate())


def not_contacted(incident, people, agency, reason="Not relevant to this case"):
    services.record_agency_not_contacted(incident=incident, actor=people.dsl, agency=agency, reason=reason,
                                         expected_version=None)


def report(client, people, oakfield, answer):
    client.force_login(people.reporter)
    data = {"immediate_risk": "no", "possibly_illegal": answer, "no_pupil": "on",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "category": category(oakfield).pk, "description": "Messages from an adult asking for photos."}
    return client.post(reverse("incidents:report"), data)


# ---------------------------------------------------------------- the reporter

def test_it_puts_the_illegal_steps_on_the_report_form_hidden_until_chosen(client, people):
    client.force_login(people.reporter)
    page = client.get(reverse("incidents:report")).content.decode()
    steps = page[page.index('id="illegal-steps"'):]
    assert steps.index("hidden") < steps.index(">")  # hidden until report-form.js shows it
    for words in ("Do not open, view, copy, forward, print or screenshot", "Secure the device", "web address",
                  "999", "101", "CEOP", "Internet Watch Foundation", "LADO"):
        assert words in steps
    assert page.index('id="illegal-steps"') < page.index('id="send-report"')  # sending is never held back


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_it_shows_the_illegal_steps_once_the_report_is_sent(client, people, oakfield, answer):
    sent = report(client, people, oakfield, answer)
    assert sent.status_code == 302
    page = client.get(sent["Location"]).content.decode()
    assert STEPS_HEADING in page and "Do not open, view, copy" in page


def test_it_shows_no_illegal_steps_when_the_answer_is_no(client, people, oakfield):
    sent = report(client, people, oakfield, "no")
    assert STEPS_HEADING not in client.get(sent["Location"]).content.decode()


def test_it_keeps_the_steps_shown_when_a_form_answered_not_sure_comes_back(client, people):
    client.force_login(people.reporter)
    page = client.post(reverse("incidents:report"), {"possibly_illegal": "not_sure"}).content.decode()
    tag = page[page.index('id="illegal-steps"'):]
    assert "hidden" not in tag[:tag.index(">")]


# ---------------------------------------------------------------- the flag and the order

@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_it_flags_yes_and_not_sure_alike_and_sorts_them_with_the_urgent(client, people, make_incident, answer):
    old = make_incident()
    Incident.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=2))
    urgent = make_incident(immediate_risk=True)
    flagged = make_incident(possibly_illegal=answer)
    newest = make_incident()
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:triage"))
    assert [i.pk for i in response.context["page"].object_list] == [urgent.pk, flagged.pk, old.pk, newest.pk]
    assert response.content.decode().count(">Possibly illegal</span>") == 1
    assert selectors.worklist(people.dsl, flagged.school).urgent == 2
    assert 'id="possibly-illegal-badge"' in client.get(case_url(flagged)).content.decode()
    assert 'id="possibly-illegal-badge"' not in client.get(case_url(newest)).content.decode()


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_it_unflags_a_case_the_team_grades_inappropriate_but_keeps_its_review_step(client, people, make_incident,
                                                                                 answer):
    graded = with_level(make_incident(possibly_illegal=answer), Level.INAPPROPRIATE)
    earlier = make_incident()
    Incident.objects.filter(pk=earlier.pk).update(reported_at=timezone.now() - timedelta(days=2))
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:triage"))
    assert [i.pk for i in response.context["page"].object_list] == [earlier.pk, graded.pk]  # not first any more
    assert ">Possibly illegal</span>" not in response.content.decode()
    page = client.get(case_url(graded)).content.decode()
    assert 'id="possibly-illegal-badge"' not in page
    assert flowchart.is_possibly_illegal(graded)  # the inappropriate branch still asks for its review


def test_it_flags_a_case_the_team_puts_on_an_illegal_branch(make_incident):
    incident = with_level(make_incident(), Level.ILLEGAL_NO_RISK)
    assert flowchart.is_possibly_illegal(incident)
    assert Incident.objects.filter(flowchart.possibly_illegal_q(), pk=incident.pk).exists()


# ---------------------------------------------------------------- each branch's prompts

def test_it_asks_the_immediate_risk_branch_for_police_999_ceop_and_social_care(make_incident, people):
    incident = make_incident(possibly_illegal="yes")
    assert open_keys(incident) == ["branch", "evidence", "device", "meeting"]
    with_level(incident, Level.ILLEGAL_IMMEDIATE_RISK)
    assert open_keys(incident) == ["evidence", "device", "meeting", "agency-police_999", "agency-ceop",
                                   "agency-social_care"]


def test_it_asks_the_branch_without_immediate_risk_for_police_101_ceop_and_the_iwf(make_incident):
    incident = with_level(make_incident(possibly_illegal="not_sure"), Level.ILLEGAL_NO_RISK)
    assert open_keys(incident) == ["evidence", "device", "meeting", "agency-police_101", "agency-ceop", "agency-iwf"]


def test_it_asks_for_the_lado_when_an_adult_in_school_is_involved(oakfield, make_incident, people):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_NO_RISK)
    incident.staff_involved.add(people.other_staff)
    assert "agency-lado" in open_keys(incident)
    allegation = with_level(make_incident(possibly_illegal="yes", allegation_subject=people.other_staff),
                            Level.ILLEGAL_IMMEDIATE_RISK)
    assert open_keys(allegation)[-1] == "agency-lado"


def test_it_asks_the_inappropriate_branch_for_a_review_and_no_agency(make_incident, people):
    incident = with_level(make_incident(possibly_illegal="not_sure"), Level.INAPPROPRIATE)
    assert open_keys(incident) == ["meeting"]
    answer_meeting(incident, people, kind=MeetingKind.REVIEW)
    assert open_keys(incident) == []
    with pytest.raises(RuleBroken, match="does not ask about that agency"):
        not_contacted(incident, people, Agency.CEOP)


def test_it_answers_each_step_and_the_checklist_empties(make_incident, people):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_IMMEDIATE_RISK)
    answer_evidence(incident, people)
    answer_device(incident, people)
    answer_meeting(incident, people)
    refer(incident, people, Agency.POLICE_101)  # the police on either number answer the police question
    refer(incident, people, Agency.CEOP)
    assert open_keys(incident) == ["agency-social_care"]
    not_contacted(incident, people, Agency.SOCIAL_CARE, "Police strategy discussion includes social care")
    assert open_keys(incident) == []
    branch = IllegalBranch.objects.get(incident=incident)
    assert (branch.evidence_by, branch.device_secured_by, branch.meeting_roles) == (
        people.osl, people.osl, ["dsl", "police"])


def test_it_counts_a_device_not_secured_as_answered_with_its_reason(make_incident, people):
    incident = make_incident(possibly_illegal="yes")
    with pytest.raises(RuleBroken, match="why the device was not secured"):
        services.record_branch_device(incident=incident, actor=people.dsl, secured=False, expected_version=None)
    services.record_branch_device(incident=incident, actor=people.dsl, secured=False,
                                  because="Seen on a public website", expected_version=None)
    assert "device" not in open_keys(incident)


def test_it_refuses_an_agency_not_contacted_once_a_referral_says_it_was(make_incident, people):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_NO_RISK)
    refer(incident, people, Agency.IWF)
    with pytest.raises(RuleBroken, match="already recorded"):
        not_contacted(incident, people, Agency.IWF)
    assert not AgencyNotContacted.objects.exists()


def test_it_refuses_the_branch_steps_on_a_case_not_possibly_illegal(make_incident, people):
    incident = make_incident()
    with pytest.raises(RuleBroken, match="not flagged as possibly illegal"):
        answer_evidence(incident, people)
    assert not IllegalBranch.objects.exists()


def test_it_refuses_to_name_the_subject_or_someone_outside_the_school(make_incident, people):
    incident = make_incident(possibly_illegal="yes", allegation_subject=people.other_staff)
    for person in (people.other_staff, people.parent, people.riverside_dsl):
        with pytest.raises(RuleBroken):
            services.record_branch_evidence(incident=incident, actor=people.head, how="Description", where="File",
                                            by=person, expected_version=None)


# ---------------------------------------------------------------- the forms, their errors and the audit

def test_it_records_each_step_from_the_case_page_with_an_audit_event(client, people, make_incident):
    incident = with_level(make_incident(possibly_illegal="not_sure"), Level.ILLEGAL_NO_RISK)
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    manage = page[page.index('id="manage"'):]
    for form in ("branch_evidence", "branch_device", "branch_meeting", "agency"):
        assert f"/change/{form}/" in manage
    assert "6 steps still open" in page
    sent = [
        change(client, incident, "branch_evidence", how="Address written down", where="Safe", by=people.osl.pk),
        change(client, incident, "branch_device", secured="yes", by=people.deputy.pk, held_at="Safe"),
        change(client, incident, "branch_meeting", kind="review", held_on=timezone.localdate().isoformat(),
               roles=["dsl", "headteacher"], decision="Report the address to the IWF."),
        change(client, incident, "agency", agency="ceop", reason="No child was contacted"),
    ]
    assert [response.status_code for response in sent] == [302] * 4
    verbs = list(AuditEvent.objects.filter(verb__in=[
        "incident.branch_evidence_recorded", "incident.branch_device_recorded", "incident.branch_meeting_recorded",
        "incident.agency_not_contacted"]).order_by("pk").values_list("verb", flat=True))
    assert len(verbs) == 4
    event = AuditEvent.objects.get(verb="incident.agency_not_contacted")
    assert event.detail == {"agency": "ceop"} and event.object_id == str(incident.pk)
    page = client.get(case_url(incident)).content.decode()
    assert "2 steps still open" in page
    assert "Present: Designated Safeguarding Lead, Headteacher." in page


def test_it_says_what_is_missing_in_each_branch_form(client, people, make_incident):
    incident = make_incident(possibly_illegal="yes")
    client.force_login(people.dsl)
    device = change(client, incident, "branch_device", secured="yes")
    assert device.status_code == 400
    page = device.content.decode()
    assert "Choose who secured the device" in page and "Say where the device is held" in page
    assert 'href="#id_branch_device-by"' in page  # the error summary links to the field
    meeting = change(client, incident, "branch_meeting").content.decode()
    for message in ("Select whether it was a strategy meeting or an incident review",
                    "Enter the date the meeting was held", "Tick the role of each person at the meeting",
                    "Say what the meeting decided"):
        assert message in meeting
    assert not IllegalBranch.objects.exists()


def test_it_refuses_a_stale_branch_change(client, people, make_incident):
    incident = make_incident(possibly_illegal="yes")
    client.force_login(people.dsl)
    seen = incident.version
    answer_device(incident, people)  # someone else, meanwhile
    response = client.post(reverse("incidents:change", args=[incident.pk, "branch_evidence"]), {
        "branch_evidence-version": seen, "branch_evidence-how": "Notes", "branch_evidence-where": "File",
        "branch_evidence-by": people.osl.pk})
    assert response.status_code == 409
    assert IllegalBranch.objects.get(incident=incident).evidence_how == ""


# ---------------------------------------------------------------- closing

def test_it_refuses_to_close_a_possibly_illegal_case_with_open_steps_in_the_service(make_incident, people):
    incident = with_level(make_incident(possibly_illegal="not_sure"), Level.ILLEGAL_NO_RISK)
    with pytest.raises(RuleBroken, match="6 steps of the flowchart are still open"):
        services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.REFERRED_AND_CLOSED,
                            expected_version=None)
    incident.refresh_from_db()
    assert incident.status == Status.NEW


def test_it_refuses_to_close_from_the_page_naming_the_open_steps(client, people, make_incident):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_IMMEDIATE_RISK)
    answer_evidence(incident, people)
    answer_device(incident, people)
    answer_meeting(incident, people)
    client.force_login(people.dsl)
    response = change(client, incident, "close", outcome=Outcome.REFERRED_AND_CLOSED)
    assert response.status_code == 400
    page = response.content.decode()
    assert "3 steps of the flowchart are still open" in page
    assert "Police (999): contacted, or why not" in page
    incident.refresh_from_db()
    assert incident.status == Status.NEW and not AuditEvent.objects.filter(verb="incident.closed").exists()


def test_it_closes_a_possibly_illegal_case_once_every_step_is_answered(client, people, make_incident):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_NO_RISK)
    answer_evidence(incident, people)
    answer_device(incident, people)
    answer_meeting(incident, people)
    refer(incident, people, Agency.POLICE_101)
    not_contacted(incident, people, Agency.CEOP, "No contact with a child")
    not_contacted(incident, people, Agency.IWF, "No web address")
    client.force_login(people.dsl)
    assert change(client, incident, "close", outcome=Outcome.REFERRED_AND_CLOSED,
                  close_unanswered_checklist="on").status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    with pytest.raises(RuleBroken, match="closed"):
        answer_meeting(incident, people)


def test_it_still_closes_a_case_nobody_thought_illegal_without_the_steps(make_incident, people):
    incident = with_level(make_incident(possibly_illegal="no"), Level.INAPPROPRIATE)
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.RESOLVED_INTERNALLY,
                        expected_version=None)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


# ---------------------------------------------------------------- queries

def test_it_shows_a_possibly_illegal_case_in_a_fixed_number_of_queries(client, people, make_incident,
                                                                      django_assert_max_num_queries):
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_IMMEDIATE_RISK)
    incident.staff_involved.add(people.other_staff)
    client.force_login(people.dsl)
    client.get(case_url(incident))  # the session settles
    with CaptureQueriesContext(connection) as first:
        client.get(case_url(incident))
    answer_evidence(incident, people)
    answer_device(incident, people)
    answer_meeting(incident, people)
    for agency in (Agency.POLICE_999, Agency.CEOP, Agency.SOCIAL_CARE):
        refer(incident, people, agency)
    not_contacted(incident, people, Agency.LADO, "Advice taken: no referral")
    with django_assert_max_num_queries(len(first)):
        page = client.get(case_url(incident)).content.decode()
    assert "Every step is answered." in page


# ---------------------------------------------------------------- the demo

def test_it_seeds_a_demo_case_mid_branch_and_closes_none_with_open_steps(settings):
    from django.core.management import call_command

    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    flagged = Incident.objects.filter(flowchart.possibly_illegal_q(), school__slug="oakfield")
    mid = flagged.get(possibly_illegal="not_sure", status=Status.OPEN)
    assert open_keys(mid) == ["meeting", "agency-ceop", "agency-iwf"]  # evidence, device and the police done
    for closed in flagged.filter(status=Status.CLOSED):
        assert open_keys(closed) == [], closed.reference
