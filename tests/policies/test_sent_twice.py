"""Every form of the policies app sent twice with one token writes once: one policy, one review, one draft, one
approval, one reminder round, one duty completion."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from policies import services
from policies.models import Duty
from tests.incidents.helpers import incident_fields
from tests.sent_twice import assert_sent_once, forms_sent_twice

pytestmark = pytest.mark.django_db


def _policy_data(s, title="Online Safety Policy"):
    return {"title": title, "kind": "online_safety", "owner": s.people.osl.pk, "owner_role": "online_safety_lead",
            "approving_body": "headteacher", "review_cycle_months": 12, "last_approved_on": "2026-01-10"}


def _reviewing(s):
    policy = s.make_policy()
    services.start_review(policy=policy, actor=s.people.osl)
    return policy


def _submitted(s):
    policy = _reviewing(s)
    services.save_draft(policy=policy, actor=s.people.osl, change_summary="New", text="The policy.")
    services.submit_for_approval(policy=policy, actor=s.people.osl)
    return policy


def _on(name, who, data, make):
    def case(s):
        policy = make(s)
        return getattr(s.people, who), reverse(f"policies:{name}", args=[policy.pk]), data
    return case


def _early_review(s):
    policy = s.make_policy(title="Social Media Policy")
    incident = incident_services.report_incident(school=s.school, reporter=s.people.reporter,
                                                 **incident_fields(s.school))
    return s.people.dsl, reverse("policies:early_review_for_incident", args=[incident.pk]), {
        "policy": policy.pk, "detail": "Group chats are not covered"}


def _duty(s):
    duty = Duty.objects.get(school=s.school, code="filtering_check")
    return s.people.technician, reverse("policies:duty", args=[duty.pk]), {
        "due_on": duty.next_due_on.isoformat(), "completed_on": timezone.localdate().isoformat(), "notes": "Fine"}



def _starter(s):
    services.set_up_starter_register(school=s.school)
    return s.school.policies.filter(versions__isnull=True).order_by("pk").first()


def _reviewing_with_draft(s):
    policy = _reviewing(s)
    services.save_draft(policy=policy, actor=s.people.osl, change_summary="New", text="The policy.")
    return policy


def _published_to_read(s):
    policy = s.make_policy(staff_must_read=True)
    services.start_review(policy=policy, actor=s.people.osl)
    services.save_draft(policy=policy, actor=s.people.osl, change_summary="New", text="The policy.")
    services.submit_for_approval(policy=policy, actor=s.people.osl)
    services.approve(policy=policy, actor=s.people.head, approved_on=timezone.localdate())
    return policy


CASES = {
    "add a policy": ("policies:create", lambda s: (s.people.head, reverse("policies:create"), _policy_data(s))),
    "edit": ("policies:edit", lambda s: (s.people.head, reverse("policies:edit", args=[s.make_policy().pk]),
                                         {**_policy_data(s, "Renamed policy"), "review_cycle_months": 6})),
    "start a review": ("policies:start_review", _on("start_review", "osl", {"reason": "scheduled"},
                                                    lambda s: s.make_policy())),
    "save a draft": ("policies:draft", _on("draft", "osl", {"change_summary": "Adds AI", "text": "New."}, _reviewing)),
    "upload the policy in force": ("policies:upload", _on("upload", "head", {
        "approved_on": "2026-09-15", "text": "Our policy.", "minute_reference": "FGB 15/09/2026"},
        _starter)),
    "submit": ("policies:submit", _on("submit", "osl", {}, lambda s: _reviewing_with_draft(s))),
    "approve": ("policies:approve", lambda s: _on("approve", "head", {"approved_on": timezone.localdate().isoformat()},
                                                  _submitted)(s)),
    "send back": ("policies:send_back", _on("send_back", "head", {"reason": "Add AI tools"}, _submitted)),
    "remind readers": ("policies:remind", _on("remind", "osl", {},
                                              lambda s: _published_to_read(s))),
    "acknowledge": ("policies:acknowledge", _on("acknowledge", "reporter", {}, lambda s: _published_to_read(s))),
    "early review from a case": ("policies:early_review_for_incident", _early_review),
    "complete a duty": ("policies:duty", _duty),
}


class Setting:
    def __init__(self, school, people, make_policy):
        self.school, self.people, self.make_policy = school, people, make_policy


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, make_policy, case,
                                                  django_capture_on_commit_callbacks):
    user, url, data = case(Setting(oakfield, people, make_policy))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data)
