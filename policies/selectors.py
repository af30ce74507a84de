"""Reads of policies and the compliance calendar that depend on who is asking. What each person may do is
decided in ``rights.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from onlinesafety.access import check_needed, found
from onlinesafety.accounts.models import Person, User
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import Role
from onlinesafety.schools.selectors import roles_in, users_with_roles
from onlinesafety.setup import ChecklistItem

from . import rights, schedule
from .models import Acknowledgement, ApprovingBody, Duty, DutyCompletion, Policy, PolicyVersion, Stage
from .rights import DutyAccess, DutyRight, PolicyAccess, PolicyRight

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class StatusAnnotation(TypedDict):
    status: str  # a key of STATUS_LABELS


class ReadAnnotation(TypedDict):
    read: bool  # this person has acknowledged the current version


def with_status(policies: QuerySet[Policy], today: date) -> QuerySet[WithAnnotations[Policy, StatusAnnotation]]:
    """Adds ``status``: the workflow stage while a review is open, else overdue / due soon / approved."""
    soon = today + timedelta(days=schedule.DUE_SOON_DAYS)
    return policies.annotate(
        status=Case(
            When(stage=Stage.NOT_UPLOADED, then=Value("not_uploaded")),
            When(stage=Stage.UNDER_REVIEW, then=Value("under_review")),
            When(stage=Stage.AWAITING_APPROVAL, then=Value("awaiting_approval")),
            When(current_version__isnull=True, next_review_on__isnull=True, then=Value("not_approved")),
            When(next_review_on__lt=today, then=Value("overdue")),
            When(next_review_on__lte=soon, then=Value("due_soon")),
            default=Value("approved"),
            output_field=CharField(),
        )
    )


STATUS_LABELS = {
    "approved": "Approved", "due_soon": "Review due soon", "under_review": "Under review",
    "awaiting_approval": "Awaiting approval", "overdue": "Overdue", "not_approved": "Never approved",
    "not_uploaded": "Not yet uploaded",
}

NOT_NAMED = "Not yet named"


def register(user: Person, school: School, today: date) -> QuerySet[WithAnnotations[Policy, StatusAnnotation]]:
    """The school's policies with their status, soonest review first; none for anyone who may not read them."""
    policies = with_status(Policy.objects.filter(school=school), today)
    if not rights.can_read_register(user, school):
        return policies.none()
    return policies.select_related("owner", "current_version").order_by("next_review_on", "title")


def status_counts(policies: QuerySet[WithAnnotations[Policy, StatusAnnotation]]) -> dict[str, int]:
    return {row["status"]: row["n"] for row in policies.order_by().values("status").annotate(n=Count("pk"))}


def get_policy_for_user(user: Person, school: School, policy_id: int, today: date,
                        needed: PolicyRight | None = None) -> PolicyAccess:
    """The policy (with its ``status``) and what this person may do with it.

    404 if they may not read the register (or it is another school's); 403 if they may not do ``needed``.
    """
    policy = found(register(user, school, today).filter(pk=policy_id).first(), "No such policy.")
    access = rights.policy_access(user, school, policy)
    check_needed(access, needed)
    return access


def policies_for_early_review(user: Person, school: School, today: date) -> list[Policy]:
    """The policies this person may call an early review of (from an incident's case page)."""
    return [policy for policy in register(user, school, today)
            if rights.policy_access(user, school, policy).early_review]


def versions_of(policy: Policy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related("created_by", "approved_by").order_by("-number")


def draft_of(policy: Policy) -> PolicyVersion | None:
    return policy.versions.filter(
        state__in=[PolicyVersion.State.DRAFT, PolicyVersion.State.SUBMITTED]
    ).first()


def get_version_for_user(user: Person, school: School, policy_id: int, version_id: int,
                         today: date) -> PolicyVersion:
    """Published versions for anyone who sees the register; drafts only for those who run, approve or edit
    the policy (404 for anyone else, as for a version that is not there)."""
    access = get_policy_for_user(user, school, policy_id, today)
    version = found(access.policy.versions.filter(pk=version_id).first(), "No such version.")
    if version.state != PolicyVersion.State.PUBLISHED and not (access.run_review or access.approve or access.edit):
        raise Http404("No such version.")
    return version


def readers_of(school: School) -> QuerySet[User]:
    """The staff who must read the policies marked "staff must read" (and who may own a policy)."""
    return users_with_roles(school, rights.must_read_policies.roles)


def acknowledgement_table(policy: Policy) -> list[tuple[User, datetime | None]]:
    """Each member of staff and when they acknowledged the current version (None if not yet)."""
    if policy.current_version_id is None or not policy.staff_must_read:
        return []
    acknowledged = dict(
        Acknowledgement.objects.filter(version_id=policy.current_version_id).values_list("user_id", "acknowledged_at")
    )
    return [(user, acknowledged.get(user.pk)) for user in readers_of(policy.school)]


def unacknowledged_readers(policy: Policy) -> list[User]:
    return [user for user, when in acknowledgement_table(policy) if when is None]


def policies_to_read(user: User, school: School) -> QuerySet[WithAnnotations[Policy, ReadAnnotation]]:
    """Policies staff must read, each marked ``read`` once this person has acknowledged its current version;
    none for anyone who need not read them."""
    acknowledged = Acknowledgement.objects.filter(version_id=OuterRef("current_version_id"), user=user)
    policies = (
        Policy.objects.filter(school=school, staff_must_read=True, current_version__isnull=False)
        .annotate(read=Exists(acknowledged))
        .select_related("current_version")
        .order_by("read", "title")
    )
    return policies if rights.must_read_policies(user, school) else policies.none()


def get_version_to_read(user: User, school: School, policy_id: int) -> PolicyVersion:
    """The current version of a policy this person must read (with its policy); 404 if it is not one."""
    policy = found(policies_to_read(user, school).filter(pk=policy_id).first(), "No such policy.")
    version = found(policy.current_version, "No such policy.")
    version.policy = policy
    return version


def public_policies(school_slug: str) -> tuple[School, QuerySet[Policy]]:
    school = found(School.objects.filter(slug=school_slug).first(), "No such school.")
    policies = (
        Policy.objects.filter(school=school, is_public=True, current_version__state=PolicyVersion.State.PUBLISHED)
        .select_related("current_version")
        .order_by("title")
    )
    return school, policies


def get_public_version(school_slug: str, policy_id: int) -> PolicyVersion:
    _, policies = public_policies(school_slug)
    policy = found(policies.filter(pk=policy_id).first(), "No such policy.")
    return found(policy.current_version, "No such policy.")


# ---------------------------------------------------------------- the compliance calendar

@dataclass(frozen=True)
class CalendarItem:
    kind: str  # "policy" or "duty"
    id: int
    title: str
    due_on: date
    owner: str
    status: str  # "overdue", "due_soon", "later"


class CalendarMonth(TypedDict):
    start: date
    items: list[CalendarItem]


class Calendar(TypedDict):
    overdue: list[CalendarItem]
    next_60_days: list[CalendarItem]
    months: list[CalendarMonth]


def duties_of(school: School) -> QuerySet[Duty]:
    return Duty.objects.filter(school=school).order_by("next_due_on", "title")


def duty_accesses(user: Person, school: School) -> list[DutyAccess]:
    """The school's duties, soonest first, each with whether this person may record it done."""
    return [rights.duty_access(user, school, duty) for duty in duties_of(school)]


def get_duty_for_user(user: Person, school: School, duty_id: int, needed: DutyRight | None = None) -> DutyAccess:
    """One of the school's duties; 404 for anyone who may not see the calendar (or another school's duty),
    403 if they may not do ``needed``."""
    duty = duties_of(school).filter(pk=duty_id).first() if rights.can_see_calendar(user, school) else None
    access = rights.duty_access(user, school, found(duty, "No such duty."))
    check_needed(access, needed)
    return access


def calendar_items(school: School, today: date) -> list[CalendarItem]:
    """Every policy review and duty with its next due date, soonest first."""
    items = [
        CalendarItem("policy", p.pk, f"Review: {p.title}", p.next_review_on,
                     p.owner.full_name if p.owner else f"{p.get_owner_role_display()} (owner {NOT_NAMED.lower()})",
                     schedule.review_status(p.next_review_on, today))
        for p in Policy.objects.filter(school=school, next_review_on__isnull=False).select_related("owner")
        if p.next_review_on is not None  # always, by the filter: for the type checker
    ]
    items += [
        CalendarItem("duty", d.pk, d.title, d.next_due_on, d.get_owner_role_display(),
                     schedule.review_status(d.next_due_on, today))
        for d in duties_of(school)
    ]
    return sorted(items, key=lambda item: (item.due_on, item.title))


def calendar(school: School, today: date) -> Calendar:
    items = calendar_items(school, today)
    horizon = today + timedelta(days=60)
    months: list[CalendarMonth] = []
    first = today.replace(day=1)
    for offset in range(12):
        start = schedule.add_months(first, offset, 1)
        end = schedule.add_months(first, offset + 1, 1)
        months.append({"start": start, "items": [i for i in items if start <= i.due_on < end]})
    return {
        "overdue": [i for i in items if i.due_on < today],
        "next_60_days": [i for i in items if today <= i.due_on <= horizon],
        "months": months,
    }


def completions_of(duty: Duty) -> QuerySet[DutyCompletion]:
    return duty.completions.select_related("completed_by").order_by("-completed_on")[:10]


class PolicyFigures(TypedDict):
    """The register and the calendar over a term, for a report: counts only."""

    policies: dict[str, int]  # status -> count, at the end of the term (STATUS_LABELS names them)
    duties_done: int  # duties that fell due in the term and were recorded
    duties_on_time: int  # ... by their due date
    duties_overdue_at_end: int


def term_figures(school: School, period: ReportPeriod) -> PolicyFigures:
    """For a report: the register's state at the end of the term, and the duties that fell due in the term and
    whether each was done by its date (no names: counts only)."""
    statuses = status_counts(with_status(Policy.objects.filter(school=school), period.ends_on))
    completions = DutyCompletion.objects.filter(duty__school=school, due_on__gte=period.starts_on,
                                                due_on__lte=period.ends_on)
    duties = completions.aggregate(done=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("due_on"))))
    return PolicyFigures(
        policies=statuses, duties_done=duties["done"], duties_on_time=duties["on_time"],
        duties_overdue_at_end=Duty.objects.filter(school=school, next_due_on__lt=period.ends_on).count(),
    )


# ---------------------------------------------------------------- the set-up checklist

UPLOADED_BY = "Uploaded by the headteacher or the safeguarding team, under Policies"


def setup_checklist(schools: Sequence[School]) -> dict[int, list[ChecklistItem]]:
    """The set-up checklist's policy item for each school (one query for all of them): done once the register
    has policies and none is still "not yet uploaded"."""
    counts = {row["school"]: row for row in Policy.objects.filter(school__in=schools).order_by().values("school")
              .annotate(total=Count("pk"), waiting=Count("pk", filter=Q(stage=Stage.NOT_UPLOADED)))}
    register_url = reverse("policies:register")
    items = {}
    for school in schools:
        row = counts.get(school.pk, {"total": 0, "waiting": 0})
        if not row["total"]:
            missing, url = "No policies on the register yet", register_url
        elif row["waiting"]:
            missing = f"{row['waiting']} of {row['total']} policies not yet uploaded"
            url = f"{register_url}?status=not_uploaded"
        else:
            missing, url = "", register_url
        items[school.pk] = [ChecklistItem(
            "policies", 70, "The starter policies uploaded", not missing, missing, url, rights.can_edit_policies,
            in_current_school=True, fixed_by=UPLOADED_BY)]
    return items


# ---------------------------------------------------------------- the home page's worklist

def awaiting_approval_by(user: Person, school: School) -> QuerySet[Policy]:
    """Policies whose draft waits for this person's approval: the headteacher's own, or the governing body's for a
    governor."""
    roles = roles_in(user, school)
    bodies = ([ApprovingBody.HEADTEACHER] if Role.HEADTEACHER in roles else []) + (
        [ApprovingBody.GOVERNING_BODY, ApprovingBody.MANAGEMENT_COMMITTEE] if Role.GOVERNOR in roles else [])
    return Policy.objects.filter(school=school, stage=Stage.AWAITING_APPROVAL,
                                 approving_body__in=bodies).order_by("title")


def overdue_reviews(user: Person, school: School, today: date) -> QuerySet[Policy]:
    """Policies past their review date, for those who edit them (none for anyone else)."""
    policies = with_status(Policy.objects.filter(school=school), today).filter(status="overdue")
    return policies.order_by("next_review_on", "title") if rights.can_edit_policies(user, school) else policies.none()


def duties_due(school: School, today: date) -> QuerySet[Duty]:
    """The compliance calendar's duties overdue or due within its "due soon" window."""
    return duties_of(school).filter(next_due_on__lte=today + timedelta(days=schedule.DUE_SOON_DAYS))


def unread_policies(user: User, school: School) -> QuerySet[WithAnnotations[Policy, ReadAnnotation]]:
    return policies_to_read(user, school).filter(read=False)
