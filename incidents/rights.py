"""What each person may do with incidents: the one place the incidents app decides rights.

Views check these through ``school_member_required(...)`` and ``selectors.get_incident_for_user(..., needed=)``;
services check them again for the actor; templates get the ``CaseAccess`` booleans.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Literal

from django.db.models import Q

from onlinesafety.access import HasRole
from onlinesafety.accounts.models import User
from onlinesafety.schools.models import Membership, School
from onlinesafety.schools.roles import CONCERN_REPORTERS, DSL_TEAM, SAFEGUARDING_LEADS, STAFF_AND_GOVERNORS, Role
from onlinesafety.schools.selectors import roles_in

from .models import Incident, IncidentUserObjectPermission, Visibility

can_report = HasRole(CONCERN_REPORTERS)
# The dashboard, a pupil's chronology, the log export and the response tables.
can_triage = HasRole(SAFEGUARDING_LEADS)
# The response tables (behaviour x response): the safeguarding leads read and edit them, saved as a new version.
can_edit_response_tables = HasRole(SAFEGUARDING_LEADS)
# Who a case can be assigned to (the same people as triage).
can_be_assigned = HasRole(SAFEGUARDING_LEADS)
# Who a case may be shared with, or given an action on: an adult who works in or governs the school.
can_be_shared_with = HasRole(STAFF_AND_GOVERNORS)
# The pupils' "tell a trusted adult" link: shown, regenerated and switched off by the safeguarding leads.
can_manage_pupil_link = HasRole(SAFEGUARDING_LEADS)
# Who a concern can be about, as staff involved or as the subject of an allegation.
can_be_named_as_staff = HasRole(CONCERN_REPORTERS)


class Access(IntEnum):
    REPORTER = 1  # the person who reported it: status and feedback only
    VIEW = 2  # shared to read
    CONTRIBUTE = 3  # shared to work on: notes, actions, status ... but not sharing
    MANAGE = 4  # the role's own cases: everything, including sharing


CaseRight = Literal["read", "work", "share", "manage"]


@dataclass(frozen=True)
class CaseAccess:
    """A case and how far this person may go with it."""

    incident: Incident
    level: Access

    @property
    def read(self) -> bool:  # the whole case record
        return self.level >= Access.VIEW

    @property
    def work(self) -> bool:  # notes, actions, status, evidence
        return self.level >= Access.CONTRIBUTE

    @property
    def share(self) -> bool:  # share and revoke
        return self.level >= Access.MANAGE

    @property
    def manage(self) -> bool:  # the harm's procedure checklists: the team whose role gives them the case
        return self.level >= Access.MANAGE


def is_chair(user: User, school: School) -> bool:
    """Whether ``user`` chairs the school's governors (asked once per school for the request's user)."""
    cache: dict[int, bool] = user.__dict__.setdefault("_onlinesafety_chair_of", {})
    if school.pk not in cache:
        cache[school.pk] = Membership.objects.filter(
            user=user, school=school, role=Role.GOVERNOR, is_chair=True, is_active=True
        ).exists()
    return cache[school.pk]


def reach(user: User, school: School) -> set[Visibility]:
    """The case visibilities a person's roles give them, whatever is shared."""
    roles = roles_in(user, school)
    visibilities: set[Visibility] = set()
    if roles & DSL_TEAM:
        visibilities.add(Visibility.DSL_TEAM)
    if Role.HEADTEACHER in roles:
        visibilities |= {Visibility.DSL_TEAM, Visibility.HEADTEACHER}
    if Role.GOVERNOR in roles and is_chair(user, school):
        visibilities.add(Visibility.CHAIR)
    return visibilities


def reach_filter(user: User, school: School) -> Q:
    return Q(visibility__in=reach(user, school))


def _shared_level(user: User, incident: Incident) -> Access | None:
    codenames = set(
        IncidentUserObjectPermission.objects.filter(user=user, content_object=incident)
        .values_list("permission__codename", flat=True)
    )
    if "change_incident" in codenames:
        return Access.CONTRIBUTE
    if "view_incident" in codenames:
        return Access.VIEW
    return None


def case_access(user: User, incident: Incident) -> CaseAccess | None:
    """How far ``user`` may go with ``incident``; None if they may not see it at all."""
    level = _level(user, incident)
    return CaseAccess(incident, level) if level is not None else None


def _level(user: User, incident: Incident) -> Access | None:
    """Nobody sees a case about themselves; a share counts only while they hold a staff or governor role in the
    school; the reporter keeps a reporter's view."""
    school = incident.school
    if not roles_in(user, school) or incident.subject_of_allegation_id == user.pk:
        return None
    if incident.visibility in reach(user, school):
        return Access.MANAGE
    shared = _shared_level(user, incident) if can_be_shared_with(user, school) else None
    if shared is not None:
        return shared
    # A pupil's or a parent's report has no reporter account (None): it matches nobody, never a person whose pk is
    # unset.
    if incident.reported_by_id is not None and incident.reported_by_id == user.pk:
        return Access.REPORTER
    return None


def may(user: User, incident: Incident, needed: CaseRight) -> bool:
    """Whether ``user`` may do ``needed`` to ``incident`` (the services' own check)."""
    access = case_access(user, incident)
    return access is not None and bool(getattr(access, needed))


def asks_step_up(incident: Incident, now: datetime) -> bool:
    """Opening it asks for a recent second factor: an allegation about staff, or a case older than the school's
    step-up age (CPOMS's "elevated access" to historic records)."""
    if incident.visibility != Visibility.DSL_TEAM or incident.subject_of_allegation_id is not None:
        return True
    return incident.reported_at < now - timedelta(days=incident.school.step_up_case_age_days)
