from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import services
from incidents.models import Behaviour, CaseAction, Incident, Level, Outcome, Sanction, Status
from incidents.selectors import access_removals
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import RuleBroken

from .helpers import with_level

pytestmark = pytest.mark.django_db


def change(client, incident, name, **data):
    incident.refresh_from_db()
    payload = {f"{name}-{key}": value for key, value in data.items()}
    payload.setdefault(f"{name}-version", incident.version)
    return client.post(reverse("incidents:change", args=[incident.pk, name]), payload)


@pytest.fixture
def incident(make_incident, pupil):
    return make_incident(pupils=[pupil])


def test_it_acknowledges_assigns_and_sets_the_level(client, people, incident):
    client.force_login(people.dsl)
    assert change(client, incident, "acknowledge").status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.acknowledged_by, incident.assigned_to) == (Status.OPEN, people.dsl, people.dsl)
    assert change(client, incident, "assign", assignee=people.deputy.pk).status_code == 302
    assert change(client, incident, "level", level=Level.INAPPROPRIATE).status_code == 302
    incident.refresh_from_db()
    assert (incident.assigned_to, incident.level) == (people.deputy, Level.INAPPROPRIATE)
    kinds = list(incident.timeline.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["reported", "acknowledged", "assigned", "level"]
    verbs = set(AuditEvent.objects.filter(object_id=str(incident.pk)).values_list("verb", flat=True))
    assert {"incident.acknowledged", "incident.assigned", "incident.level_set"} <= verbs


def test_it_only_assigns_to_the_safeguarding_team(client, people, incident):
    client.force_login(people.dsl)
    response = change(client, incident, "assign", assignee=people.other_staff.pk)
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.assigned_to is None


def test_it_refuses_a_change_made_on_an_out_of_date_page(client, people, incident):
    seen = incident.version
    services.assign(incident=incident, actor=people.deputy, assignee=people.deputy, expected_version=seen)
    client.force_login(people.dsl)
    response = change(client, incident, "assign", assignee=people.osl.pk, version=seen)
    assert response.status_code == 409
    incident.refresh_from_db()
    assert incident.assigned_to == people.deputy  # the first change stands
    assert b"changed this case while you were working on it" in response.content


def test_it_tracks_actions_and_flags_overdue_ones(client, people, incident):
    client.force_login(people.dsl)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert change(client, incident, "action", description="Speak to parents", owner=people.osl.pk,
                  due_on=yesterday.isoformat()).status_code == 302
    action = CaseAction.objects.get()
    assert (action.owner, action.due_on, action.done_at) == (people.osl, yesterday, None)
    assert b"overdue" in client.get(reverse("incidents:case", args=[incident.pk])).content
    client.post(reverse("incidents:action_done", args=[incident.pk, action.pk]))
    action.refresh_from_db()
    assert action.done_by == people.dsl


def test_it_turns_ticked_responses_into_actions(client, people, incident):
    client.force_login(people.dsl)
    url = reverse("incidents:take_responses", args=[incident.pk])
    # Nothing is offered before the case says which behaviours it concerns (the kind of concern alone offers none).
    assert client.post(url, {"response": ["inform_parents"]}).status_code == 302
    assert not CaseAction.objects.exists()
    services.record_behaviours(incident=incident, actor=people.dsl, behaviours=[Behaviour.P_OFFENSIVE_MESSAGE],
                               expected_version=None)
    # The tables do not ask for the police for an offensive message: like a nonsense value, it was never offered,
    # so nothing is added.
    for wrong in ("not_a_response", "refer_police"):
        refused = client.post(url, {"response": ["inform_parents", wrong]}, follow=True)
        assert "Nothing was changed: a box ticked is not one the page offered" in refused.content.decode()
    assert not CaseAction.objects.exists()
    client.post(url, {"response": ["inform_parents", "refer_osl", "inform_parents"]})
    assert sorted(CaseAction.objects.values_list("response_code", flat=True)) == ["inform_parents", "refer_osl"]
    page = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert "Inform parents or carers (action created)" in page


def test_it_records_referrals_parents_and_sanctions(client, people, incident, pupil):
    client.force_login(people.dsl)
    today = timezone.localdate()
    assert change(client, incident, "referral", agency="ceop", referred_on=today.isoformat(), reference="C-123",
                  contact="Duty team").status_code == 302
    assert change(client, incident, "parents", pupil=pupil.pk, who="Mother", method="phone",
                  contacted_at=timezone.localtime().strftime("%Y-%m-%dT%H:%M")).status_code == 302
    until = today + timedelta(days=14)
    assert change(client, incident, "sanction", pupil=pupil.pk, kind="access_removed",
                  until=until.isoformat()).status_code == 302
    assert incident.referrals.get().reference == "C-123"
    assert incident.parent_contacts.get().who == "Mother"
    assert access_removals(incident.school, today) == {pupil.pk: until}
    kinds = set(incident.timeline.values_list("kind", flat=True))
    assert {"referral", "parents", "sanction"} <= kinds


def test_it_needs_a_date_for_removed_access(client, people, incident, pupil):
    client.force_login(people.dsl)
    response = change(client, incident, "sanction", pupil=pupil.pk, kind="access_removed")
    assert response.status_code == 400
    assert Sanction.objects.count() == 0


def test_it_refuses_a_referral_dated_in_the_future(client, people, incident):
    client.force_login(people.dsl)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert change(client, incident, "referral", agency="lado", referred_on=tomorrow.isoformat()).status_code == 400
    assert incident.referrals.count() == 0


def test_it_refuses_to_close_without_an_outcome_then_closes_and_reopens(client, people, incident):
    with_level(incident)
    client.force_login(people.dsl)
    assert change(client, incident, "close", outcome="").status_code == 400
    incident.refresh_from_db()
    assert incident.status == Status.NEW
    closed = change(client, incident, "close", outcome=Outcome.RESOLVED_INTERNALLY, summary="Spoke to all",
                    close_unanswered_checklist="on")
    assert closed.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.outcome) == (Status.CLOSED, Outcome.RESOLVED_INTERNALLY)
    assert incident.closed_at is not None
    assert change(client, incident, "reopen", reason="New messages came to light").status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.closed_at) == (Status.OPEN, "", None)


def test_it_keeps_a_closed_case_from_new_actions(people, incident):
    with_level(incident)
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                        expected_version=incident.version)
    with pytest.raises(RuleBroken):
        services.add_action(incident=incident, actor=people.dsl, description="x", owner=people.dsl,
                            due_on=timezone.localdate())


def test_it_refuses_a_closed_case_without_an_outcome_in_the_database(incident):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(status=Status.CLOSED, outcome="")


def test_it_waits_on_an_agency_and_back(client, people, incident):
    client.force_login(people.dsl)
    assert change(client, incident, "status", status=Status.WAITING).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.WAITING
    assert change(client, incident, "status", status="closed").status_code == 400


def test_it_records_every_view_and_shows_who_viewed(client, people, incident):
    for person in (people.dsl, people.deputy):
        client.force_login(person)
        client.get(reverse("incidents:case", args=[incident.pk]))
    views = AuditEvent.objects.filter(verb="incident.viewed", object_id=str(incident.pk))
    assert set(views.values_list("actor", flat=True)) == {people.dsl.pk, people.deputy.pk}
    page = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert escape(people.dsl.full_name) in page.split("Who has viewed this case")[1]  # "O'Brien" is escaped


def test_it_serves_evidence_only_as_a_download_with_no_sniffing(client, people, incident, png_upload):
    from onlinesafety.uploads import check_upload

    evidence = services.add_evidence(incident=incident, actor=people.dsl,
                                     upload=check_upload(png_upload, allowed=("image/png",), max_bytes=10**7))
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:evidence", args=[incident.pk, evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(verb="incident.evidence_downloaded").count() == 1


def test_it_gives_unknown_changes_a_404(client, people, incident):
    client.force_login(people.dsl)
    assert client.post(reverse("incidents:change", args=[incident.pk, "delete"])).status_code == 404
    assert client.get(reverse("incidents:change", args=[incident.pk, "note"])).status_code == 405


def test_it_returns_to_the_dashboard_but_never_to_another_site(client, people, incident):
    client.force_login(people.dsl)
    back = reverse("incidents:triage") + "?queue=new"
    response = client.post(reverse("incidents:change", args=[incident.pk, "acknowledge"]),
                           {"acknowledge-version": incident.version, "next": back})
    assert response.url == back
    response = client.post(reverse("incidents:change", args=[incident.pk, "note"]),
                           {"note-kind": "note", "note-text": "x", "next": "https://evil.example/"})
    assert response.url.startswith(reverse("incidents:case", args=[incident.pk]))


def test_it_does_not_half_reopen_a_closed_case(client, people, incident):
    with_level(incident)
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                        expected_version=incident.version)
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None  # closing counts as acknowledging
    client.force_login(people.dsl)
    client.post(reverse("incidents:change", args=[incident.pk, "acknowledge"]),
                {"acknowledge-version": incident.version})
    incident.refresh_from_db()
    assert (incident.status, incident.outcome) == (Status.CLOSED, Outcome.NO_FURTHER_ACTION)


def test_it_keeps_actions_of_a_closed_case_as_they_were(people, incident):
    action = services.add_action(incident=incident, actor=people.dsl, description="x", owner=people.dsl,
                                 due_on=timezone.localdate())
    with_level(incident)
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                        expected_version=incident.version, close_open_actions=True)
    with pytest.raises(RuleBroken):
        services.complete_action(action=action, actor=people.dsl)
