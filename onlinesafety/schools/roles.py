"""Roles a person can hold in a school, and the role sets that rights are built from.

Every set of roles the product tests against is defined here, once, with a name that says what it is for.
Apps never combine roles themselves: each app's ``rights.py`` names its rights as predicates over these sets.
"""

from django.db import models


class Role(models.TextChoices):
    HEADTEACHER = "headteacher", "Headteacher"
    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    ONLINE_SAFETY_LEAD = "online_safety_lead", "Online Safety Lead"
    STAFF = "staff", "Staff member"
    TECHNICIAN = "technician", "IT technician"
    GOVERNOR = "governor", "Governor"
    PARENT = "parent", "Parent or carer"
    VISITOR = "visitor", "Visitor"


RoleSet = frozenset[str]

# The safeguarding team: told of every concern; triage cases, run the provider log and the self-review.
DSL_TEAM: RoleSet = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD})
# The team and the headteacher: manage cases, decide filtering changes, edit policies, see agreement coverage.
SAFEGUARDING_LEADS: RoleSet = DSL_TEAM | {Role.HEADTEACHER}
# Everyone employed in the school: the pupil roster and the registers; ask for filtering changes; read policies.
SCHOOL_STAFF: RoleSet = SAFEGUARDING_LEADS | {Role.STAFF, Role.TECHNICIAN}
# Adults who work in or govern the school: read policies and agreements, sign the staff agreement, and the
# only people a confidential record may be shared with.
STAFF_AND_GOVERNORS: RoleSet = SCHOOL_STAFF | {Role.GOVERNOR}
# Who may report a concern: staff, and visitors (supply staff, students) who see something in school.
CONCERN_REPORTERS: RoleSet = SCHOOL_STAFF | {Role.VISITOR}
# Every adult member but parents: may report a website that should (or should not) be blocked.
ADULT_MEMBERS: RoleSet = STAFF_AND_GOVERNORS | {Role.VISITOR}
# The leads and the governors: the compliance calendar and the governors' termly reports.
LEADS_AND_GOVERNORS: RoleSet = SAFEGUARDING_LEADS | {Role.GOVERNOR}
# Filtering: the leads and the technicians see every change request and record checks ...
FILTERING_TEAM: RoleSet = SAFEGUARDING_LEADS | {Role.TECHNICIAN}
# ... and with the governors read the change log, the checks and the annual reviews.
FILTERING_OVERSIGHT: RoleSet = FILTERING_TEAM | {Role.GOVERNOR}
# The provider's blocked-access logs: the safeguarding team and the technicians.
PROVIDER_LOG_READERS: RoleSet = DSL_TEAM | {Role.TECHNICIAN}
# Edit and publish agreements, and email parents: the Online Safety Lead and the headteacher.
AGREEMENT_MANAGERS: RoleSet = frozenset({Role.ONLINE_SAFETY_LEAD, Role.HEADTEACHER})
# One role each, for the few rights and lists that name a single role.
PARENTS: RoleSet = frozenset({Role.PARENT})
GOVERNORS: RoleSet = frozenset({Role.GOVERNOR})
TECHNICIANS: RoleSet = frozenset({Role.TECHNICIAN})
# Build a governors' report: the headteacher, the DSL and the Online Safety Lead.
REPORT_BUILDERS: RoleSet = frozenset({Role.HEADTEACHER, Role.DSL, Role.ONLINE_SAFETY_LEAD})
# See the school's people and their roles: the headteacher, the DSL and the deputy.
PEOPLE_READERS: RoleSet = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL})

# Must sign in with a second factor in every school (with the chair of governors and the site administrator); a
# school can ask it of all its staff and governors (STAFF_AND_GOVERNORS) too.
SECOND_FACTOR_ROLES: RoleSet = SAFEGUARDING_LEADS

# When a person holds several roles in one school, the home page speaks to the first of these.
ROLE_PRECEDENCE = [
    Role.HEADTEACHER,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.ONLINE_SAFETY_LEAD,
    Role.TECHNICIAN,
    Role.STAFF,
    Role.GOVERNOR,
    Role.PARENT,
    Role.VISITOR,
]


def primary_role(roles: frozenset[str] | set[str]) -> Role | None:
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return role
    return None
