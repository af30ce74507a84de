"""What every school starts with: the recurring duties of the compliance calendar (from the schedules in the seed
policies) and, for a school created from the set-up page, the starter policy register."""

from typing import TypedDict

from onlinesafety.schools.models import Phase
from onlinesafety.schools.roles import Role

from .models import ApprovingBody, PolicyKind, Recurrence

DUTIES = [
    {"code": "filtering_monitoring_review", "title": "Filtering and monitoring review",
     "description": "The yearly review against the DfE Filtering and Monitoring Standards, with a governor.",
     "owner_role": Role.DSL, "recurrence": Recurrence.YEARLY},
    {"code": "filtering_check", "title": "Filtering provision check",
     "description": "Test that filtering blocks what it should, on each kind of device and user group.",
     "owner_role": Role.TECHNICIAN, "recurrence": Recurrence.MONTHLY},
    {"code": "incident_log_audit", "title": "Incident log audit",
     "description": "Read the half term's online safety incidents for patterns and unfinished actions.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.HALF_TERMLY},
    {"code": "governor_report", "title": "Safeguarding report to governors",
     "description": "The termly report to governors, including online safety.",
     "owner_role": Role.HEADTEACHER, "recurrence": Recurrence.TERMLY},
    {"code": "training_audit", "title": "Staff online safety training audit",
     "description": "Check who needs online safety training this year, and book it.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.YEARLY},
    {"code": "aup_review", "title": "Acceptable use agreements review",
     "description": "Review every acceptable use agreement and publish new versions where needed.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.YEARLY},
]

# The body that governs each phase: a pupil referral unit (alternative provision) has a management committee.
MANAGED_BY_COMMITTEE = frozenset({Phase.ALTERNATIVE})

# What differs by phase in the calendar: who receives the termly report, and what the reviews look at (the
# codes, owners and recurrences never change: other features complete duties by their code).
PHASE_WORDING: dict[str, dict[str, dict[str, str]]] = {
    Phase.NURSERY: {
        "aup_review": {"description": "Review the acceptable use agreements (the picture agreement for the "
                                      "youngest children, the home agreement, staff and visitors) and publish new "
                                      "versions where needed."},
        "training_audit": {"description": "Check who needs online safety training this year, including the "
                                          "early years staff who use cameras and tablets with children, and book "
                                          "it."},
    },
    Phase.SECONDARY: {
        "aup_review": {"description": "Review every acceptable use agreement, including the one pupils sign for "
                                      "their own devices and accounts, and publish new versions where needed."},
    },
    Phase.ALTERNATIVE: {
        "governor_report": {"title": "Safeguarding report to the management committee",
                            "description": "The termly report to the management committee, including online "
                                           "safety."},
        "filtering_monitoring_review": {"description": "The yearly review against the DfE Filtering and "
                                                       "Monitoring Standards, with a member of the management "
                                                       "committee."},
    },
    Phase.SPECIAL: {
        "training_audit": {"description": "Check who needs online safety training this year, including how to "
                                          "teach it to pupils with special educational needs, and book it."},
    },
}


def duties_for(phase: str) -> list[dict[str, str]]:
    """The school's recurring duties: the same six codes for every phase, worded for the phase."""
    wording = PHASE_WORDING.get(phase, {})
    return [{**duty, **wording.get(duty["code"], {})} for duty in DUTIES]


class StarterPolicy(TypedDict):
    code: str
    title: str
    kind: PolicyKind
    owner_role: Role
    approving_body: ApprovingBody
    review_cycle_months: int
    staff_must_read: bool


# The starter register: the policies an online-safety inspection asks about, each with the role that usually
# owns it, who approves it and how often it is reviewed. The school uploads its own documents.
STARTER_POLICIES: list[StarterPolicy] = [
    {"code": "online_safety", "title": "Online Safety Policy", "kind": PolicyKind.ONLINE_SAFETY,
     "owner_role": Role.ONLINE_SAFETY_LEAD, "approving_body": ApprovingBody.GOVERNING_BODY,
     "review_cycle_months": 12, "staff_must_read": True},
    {"code": "acceptable_use", "title": "Acceptable Use Policy", "kind": PolicyKind.AUP,
     "owner_role": Role.ONLINE_SAFETY_LEAD, "approving_body": ApprovingBody.HEADTEACHER,
     "review_cycle_months": 12, "staff_must_read": True},
    {"code": "safeguarding", "title": "Safeguarding and Child Protection Policy", "kind": PolicyKind.SAFEGUARDING,
     "owner_role": Role.DSL, "approving_body": ApprovingBody.GOVERNING_BODY, "review_cycle_months": 12,
     "staff_must_read": True},
    {"code": "data_protection", "title": "Data Protection Policy", "kind": PolicyKind.DATA_PROTECTION,
     "owner_role": Role.HEADTEACHER, "approving_body": ApprovingBody.GOVERNING_BODY, "review_cycle_months": 24,
     "staff_must_read": False},
    {"code": "mobile_devices", "title": "Mobile Phones and Personal Devices Policy", "kind": PolicyKind.MOBILE,
     "owner_role": Role.HEADTEACHER, "approving_body": ApprovingBody.HEADTEACHER, "review_cycle_months": 12,
     "staff_must_read": True},
    {"code": "social_media", "title": "Social Media Policy", "kind": PolicyKind.SOCIAL_MEDIA,
     "owner_role": Role.DSL, "approving_body": ApprovingBody.GOVERNING_BODY, "review_cycle_months": 12,
     "staff_must_read": False},
    {"code": "remote_learning", "title": "Remote Learning Policy", "kind": PolicyKind.REMOTE_LEARNING,
     "owner_role": Role.HEADTEACHER, "approving_body": ApprovingBody.HEADTEACHER, "review_cycle_months": 12,
     "staff_must_read": False},
    {"code": "staff_conduct", "title": "Staff Code of Conduct", "kind": PolicyKind.STAFF_CONDUCT,
     "owner_role": Role.HEADTEACHER, "approving_body": ApprovingBody.GOVERNING_BODY, "review_cycle_months": 12,
     "staff_must_read": True},
]


def starter_policies_for(phase: str) -> list[StarterPolicy]:
    """The starter register for a school of ``phase``: a pupil referral unit's management committee approves
    what a governing body approves elsewhere."""
    if phase not in MANAGED_BY_COMMITTEE:
        return list(STARTER_POLICIES)
    return [{**policy, "approving_body": ApprovingBody.MANAGEMENT_COMMITTEE}
            if policy["approving_body"] == ApprovingBody.GOVERNING_BODY else policy for policy in STARTER_POLICIES]
