"""Reads of policies and the compliance calendar that depend on who is asking."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypedDict

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import DSL_TEAM, LEADERSHIP, SCHOOL_STAFF, Role
from onlinesafety.schools.selectors import roles_in, users_with_roles

from . import schedule
from .models import Acknowledgement, ApprovingBody, Duty, DutyCompletion, Policy, PolicyVersion, Stage

REGISTER_ROLES = SCHOOL_STAFF | {Role.GOVERNOR}
EDITOR_ROLES = LEADERSHIP  # may add policies and change their details
CALENDAR_ROLES = LEADERSHIP | {Role.GOVERNOR}
READER_ROLES = SCHOOL_STAFF  # "every staff member" reads the policies marked staff-must-read


def with_status(policies: QuerySet[Policy], today: date) -> QuerySet[Policy]:
    """Adds ``status``: the workflow stage while a review is open, else overdue / due soon / approved."""
    soon = today + timedelta(days=schedule.DUE_SOON_DAYS)
    return policies.annotate(
        status=Case(
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
}


def register(user, school, today: date) -> QuerySet[Policy]:
    if not roles_in(user, school) & REGISTER_ROLES:
        return Policy.objects.none()
    return (
        with_status(Policy.objects.filter(school=school), today)
        .select_related("owner", "current_version")
        .order_by("next_review_on", "title")
    )


def status_counts(policies: QuerySet[Policy]) -> dict[str, int]:
    return {row["status"]: row["n"] for row in policies.order_by().values("status").annotate(n=Count("pk"))}


def get_policy_for_user(user, school, policy_id: int, today: date) -> Policy:
    policy = register(user, school, today).filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy


@dataclass(frozen=True)
class PolicyRights:
    edit: bool
    run_review: bool  # start, draft, submit, remind readers
    approve: bool
    early_review: bool


def rights_on(user, school, policy) -> PolicyRights:
    roles = roles_in(user, school)
    is_owner = policy.owner_id == user.pk
    approver_role = Role.HEADTEACHER if policy.approving_body == ApprovingBody.HEADTEACHER else Role.GOVERNOR
    return PolicyRights(
        edit=bool(roles & EDITOR_ROLES),
        run_review=is_owner or Role.HEADTEACHER in roles,
        approve=approver_role in roles,
        early_review=is_owner or bool(roles & (DSL_TEAM | {Role.HEADTEACHER})),
    )


def versions_of(policy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related("created_by", "approved_by").order_by("-number")


def draft_of(policy) -> PolicyVersion | None:
    return policy.versions.filter(
        state__in=[PolicyVersion.State.DRAFT, PolicyVersion.State.SUBMITTED]
    ).first()


def get_version_for_user(user, school, policy_id: int, version_id: int, today: date) -> PolicyVersion:
    """Published versions for anyone who sees the register; drafts only for those who run or approve reviews."""
    policy = get_policy_for_user(user, school, policy_id, today)
    version = policy.versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version.")
    rights = rights_on(user, school, policy)
    if version.state != PolicyVersion.State.PUBLISHED and not (rights.run_review or rights.approve or rights.edit):
        raise Http404("No such version.")
    return version


def readers_of(school):
    return users_with_roles(school, READER_ROLES)


def acknowledgement_table(policy) -> list[tuple[object, object]]:
    """Each member of staff and when they acknowledged the current version (None if not yet)."""
    if policy.current_version_id is None or not policy.staff_must_read:
        return []
    acknowledged = dict(
        Acknowledgement.objects.filter(version_id=policy.current_version_id).values_list("user_id", "acknowledged_at")
    )
    return [(user, acknowledged.get(user.pk)) for user in readers_of(policy.school)]


def unacknowledged_readers(policy) -> list:
    return [user for user, when in acknowledgement_table(policy) if when is None]


def policies_to_read(user, school) -> QuerySet[Policy]:
    """Policies staff must read whose current version this person has not acknowledged."""
    if not roles_in(user, school) & READER_ROLES:
        return Policy.objects.none()
    acknowledged = Acknowledgement.objects.filter(version_id=OuterRef("current_version_id"), user=user)
    return (
        Policy.objects.filter(school=school, staff_must_read=True, current_version__isnull=False)
        .annotate(read=Exists(acknowledged))
        .select_related("current_version")
        .order_by("read", "title")
    )


def public_policies(school_slug: str) -> tuple[School, QuerySet[Policy]]:
    school = School.objects.filter(slug=school_slug).first()
    if school is None:
        raise Http404("No such school.")
    policies = (
        Policy.objects.filter(school=school, is_public=True, current_version__state=PolicyVersion.State.PUBLISHED)
        .select_related("current_version")
        .order_by("title")
    )
    return school, policies


def get_public_version(school_slug: str, policy_id: int) -> PolicyVersion:
    _, policies = public_policies(school_slug)
    policy = policies.filter(pk=policy_id).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy.current_version


# ---------------------------------------------------------------- the compliance calendar

@dataclass(frozen=True)
class CalendarItem:
    kind: str  # "policy" or "duty"
    id: int
    title: str
    due_on: date
    owner: str
    status: str  # "overdue", "due_soon", "later"


def duties_of(school) -> QuerySet[Duty]:
    return Duty.objects.filter(school=school).order_by("next_due_on", "title")


def calendar_items(school, today: date) -> list[CalendarItem]:
    """Every policy review and duty with its next due date, soonest first."""
    items = [
        CalendarItem("policy", p.pk, f"Review: {p.title}", p.next_review_on, p.owner.full_name,
                     schedule.review_status(p.next_review_on, today))
        for p in Policy.objects.filter(school=school, next_review_on__isnull=False).select_related("owner")
    ]
    items += [
        CalendarItem("duty", d.pk, d.title, d.next_due_on, d.get_owner_role_display(),
                     schedule.review_status(d.next_due_on, today))
        for d in duties_of(school)
    ]
    return sorted(items, key=lambda item: (item.due_on, item.title))


def calendar(school, today: date) -> dict:
    items = calendar_items(school, today)
    horizon = today + timedelta(days=60)
    months = []
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


def completions_of(duty):
    return duty.completions.select_related("completed_by").order_by("-completed_on")[:10]


def can_complete(user, school, duty) -> bool:
    roles = roles_in(user, school)
    return duty.owner_role in roles or Role.HEADTEACHER in roles


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
