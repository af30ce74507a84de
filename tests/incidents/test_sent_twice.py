"""Every form of the incidents app sent twice with one token writes once: one case and one set of alerts from a
report sent twice, one note, one action, one referral."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Behaviour, Incident, Level, Outcome, Status
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .helpers import category, png_bytes, with_level

pytestmark = pytest.mark.django_db


def _change(name, **data):
    def case(s):
        incident = s.incident
        payload = {f"{name}-{key}": value(s) if callable(value) else value for key, value in data.items()}
        payload.setdefault(f"{name}-version", incident.version)
        return s.people.dsl, reverse("incidents:change", args=[incident.pk, name]), payload
    return case


def _report(s):
    data = {"immediate_risk": "yes", "possibly_illegal": "no", "location": "in_school",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "category": category(s.school).pk, "device": "school", "network": "school",
            "description": "Unkind messages in the class chat.", "no_pupil": "on"}
    return s.people.reporter, reverse("incidents:report"), data


def _closed(s):
    with_level(s.incident)
    services.close_case(incident=s.incident, actor=s.people.dsl, outcome=Outcome.RESOLVED_INTERNALLY,
                        expected_version=s.incident.version)
    s.incident.refresh_from_db()
    return _change("reopen", reason="New messages came to light")(s)


def _leveled(case):
    def leveled(s):
        with_level(s.incident)
        return case(s)
    return leveled


def _with_open_action(case):
    def with_action(s):
        services.add_action(incident=s.incident, actor=s.people.dsl, description="Speak to parents",
                            owner=s.people.osl, due_on=timezone.localdate())
        return _leveled(case)(s)
    return with_action


def _possibly_illegal(case, level=""):
    """The case flagged by its reporter as possibly illegal (and on ``level``'s branch), then ``case``."""
    def flagged(s):
        Incident.objects.filter(pk=s.incident.pk).update(possibly_illegal="not_sure", level=level)
        s.incident.refresh_from_db()
        return case(s)
    return flagged


def _evidence(s):
    user, url, data = _change("evidence")(s)
    return user, url, data, lambda: {"evidence-file": SimpleUploadedFile("shot.png", png_bytes(), "image/png")}


def _revoke(s):
    services.share_case(incident=s.incident, actor=s.people.dsl, colleague=s.people.other_staff, can_contribute=False)
    return s.people.dsl, reverse("incidents:revoke_share", args=[s.incident.pk, s.people.other_staff.pk]), {}


def _action_done(s):
    action = services.add_action(incident=s.incident, actor=s.people.dsl, owner=s.people.dsl, description="Call home",
                                 due_on=timezone.localdate())
    return s.people.dsl, reverse("incidents:action_done", args=[s.incident.pk, action.pk]), {}


def _responses(s):
    services.record_behaviours(incident=s.incident, actor=s.people.dsl, behaviours=[Behaviour.P_OFFENSIVE_MESSAGE],
                               expected_version=None)
    return s.people.dsl, reverse("incidents:take_responses", args=[s.incident.pk]), {"response": ["inform_parents"]}


def _tables(s):
    from incidents.forms import cell_field_name
    from incidents.selectors import current_response_tables, response_tables

    current = current_response_tables(s.school)
    data = {"based_on": current.number, "continued_threshold": 3, "continued_period_days": 365}
    for table in response_tables(current):
        for code, _, cells in table["rows"]:
            data.update({cell_field_name(code, response): value for response, value in cells})
    data[cell_field_name("p_proxy", "refer_police")] = "required"
    return s.people.dsl, reverse("incidents:response_tables"), data


def _checklist_answers(s):
    return (s.people.dsl, reverse("incidents:checklist_answer", args=[s.incident.pk, "cyberbullying"]),
            {"checklist-cyberbullying-evidence_kept": "yes", "checklist-cyberbullying-support": "no"})


def _checklist_clock(s):
    services.add_checklist(incident=s.incident, actor=s.people.dsl, kind="data_breach")
    discovered = (timezone.localtime() - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    return (s.people.dsl, reverse("incidents:checklist_clock", args=[s.incident.pk, "data_breach"]),
            {"clock-data_breach-started_at": discovered})
def _pupil_report(s):
    link = services.make_pupil_link(school=s.school, actor=s.people.dsl)
    data = {"what_happened": "Someone keeps messaging me.", "where": "messages", "danger_now": "no"}
    return None, reverse("incidents:tell", args=[services.pupil_link_token(link)]), data


def _parent_report(s):
    data = {"reporter_name": "Pat Carer", "reporter_email": "pat@home.example", "what_happened": "A video shared.",
            "occurred_on": timezone.localdate().isoformat(), "platform": "Social media", "danger_now": "no"}
    return None, reverse("incidents:parent_report", args=[s.school.slug]), data


def _pupil_link(s):
    return s.people.dsl, reverse("incidents:pupil_link"), {"action": "new"}


CASES = {
    "report": ("incidents:report", _report),
    "pupil report": ("incidents:tell", _pupil_report),
    "parent report": ("incidents:parent_report", _parent_report),
    "pupil link": ("incidents:pupil_link", _pupil_link),
    "acknowledge": ("incidents:change", _change("acknowledge")),
    "assign": ("incidents:change", _change("assign", assignee=lambda s: s.people.deputy.pk)),
    "level": ("incidents:change", _change("level", level=Level.INAPPROPRIATE)),
    "status": ("incidents:change", _change("status", status=Status.WAITING)),
    "close": ("incidents:change", _leveled(_change("close", outcome=Outcome.RESOLVED_INTERNALLY,
                                                   summary="Spoke to all", close_unanswered_checklist="on"))),
    "close with its open actions": ("incidents:change", _with_open_action(_change(
        "close", outcome=Outcome.RESOLVED_INTERNALLY, close_open_actions="on", close_unanswered_checklist="on"))),
    "reopen": ("incidents:change", _closed),
    "note": ("incidents:change", _change("note", kind="note", text="Spoke to the class teacher.")),
    "action": ("incidents:change", _change("action", description="Speak to parents", owner=lambda s: s.people.osl.pk,
                                           due_on=lambda s: timezone.localdate().isoformat())),
    "referral": ("incidents:change", _change("referral", agency="ceop", reference="C-1", contact="Duty team",
                                             referred_on=lambda s: timezone.localdate().isoformat())),
    "parents": ("incidents:change", _change("parents", pupil=lambda s: s.pupil.pk, who="Mother", method="phone",
                                            contacted_at=lambda s: timezone.localtime().strftime("%Y-%m-%dT%H:%M"))),
    "sanction": ("incidents:change", _change("sanction", pupil=lambda s: s.pupil.pk, kind="access_removed",
                                             until=lambda s: (timezone.localdate() + timedelta(days=7)).isoformat())),
    "share": ("incidents:change", _change("share", colleague=lambda s: s.people.other_staff.pk)),
    "pupil role": ("incidents:change", _change("pupil_role", pupil=lambda s: s.pupil.pk, role="witness")),
    "evidence": ("incidents:change", _evidence),
    "branch evidence": ("incidents:change", _possibly_illegal(_change(
        "branch_evidence", how="Address written down", where="Case file", by=lambda s: s.people.osl.pk))),
    "branch device": ("incidents:change", _possibly_illegal(_change(
        "branch_device", secured="yes", by=lambda s: s.people.osl.pk, held_at="DSL's safe"))),
    "branch meeting": ("incidents:change", _possibly_illegal(_change(
        "branch_meeting", kind="strategy", held_on=lambda s: timezone.localdate().isoformat(), roles=["dsl"],
        decision="Police to lead."))),
    "agency not contacted": ("incidents:change", _possibly_illegal(_change(
        "agency", agency="iwf", reason="No web address"), level=Level.ILLEGAL_NO_RISK)),
    "revoke share": ("incidents:revoke_share", _revoke),
    "action done": ("incidents:action_done", _action_done),
    "take responses": ("incidents:take_responses", _responses),
    "behaviours": ("incidents:change", _change("behaviours", behaviours=["p_proxy", "p_files"])),
    "response tables": ("incidents:response_tables", _tables),
    "checklist answers": ("incidents:checklist_answer", _checklist_answers),
    "checklist added": ("incidents:checklist_add", lambda s: (
        s.people.dsl, reverse("incidents:checklist_add", args=[s.incident.pk]),
        {"add_checklist-kind": "sharing_nudes"})),
    "checklist discovered": ("incidents:checklist_clock", _checklist_clock),
}


class Setting:
    def __init__(self, school, people, incident, pupil):
        self.school, self.people, self.incident, self.pupil = school, people, incident, pupil


@pytest.fixture
def setting(oakfield, people, make_incident, pupil):
    return Setting(oakfield, people, make_incident(pupils=[pupil]), pupil)


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, setting, case, django_capture_on_commit_callbacks):
    user, url, data, *files = case(setting)
    if user is not None:  # None: a form sent without an account (a pupil's or a parent's report)
        client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data, *files)
