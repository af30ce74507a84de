"""What each person may do with filtering: the one place the filtering app decides rights.

Views check these through ``school_member_required(...)`` and the selectors' ``get_change_for_user`` and
``get_review_for_user`` (``needed=``); services check them again for the actor; templates get the booleans.
"""

from dataclasses import dataclass
from typing import Literal

from django.db.models import Q

from onlinesafety.access import HasRole
from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import (
    ADULT_MEMBERS,
    DSL_TEAM,
    FILTERING_OVERSIGHT,
    FILTERING_TEAM,
    PROVIDER_LOG_READERS,
    SAFEGUARDING_LEADS,
    SCHOOL_STAFF,
    TECHNICIANS,
)

from .models import AnnualReview, ChangeRequest

# Any member of staff asks for a change (and sees the requests they made).
can_ask_for_changes = HasRole(SCHOOL_STAFF)
# The leads and the technicians see every request, and record the monthly checks.
sees_every_change = HasRole(FILTERING_TEAM)
can_record_checks = HasRole(FILTERING_TEAM)
# With the governors, they read the change log (and export it), the checks and the annual reviews.
can_read_oversight = HasRole(FILTERING_OVERSIGHT)
# The leads decide on changes and record the annual review.
can_decide_changes = HasRole(SAFEGUARDING_LEADS)
can_record_review = HasRole(SAFEGUARDING_LEADS)
# ... and record who provides the school's filtering and monitoring (the settings page, a set-up checklist item).
can_record_providers = HasRole(SAFEGUARDING_LEADS)
# The provider's blocked-access logs: import them and read the summary ...
can_read_provider_logs = HasRole(PROVIDER_LOG_READERS)
# ... and, for the safeguarding team, open a case from a flag.
can_open_case_from_flag = HasRole(DSL_TEAM)
# Any adult member (not a parent) reports a site that should, or should not, be blocked.
can_report_site = HasRole(ADULT_MEMBERS)


def can_open_changes(user: Person, school: School) -> bool:
    """The change requests' pages (each one still limited by ``change_reach``): those who ask, and those who oversee.
    A governor reaches none of them: the change log lists each step as text for them, with no link."""
    return can_ask_for_changes(user, school) or can_read_oversight(user, school)


def can_list_changes(user: Person, school: School) -> bool:
    """The list of change requests (its tab and menu entry): those who ask, and the filtering team. A governor
    asks for none and sees none there, so they read the change log instead."""
    return can_ask_for_changes(user, school) or sees_every_change(user, school)


# Technicians carry out (and revert) changes in the filtering system, and never decide on them.
is_technician = HasRole(TECHNICIANS)


def change_reach(user: Person, school: School) -> Q:
    """The change requests of ``school`` this person sees: all of them for the filtering team, their own for
    other staff, none for anyone else."""
    if sees_every_change(user, school):
        return Q()
    if can_ask_for_changes(user, school):
        return Q(requested_by=user.pk)
    return Q(pk__in=[])


ChangeRight = Literal["decide", "implement"]

TECHNICIAN_MAY_NOT_DECIDE = "A technician carries out changes and may not approve them."
ONLY_LEADS_DECIDE = "Only the safeguarding team or the headteacher can decide on a change."
NOT_THE_REQUESTER = "Someone other than the person who asked must decide."
ONLY_TECHNICIANS_IMPLEMENT = "Only a technician records changes made in the filtering system."


def decide_refusal(user: Person, change: ChangeRequest) -> str | None:
    """Why ``user`` may not approve or refuse ``change`` (two-person control), or None if they may: a lead,
    never a technician (even one who is also a lead), never the person who asked."""
    if is_technician(user, change.school):
        return TECHNICIAN_MAY_NOT_DECIDE
    if not can_decide_changes(user, change.school):
        return ONLY_LEADS_DECIDE
    if user.pk == change.requested_by_id:
        return NOT_THE_REQUESTER
    return None


@dataclass(frozen=True)
class ChangeAccess:
    """A change request and what this person may do with it."""

    change: ChangeRequest
    decide: bool  # approve or refuse it
    implement: bool  # record it as made in the filtering system, and revert it


def change_access(user: Person, change: ChangeRequest) -> ChangeAccess:
    """What ``user`` may do with ``change`` (who may see it at all is ``change_reach``)."""
    return ChangeAccess(change=change, decide=decide_refusal(user, change) is None,
                        implement=is_technician(user, change.school))


ReviewRight = Literal["sign_off"]


def is_review_governor(user: Person, review: AnnualReview) -> bool:
    """The governor named on the review, the only person who signs it off."""
    return user.pk is not None and user.pk == review.governor_id


@dataclass(frozen=True)
class ReviewAccess:
    """An annual review and what this person may do with it."""

    review: AnnualReview
    sign_off: bool  # the governor named on it (signing twice is a state rule: "already signed off")


def review_access(user: Person, review: AnnualReview) -> ReviewAccess:
    return ReviewAccess(review=review, sign_off=is_review_governor(user, review))
