"""What each person may do with policies and the compliance calendar: the one place the policies app decides
rights.

Views check these through ``school_member_required(...)`` and ``selectors.get_policy_for_user(..., needed=)`` /
``selectors.get_duty_for_user(..., needed=)``; services check them again for the actor; templates get the
``PolicyAccess`` and ``DutyAccess`` booleans and the page predicates.
"""

from dataclasses import dataclass
from typing import Literal

from onlinesafety.access import HasRole
from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import SAFEGUARDING_LEADS, SCHOOL_STAFF, STAFF_AND_GOVERNORS, Role
from onlinesafety.schools.selectors import roles_in

from .models import ApprovingBody, Duty, Policy

# The register, each policy's page and its published versions: staff and governors.
can_read_register = HasRole(STAFF_AND_GOVERNORS)
# Add policies and change their details: the headteacher and the safeguarding team.
can_edit_policies = HasRole(SAFEGUARDING_LEADS)
# Call an early review of any policy (a development, a threat, an incident): the same people.
can_call_early_review = HasRole(SAFEGUARDING_LEADS)
# The compliance calendar, each duty's page and its evidence: staff and governors.
can_see_calendar = HasRole(STAFF_AND_GOVERNORS)
# Read and acknowledge the policies marked "staff must read": every member of staff.
must_read_policies = HasRole(SCHOOL_STAFF)

PolicyRight = Literal["edit", "run_review", "approve", "early_review", "upload"]
DutyRight = Literal["complete"]


@dataclass(frozen=True)
class PolicyAccess:
    """A policy and what this person may do with it."""

    policy: Policy
    edit: bool  # change its details
    run_review: bool  # start a scheduled review, draft, submit, remind readers
    approve: bool  # record approval, or send the draft back
    early_review: bool  # start a review before it is due
    upload: bool  # put the school's own policy, already approved, on a starter policy not yet uploaded


def approver_role(policy: Policy) -> Role:
    """The role that approves ``policy``: the headteacher, or governors for the governing body or committee."""
    return Role.HEADTEACHER if policy.approving_body == ApprovingBody.HEADTEACHER else Role.GOVERNOR


def policy_access(user: Person, school: School, policy: Policy) -> PolicyAccess:
    """The owner and the headteacher run the review; the approving body approves; the safeguarding team and
    the headteacher edit details and may call an early review, as may the owner; any of them uploads a starter
    policy's document."""
    roles = roles_in(user, school)
    is_owner = policy.owner_id is not None and policy.owner_id == user.pk
    return PolicyAccess(
        policy=policy,
        edit=can_edit_policies(user, school),
        run_review=is_owner or Role.HEADTEACHER in roles,
        approve=approver_role(policy) in roles,
        early_review=is_owner or can_call_early_review(user, school),
        upload=is_owner or Role.HEADTEACHER in roles or can_edit_policies(user, school),
    )


@dataclass(frozen=True)
class DutyAccess:
    """A duty of the compliance calendar and whether this person may record it done."""

    duty: Duty
    complete: bool


def duty_access(user: Person, school: School, duty: Duty) -> DutyAccess:
    """Anyone holding the duty's owner role records it, and the headteacher."""
    roles = roles_in(user, school)
    return DutyAccess(duty=duty, complete=duty.owner_role in roles or Role.HEADTEACHER in roles)
