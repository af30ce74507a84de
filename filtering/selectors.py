"""Reads of filtering that depend on who is asking. What each person may do is decided in ``rights.py``."""

import zoneinfo
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.urls import reverse
from django.utils import timezone

from onlinesafety.access import check_needed, found
from onlinesafety.accounts.models import Person
from onlinesafety.jobs import FailedJob
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import School
from onlinesafety.setup import ChecklistItem

from . import rights
from .models import AnnualReview, BlockedEvent, ChangeRequest, FilterCheck, FilteringSettings, LogEntry, ProviderImport
from .rights import ChangeAccess, ChangeRight, ReviewAccess, ReviewRight

# Blocked categories whose repeated attempts a DSL should see (matched in the provider's own category names).
SERIOUS_WORDS = ("self-harm", "self harm", "suicide", "extrem", "terror", "radical", "hate", "porn", "adult",
                 "child abuse", "csam", "weapon", "drug")
REPEATED_ATTEMPTS = 3


def changes_visible_to(user: Person, school: School) -> QuerySet[ChangeRequest]:
    """Every request for the filtering team, their own for other staff, none for anyone else."""
    return ChangeRequest.objects.filter(school=school).filter(rights.change_reach(user, school))


def change_list(user: Person, school: School, status: str = "") -> QuerySet[ChangeRequest]:
    changes = changes_visible_to(user, school).select_related("requested_by", "decided_by", "implemented_by")
    if status in ChangeRequest.Status.values:
        changes = changes.filter(status=status)
    return changes.order_by("-requested_at", "-pk")


def status_counts(user: Person, school: School) -> dict[str, int]:
    rows = changes_visible_to(user, school).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def get_change_for_user(user: Person, school: School, change_id: int,
                        needed: ChangeRight | None = None) -> ChangeAccess:
    """The request and what this user may do with it: 404 if they may not see it, 403 if they see it but may not
    do ``needed``."""
    change = found(changes_visible_to(user, school)
                   .select_related("school", "requested_by", "decided_by", "implemented_by", "reverted_by")
                   .filter(pk=change_id).first(), "No such request.")
    access = rights.change_access(user, change)
    check_needed(access, needed)
    return access


def change_history(change: ChangeRequest) -> QuerySet[LogEntry]:
    """The steps of one request, oldest first."""
    return change.log.select_related("actor").order_by("at", "pk")


def change_log(user: Person, school: School, status: str = "", date_from: date | None = None,
               date_to: date | None = None) -> QuerySet[LogEntry]:
    """Dates are the school's days, fixed as times here: a streamed export runs after the request's zone is gone."""
    if not rights.can_read_oversight(user, school):
        return LogEntry.objects.none()
    zone = zoneinfo.ZoneInfo(school.timezone)
    entries = LogEntry.objects.filter(school=school).select_related("actor", "change")
    if status in ChangeRequest.Status.values:
        entries = entries.filter(change__status=status)
    if date_from:
        entries = entries.filter(at__gte=datetime.combine(date_from, time.min, zone))
    if date_to:
        entries = entries.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, zone))
    return entries.order_by("-at", "-pk")


def checks_of(school: School) -> QuerySet[FilterCheck]:
    return FilterCheck.objects.filter(school=school).select_related("checked_by").order_by("-checked_on", "-pk")


def reviews_of(school: School) -> QuerySet[AnnualReview]:
    return (AnnualReview.objects.filter(school=school)
            .select_related("school", "senior_leader", "governor", "recorded_by").order_by("-reviewed_on"))


def get_review_for_user(user: Person, school: School, review_id: int,
                        needed: ReviewRight | None = None) -> ReviewAccess:
    """The review and what this user may do with it: 404 unless they read the filtering oversight pages, 403 if
    they may not do ``needed``."""
    review = reviews_of(school).filter(pk=review_id).first() if rights.can_read_oversight(user, school) else None
    access = rights.review_access(user, found(review, "No such review."))
    check_needed(access, needed)
    return access


def imports_of(school: School) -> QuerySet[ProviderImport]:
    return ProviderImport.objects.filter(school=school).select_related("uploaded_by").order_by("-uploaded_at")


def get_import_for_user(user: Person, school: School, import_id: int) -> ProviderImport:
    """One provider log import: 404 unless this user reads the provider's logs."""
    provider_import = (imports_of(school).select_related("school").filter(pk=import_id).first()
                       if rights.can_read_provider_logs(user, school) else None)
    return found(provider_import, "No such import.")


def _serious() -> Q:
    condition = Q(pk__in=[])
    for word in SERIOUS_WORDS:
        condition |= Q(category__icontains=word)
    return condition


class Flag(TypedDict):
    """A user's repeated blocked attempts in one serious category in one week."""

    user_ref: str
    category: str
    week: datetime  # the start of the week
    n: int
    last: datetime


class BlockedSummary(TypedDict):
    total: int
    by_category: list[dict[str, Any]]  # {"category", "n"}
    by_group: list[dict[str, Any]]  # {"user_group", "n"}
    by_week: list[dict[str, Any]]  # {"week", "n"}
    flags: list[Flag]


def blocked_summary(school: School, since: datetime) -> BlockedSummary:
    """Blocked attempts since ``since``, counted in the database by category, user group and week."""
    events = BlockedEvent.objects.filter(school=school, occurred_at__gte=since)
    return BlockedSummary(
        total=events.count(),
        by_category=list(events.values("category").annotate(n=Count("pk")).order_by("-n", "category")[:20]),
        by_group=list(events.values("user_group").annotate(n=Count("pk")).order_by("-n", "user_group")[:20]),
        by_week=list(events.annotate(week=TruncWeek("occurred_at")).values("week")
                     .annotate(n=Count("pk")).order_by("week")),
        flags=repeated_serious_attempts(school, since),
    )


def repeated_serious_attempts(school: School, since: datetime) -> list[Flag]:
    """Users with three or more blocked attempts in a serious category within one week."""
    rows = (
        BlockedEvent.objects.filter(school=school, occurred_at__gte=since).filter(_serious())
        .annotate(week=TruncWeek("occurred_at"))
        .values("user_ref", "category", "week")
        .annotate(n=Count("pk"), last=Max("occurred_at"))
        .filter(n__gte=REPEATED_ATTEMPTS)
        .order_by("-n", "user_ref")[:50]
    )
    return [Flag(user_ref=row["user_ref"], category=row["category"], week=row["week"], n=row["n"], last=row["last"])
            for row in rows]


def find_flag(school: School, since: datetime, *, user_ref: str, category: str, week: str) -> Flag | None:
    """The flag a DSL chose (``week`` as YYYY-MM-DD), if it is still among the flags since ``since``."""
    chosen = (user_ref, category, week)
    return next((flag for flag in repeated_serious_attempts(school, since)
                 if (flag["user_ref"], flag["category"], flag["week"].date().isoformat()) == chosen), None)


def summary_window(today: date) -> datetime:
    """The start of the last twelve weeks, as an aware time in the current (school's) zone."""
    return timezone.make_aware(datetime.combine(today - timedelta(days=84), time.min))


class FilteringFigures(TypedDict):
    """Filtering over a term, for a report: counts and dates only (no site, no person)."""

    requests: dict[str, int]  # ChangeRequest status -> count of requests made in the term
    reverted: int
    reverted_late: int  # after the day following their period
    revert_overdue_at_end: int
    checks: int
    review_on: date | None  # the latest annual review by the end of the term
    review_signed_off: bool
    review_actions: int


REQUEST_STATUS_LABELS = ChangeRequest.Status.choices  # for the governors' report (the word its readers see)


def term_figures(school: School, period: ReportPeriod) -> FilteringFigures:
    """For a report: change requests made in the term by where they ended up, temporary unblocks reverted late
    (after the day following their period), checks done, and the latest annual review."""
    start_at, end_at = period.start_at, period.end_at
    asked = ChangeRequest.objects.filter(school=school, requested_at__gte=start_at, requested_at__lt=end_at)
    reverted = ChangeRequest.objects.filter(school=school, reverted_at__gte=start_at, reverted_at__lt=end_at,
                                            is_temporary=True).annotate(
        reverted_on=TruncDate("reverted_at", tzinfo=period.zone))
    starts_on, ends_on = period.starts_on, period.ends_on
    review = AnnualReview.objects.filter(school=school, reviewed_on__lte=ends_on).order_by("-reviewed_on").first()
    return FilteringFigures(
        requests=dict(asked.values_list("status").annotate(n=Count("pk")).order_by()),
        reverted=reverted.count(),
        reverted_late=reverted.filter(reverted_on__gt=F("ends_on") + timedelta(days=1)).count(),
        revert_overdue_at_end=ChangeRequest.objects.filter(
            school=school, is_temporary=True, ends_on__lt=ends_on, implemented_at__lt=end_at).filter(
            Q(reverted_at__isnull=True) | Q(reverted_at__gte=end_at)).count(),
        checks=FilterCheck.objects.filter(school=school, checked_on__gte=starts_on, checked_on__lte=ends_on).count(),
        review_on=review.reviewed_on if review else None,
        review_signed_off=bool(review and review.signed_off_at),
        review_actions=len([line for line in review.actions.splitlines() if line.strip()]) if review else 0,
    )


# ---------------------------------------------------------------- settings and the set-up checklist

def settings_of(school: School) -> FilteringSettings:
    """The school's filtering settings (unsaved defaults when none are recorded yet)."""
    return FilteringSettings.objects.filter(school=school).first() or FilteringSettings(school=school)


RECORDED_BY = "Recorded by the headteacher or the safeguarding team, under Filtering"


def setup_checklist(schools: Sequence[School]) -> dict[int, list[ChecklistItem]]:
    """The set-up checklist's filtering item for each school (one query for all of them): both providers named."""
    recorded = set(FilteringSettings.objects.filter(school__in=schools).exclude(filtering_provider="")
                   .exclude(monitoring_provider="").values_list("school_id", flat=True))
    url = reverse("filtering:settings")
    return {school.pk: [ChecklistItem(
        "filtering_provider", 60, "The filtering and monitoring providers recorded", school.pk in recorded,
        "" if school.pk in recorded else "Not recorded yet", url, rights.can_record_providers,
        in_current_school=True, fixed_by=RECORDED_BY)] for school in schools}


def failed_imports(limit: int) -> list[FailedJob]:
    """Failed provider log imports of every school, for the site administrator's list of failed jobs (one query)."""
    failed = ProviderImport.objects.filter(state=ProviderImport.State.FAILED).select_related("school").order_by(
        "-finished_at")[:limit]
    return [FailedJob(kind="Provider log import", record=f"import {item.pk}", school=item.school.name,
                      failed_at=item.finished_at, attempts=item.attempts, reason=item.failure or "Unknown",
                      retried_by="The safeguarding team or the technician, on the import's page")
            for item in failed]


# ---------------------------------------------------------------- the home page's worklist

def changes_to_decide(user: Person, school: School) -> QuerySet[ChangeRequest]:
    """Requests waiting for a decision that this person may take (never their own; none for a technician)."""
    if not rights.can_decide_changes(user, school) or rights.is_technician(user, school):
        return ChangeRequest.objects.none()
    return (changes_visible_to(user, school).filter(status=ChangeRequest.Status.REQUESTED)
            .exclude(requested_by=user.pk).order_by("requested_at", "pk"))


def changes_to_carry_out(user: Person, school: School) -> QuerySet[ChangeRequest]:
    """For a technician: approved requests to make in the filtering system, and ended ones to revert."""
    if not rights.is_technician(user, school):
        return ChangeRequest.objects.none()
    return changes_visible_to(user, school).filter(
        status__in=[ChangeRequest.Status.APPROVED, ChangeRequest.Status.REVERT_DUE]).order_by("requested_at", "pk")


def failed_imports_of(user: Person, school: School) -> QuerySet[ProviderImport]:
    """The school's provider log imports that failed, for those who read the provider's logs."""
    if not rights.can_read_provider_logs(user, school):
        return ProviderImport.objects.none()
    return ProviderImport.objects.filter(school=school, state=ProviderImport.State.FAILED).order_by("-uploaded_at")


def reviews_to_sign_off(user: Person, school: School) -> QuerySet[AnnualReview]:
    """Annual reviews naming this person as the governor, not yet signed off."""
    return AnnualReview.objects.filter(school=school, governor=user.pk, signed_off_at__isnull=True).order_by(
        "reviewed_on")
