"""Policies on the home page: approvals waiting, reviews overdue, duties due, policies to read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from onlinesafety.navigation import home_panels_for
from onlinesafety.schools.roles import Role
from policies import services
from policies.models import ApprovingBody, Duty, Policy, PolicyKind
from policies.panels import approval_panels, reading_panels, review_panels

pytestmark = pytest.mark.django_db


def make_policy(school, people, title, body=ApprovingBody.HEADTEACHER, **fields):
    return services.create_policy(school=school, actor=people.head, title=title, kind=PolicyKind.ONLINE_SAFETY,
                                  owner=people.osl, owner_role=Role.ONLINE_SAFETY_LEAD, approving_body=body,
                                  review_cycle_months=12, **fields)


def test_it_shows_the_head_the_drafts_waiting_for_approval(oakfield, riverside, people,
                                                           django_assert_max_num_queries):
    policy = make_policy(oakfield, people, "Online safety")
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="Text.")
    services.submit_for_approval(policy=policy, actor=people.osl)
    with django_assert_max_num_queries(3):
        [panel] = approval_panels(people.head, oakfield)
    assert panel.count == 1 and panel.links[0].label == "Online safety"
    assert approval_panels(people.governor, oakfield)[0].count == 0  # the head approves this one
    assert approval_panels(people.riverside_dsl, riverside)[0].count == 0


def test_it_shows_the_lead_overdue_reviews_and_duties_due(oakfield, people, django_assert_max_num_queries):
    today = timezone.localdate()
    make_policy(oakfield, people, "Mobile phones", last_approved_on=today - timedelta(days=500))
    Policy.objects.filter(title="Mobile phones").update(next_review_on=today - timedelta(days=5))
    Duty.objects.filter(school=oakfield).update(next_due_on=today + timedelta(days=400))
    Duty.objects.filter(school=oakfield, code="filtering_check").update(next_due_on=today + timedelta(days=3))
    with django_assert_max_num_queries(5):
        overdue, duties = review_panels(people.osl, oakfield)
    assert overdue.count == 1 and overdue.links[0].label == "Mobile phones"
    assert duties.count == 1
    assert "Policies overdue for review" in [p.title for p in home_panels_for(people.osl, oakfield)]
    assert "Policies overdue for review" not in [p.title for p in home_panels_for(people.reporter, oakfield)]


def test_it_lists_policies_a_teacher_has_still_to_read(oakfield, people):
    policy = make_policy(oakfield, people, "Acceptable use", staff_must_read=True)
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="Text.")
    services.submit_for_approval(policy=policy, actor=people.osl)
    services.approve(policy=policy, actor=people.head, approved_on=timezone.localdate())
    assert reading_panels(people.reporter, oakfield)[0].count == 1
    assert reading_panels(people.parent, oakfield)[0].count == 0
