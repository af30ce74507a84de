"""The policies app's panels on the home page (registered in ``apps.py``): a fixed number of queries each."""

from datetime import date

from django.urls import reverse
from django.utils import formats, timezone

from onlinesafety.accounts.models import User
from onlinesafety.navigation import PANEL_LINKS, HomePanel, PanelLink
from onlinesafety.schools.models import School

from . import selectors
from .models import Policy


def _policy_link(policy: Policy, detail: str = "") -> PanelLink:
    return PanelLink(policy.title, reverse("policies:detail", args=[policy.pk]), detail)


def _day(day: date | None) -> str:
    return formats.date_format(day, "j M Y") if day else "not set"


def approval_panels(user: User, school: School) -> list[HomePanel]:
    """Drafts waiting for this person's approval (two queries)."""
    waiting = selectors.awaiting_approval_by(user, school)
    return [HomePanel("Policies waiting for your approval", waiting.count(),
                      tuple(_policy_link(policy) for policy in waiting[:PANEL_LINKS]),
                      reverse("policies:register"), "The policy register")]


def review_panels(user: User, school: School) -> list[HomePanel]:
    """For those who edit policies: reviews overdue, and compliance duties due soon (four queries)."""
    today = timezone.localdate()
    overdue = selectors.overdue_reviews(user, school, today)
    duties = selectors.duties_due(school, today)
    return [
        HomePanel("Policies overdue for review", overdue.count(),
                  tuple(_policy_link(policy, f"review was due {_day(policy.next_review_on)}")
                        for policy in overdue[:PANEL_LINKS]),
                  reverse("policies:register"), "The policy register"),
        HomePanel("Compliance duties due", duties.count(),
                  tuple(PanelLink(duty.title, reverse("policies:duty", args=[duty.pk]),
                                  f"due {formats.date_format(duty.next_due_on, 'j M Y')}")
                        for duty in duties[:PANEL_LINKS]),
                  reverse("policies:compliance"), "The compliance calendar"),
    ]


def reading_panels(user: User, school: School) -> list[HomePanel]:
    """Policies this member of staff has still to read (two queries)."""
    unread = selectors.unread_policies(user, school)
    return [HomePanel("Policies to read", unread.count(),
                      tuple(PanelLink(policy.title, reverse("policies:to_read")) for policy in unread[:PANEL_LINKS]),
                      reverse("policies:to_read"), "Read them")]
