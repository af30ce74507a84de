"""The daily reminder run: 30, 7 and 0 days before a review or duty is due, then weekly while overdue."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.services import record_event
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.schools.models import Membership, School
from onlinesafety.schools.roles import Role

from . import schedule
from .models import Duty, Policy, ReminderSent


@dataclass(frozen=True)
class DueItem:
    item_type: str
    item_id: int
    title: str
    due_on: date
    owners: tuple
    url: str


def send_due_reminders(*, now=None) -> int:
    """Send every reminder due today in each school's own time zone. Returns how many were sent.

    Each (item, due date, threshold) is recorded in the same transaction as its emails, so running this twice,
    or again after a crash, sends nothing more.
    """
    now = now or timezone.now()
    sent = 0
    for school in School.objects.all().order_by("pk"):
        today = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date()
        sent += _remind_school(school, today)
    return sent


def _remind_school(school, today) -> int:
    people = _people_by_role(school)
    already = set(
        ReminderSent.objects.filter(school=school).values_list("item_type", "item_id", "due_on", "threshold")
    )
    sent = 0
    for item in _due_items(school, people):
        threshold = schedule.reminder_threshold(item.due_on, today)
        if threshold is None or (item.item_type, item.item_id, item.due_on, threshold) in already:
            continue
        # With nobody in the owner's role, the headteacher hears instead; with nobody at all, the band is
        # left unused so it goes out once someone can receive it.
        recipients = set(item.owners) or set(people[Role.HEADTEACHER])
        if threshold.startswith("overdue"):
            recipients |= set(people[Role.HEADTEACHER]) | set(people["safeguarding_governor"])
        if recipients:
            sent += _send(school, item, threshold, recipients, today)
    return sent


def _send(school, item, threshold, recipients, today) -> int:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(school=school, item_type=item.item_type, item_id=item.item_id,
                                        due_on=item.due_on, threshold=threshold)
            subject, body = _message(item, threshold, today)
            for user in sorted(recipients, key=lambda u: u.pk):
                queue_email(to=user.email, subject=subject, body=body, kind="compliance_reminder")
            record_event(verb="compliance.reminder_sent", school=school,
                         detail={"item": item.item_type, "id": item.item_id, "threshold": threshold,
                                 "people": len(recipients)})
    except IntegrityError:  # another run recorded it first
        return 0
    return 1


def _message(item, threshold, today) -> tuple[str, str]:
    when = f"{item.due_on.day} {item.due_on:%B %Y}"
    if threshold.startswith("overdue"):
        days = (today - item.due_on).days
        subject = f"Overdue: {item.title}"
        lead = f"{item.title} was due on {when} and is {days} day{'s' if days != 1 else ''} overdue."
    elif threshold == "0":
        subject, lead = f"Due today: {item.title}", f"{item.title} is due today."
    else:
        days = (item.due_on - today).days
        subject = f"Due in {days} day{'s' if days != 1 else ''}: {item.title}"
        lead = f"{item.title} is due on {when}."
    return subject, f"{lead}\n\nSign in to see it: {absolute_url(item.url)}\n"


def _people_by_role(school) -> dict:
    people = defaultdict(list)
    memberships = Membership.objects.filter(school=school, is_active=True, user__is_active=True).select_related("user")
    for membership in memberships:
        people[membership.role].append(membership.user)
        if membership.is_safeguarding_governor:
            people["safeguarding_governor"].append(membership.user)
    return people


def _due_items(school, people):
    policies = Policy.objects.filter(school=school, next_review_on__isnull=False).select_related("owner")
    members = {user.pk for users in people.values() for user in users}
    for policy in policies:
        if policy.next_review_on is None:  # never, by the filter: for the type checker
            continue
        # Not someone who has left, nor an owner not yet named: the headteacher hears instead.
        owner = policy.owner
        owner_here = owner is not None and owner.is_active and owner.pk in members
        yield DueItem("policy", policy.pk, f"The review of “{policy.title}”", policy.next_review_on,
                      (owner,) if owner_here else (), reverse("policies:detail", args=[policy.pk]))
    for duty in Duty.objects.filter(school=school):
        yield DueItem("duty", duty.pk, duty.title, duty.next_due_on, tuple(people[duty.owner_role]),
                      reverse("policies:compliance"))
