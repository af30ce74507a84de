"""Reads of monitoring alerts, scoped to the school and the person asking."""

from typing import Any, TypedDict, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from onlinesafety.accounts.models import Person
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import School

from . import rights
from .models import AlertStatus, MonitoringAlert, MonitoringImport, MonitoringSettings, Risk

__all__ = ["AlertStatus", "Risk", "alert_counts", "alerts_for", "get_alert_for_user", "get_import_for_user",
           "imports_of", "inbox_page", "settings_of", "waiting_high_risk"]


def alerts_for(user: Person, school: School, *, status: str = "", risk: str = "") -> QuerySet[MonitoringAlert]:
    """The school's alerts for the inbox, newest first (none for anyone outside the safeguarding team)."""
    alerts = MonitoringAlert.objects.filter(school=school)
    if not rights.can_triage_alerts(user, school):
        return alerts.none()
    if status:
        alerts = alerts.filter(status=status)
    if risk:
        alerts = alerts.filter(risk=risk)
    return alerts.order_by("-occurred_at", "-pk")


SHOWN_AT_MOST = 10_000  # the inbox pages through the newest 10,000 alerts of a list (a status, a risk, or both)


class CappedPaginator(Paginator):
    """Counts at most ``SHOWN_AT_MOST`` rows (a count over a school's whole history would cost more than the page)."""

    @cached_property
    def count(self) -> int:
        return cast(QuerySet[Any], self.object_list).order_by()[:SHOWN_AT_MOST].count()


def inbox_page(alerts: QuerySet[MonitoringAlert], number: Any, per_page: int) -> Page:
    """One page of ``alerts``: the page's ids first (from the index alone, however deep the page), then those rows with
    their pupils. Two queries and the count, whatever the number of alerts. The captured text is left for the alert's
    own page."""
    page = CappedPaginator(alerts.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = MonitoringAlert.objects.filter(pk__in=ids).select_related("pupil").defer("captured_text").in_bulk()
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


class AlertCounts(TypedDict):
    new: int
    new_high: int
    unmatched_new: int


def alert_counts(user: Person, school: School) -> AlertCounts:
    """How many wait, how many of them are high risk or matched to nobody: one query, over the waiting alerts only."""
    if not rights.can_triage_alerts(user, school):
        return {"new": 0, "new_high": 0, "unmatched_new": 0}
    counts = MonitoringAlert.objects.filter(school=school, status=AlertStatus.NEW).aggregate(
        new=Count("pk"), new_high=Count("pk", filter=Q(risk=Risk.HIGH)),
        unmatched_new=Count("pk", filter=Q(pupil__isnull=True)))
    return {"new": counts["new"], "new_high": counts["new_high"], "unmatched_new": counts["unmatched_new"]}


def waiting_high_risk(school: School) -> int:
    return MonitoringAlert.objects.filter(school=school, status=AlertStatus.NEW, risk=Risk.HIGH).count()


def get_alert_for_user(user: Person, school: School, alert_id: int) -> MonitoringAlert:
    """One alert of this school for the safeguarding team, or 404 (another school's is answered like one that does
    not exist)."""
    alert = (MonitoringAlert.objects.select_related("pupil", "triaged_by").filter(pk=alert_id, school=school).first()
             if rights.can_triage_alerts(user, school) else None)
    if alert is None:
        raise Http404("No such alert.")
    return alert


def imports_of(school: School) -> QuerySet[MonitoringImport]:
    return MonitoringImport.objects.filter(school=school).select_related("uploaded_by")


def get_import_for_user(user: Person, school: School, import_id: int) -> MonitoringImport:
    found = imports_of(school).filter(pk=import_id).first() if rights.can_import_alerts(user, school) else None
    if found is None:
        raise Http404("No such import.")
    return found


def settings_of(school: School) -> MonitoringSettings | None:
    return MonitoringSettings.objects.filter(school=school).select_related("secret_set_by").first()


def failed_imports(limit: int) -> list[FailedJob]:
    """Failed alert imports of every school, for the site administrator's list of failed jobs (one query)."""
    failed = (MonitoringImport.objects.filter(state=MonitoringImport.State.FAILED).select_related("school")
              .order_by("-finished_at", "-pk")[:limit])
    return [FailedJob(kind="Monitoring alerts import", record=f"import {item.pk}", school=item.school.name,
                      failed_at=item.finished_at, attempts=item.attempts, reason=item.failure or "Unknown",
                      retried_by="The DSL team, on the import's page") for item in failed]
