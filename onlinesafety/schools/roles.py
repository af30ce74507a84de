"""Roles a person can hold in a school, and the groups that features test against."""

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


DSL_TEAM = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD})
LEADERSHIP = frozenset({Role.HEADTEACHER}) | DSL_TEAM
# Everyone employed by or working in the school, who may see the pupil roster.
SCHOOL_STAFF = LEADERSHIP | frozenset({Role.STAFF, Role.TECHNICIAN})

# Adults who work in or govern the school: the people a confidential record may be shared with.
SHARE_ROLES = frozenset(Role) - {Role.PARENT, Role.VISITOR}

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


def primary_role(roles) -> Role | None:
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return role
    return None
