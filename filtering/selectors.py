"""Reads of filtering that depend on who is asking."""

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate, TruncWeek
from django.http import Http404
from django.utils import timezone

from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import DSL_TEAM, SCHOOL_STAFF, Role
from onlinesafety.schools.selectors import roles_in

from .models import AnnualReview, BlockedEvent, ChangeRequest, FilterCheck, LogEntry, ProviderImport

REQUEST_ROLES = SCHOOL_STAFF  # any member of staff may ask
APPROVER_ROLES = DSL_TEAM | {Role.HEADTEACHER}
OVERSIGHT_ROLES = APPROVER_ROLES | {Role.TECHNICIAN}  # see every request
LOG_ROLES = OVERSIGHT_ROLES | {Role.GOVERNOR}  # the change log is for governors and inspectors too
CHECK_ROLES = OVERSIGHT_ROLES | {Role.GOVERNOR}
IMPORT_ROLES = DSL_TEAM | {Role.TECHNICIAN}
REPORT_ROLES = SCHOOL_STAFF | {Role.VISITOR, Role.GOVERNOR}  # any signed-in adult member may report a site

# Blocked categories whose repeated attempts a DSL should see (matched in the provider's own category names).
SERIOUS_WORDS = ("self-harm", "self harm", "suicide", "extrem", "terror", "radical", "hate", "porn", "adult",
                 "child abuse", "csam", "weapon", "drug")
REPEATED_ATTEMPTS = 3


def sees_all_requests(user, school) -> bool:
    return bool(roles_in(user, school) & OVERSIGHT_ROLES)


def requests_visible_to(user, school) -> QuerySet[ChangeRequest]:
    roles = roles_in(user, school)
    requests = ChangeRequest.objects.filter(school=school)
    if roles & OVERSIGHT_ROLES:
        return requests
    if roles & REQUEST_ROLES:
        return requests.filter(requested_by=user)
    return requests.none()


def request_list(user, school, status="") -> QuerySet[ChangeRequest]:
    requests = requests_visible_to(user, school).select_related("requested_by", "decided_by", "implemented_by")
    if status in ChangeRequest.Status.values:
        requests = requests.filter(status=status)
    return requests.order_by("-requested_at", "-pk")


def status_counts(user, school) -> dict[str, int]:
    rows = requests_visible_to(user, school).order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def get_request_for_user(user, school, request_id: int) -> ChangeRequest:
    change = (requests_visible_to(user, school)
              .select_related("requested_by", "decided_by", "implemented_by", "reverted_by")
              .filter(pk=request_id).first())
    if change is None:
        raise Http404("No such request.")
    return change


def change_log(user, school, status="", date_from=None, date_to=None) -> QuerySet[LogEntry]:
    """Dates are the school's days, fixed as times here: a streamed export runs after the request's zone is gone."""
    if not roles_in(user, school) & LOG_ROLES:
        return LogEntry.objects.none()
    zone = zoneinfo.ZoneInfo(school.timezone)
    entries = LogEntry.objects.filter(school=school).select_related("actor", "request")
    if status in ChangeRequest.Status.values:
        entries = entries.filter(request__status=status)
    if date_from:
        entries = entries.filter(at__gte=datetime.combine(date_from, time.min, zone))
    if date_to:
        entries = entries.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, zone))
    return entries.order_by("-at", "-pk")


def checks_of(school) -> QuerySet[FilterCheck]:
    return FilterCheck.objects.filter(school=school).select_related("checked_by").order_by("-checked_on", "-pk")


def reviews_of(school) -> QuerySet[AnnualReview]:
    return (AnnualReview.objects.filter(school=school)
            .select_related("senior_leader", "governor", "recorded_by").order_by("-reviewed_on"))


def get_review(school, review_id) -> AnnualReview:
    review = reviews_of(school).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    return review


def imports_of(school) -> QuerySet[ProviderImport]:
    return ProviderImport.objects.filter(school=school).select_related("uploaded_by").order_by("-uploaded_at")


def get_import(school, import_id) -> ProviderImport:
    provider_import = imports_of(school).filter(pk=import_id).first()
    if provider_import is None:
        raise Http404("No such import.")
    return provider_import


def _serious() -> Q:
    condition = Q(pk__in=[])
    for word in SERIOUS_WORDS:
        condition |= Q(category__icontains=word)
    return condition


def blocked_summary(school, since) -> dict:
    """Blocked attempts since ``since``, counted in the database by category, user group and week."""
    events = BlockedEvent.objects.filter(school=school, occurred_at__gte=since)
    return {
        "total": events.count(),
        "by_category": list(events.values("category").annotate(n=Count("pk")).order_by("-n", "category")[:20]),
        "by_group": list(events.values("user_group").annotate(n=Count("pk")).order_by("-n", "user_group")[:20]),
        "by_week": list(events.annotate(week=TruncWeek("occurred_at")).values("week")
                        .annotate(n=Count("pk")).order_by("week")),
        "flags": repeated_serious_attempts(school, since),
    }


def repeated_serious_attempts(school, since) -> list[dict]:
    """Users with three or more blocked attempts in a serious category within one week."""
    return list(
        BlockedEvent.objects.filter(school=school, occurred_at__gte=since).filter(_serious())
        .annotate(week=TruncWeek("occurred_at"))
        .values("user_ref", "category", "week")
        .annotate(n=Count("pk"), last=Max("occurred_at"))
        .filter(n__gte=REPEATED_ATTEMPTS)
        .order_by("-n", "user_ref")[:50]
    )


def summary_window(today):
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


REQUEST_STATUS_LABELS = ChangeRequest.Status.choices


def term_figures(school: School, period: ReportPeriod) -> FilteringFigures:
    """For a report: change requests made in the term by where they ended up, temporary unblocks reverted late
    (after the day following their period), checks done, and the latest annual review."""
    start_at, end_at = period.start_at, period.end_at
    requests = ChangeRequest.objects.filter(school=school, requested_at__gte=start_at, requested_at__lt=end_at)
    reverted = ChangeRequest.objects.filter(school=school, reverted_at__gte=start_at, reverted_at__lt=end_at,
                                            is_temporary=True).annotate(
        reverted_on=TruncDate("reverted_at", tzinfo=period.zone))
    starts_on, ends_on = period.starts_on, period.ends_on
    review = AnnualReview.objects.filter(school=school, reviewed_on__lte=ends_on).order_by("-reviewed_on").first()
    return FilteringFigures(
        requests=dict(requests.values_list("status").annotate(n=Count("pk")).order_by()),
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
