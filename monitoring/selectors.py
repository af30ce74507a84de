"""Reads of monitoring alerts, scoped to the school and the person asking."""

from typing import TypedDict

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from onlinesafety.accounts.models import Person
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import School

from . import rights
from .models import AlertStatus, MonitoringAlert, MonitoringImport, MonitoringSettings, Risk

__all__ = ["AlertStatus", "Risk", "alert_counts", "alerts_for", "get_alert_for_user", "get_import_for_user",
           "imports_of", "settings_of", "waiting_high_risk"]


def alerts_for(user: Person, school: School, *, status: str = "", risk: str = "") -> QuerySet[MonitoringAlert]:
    """The school's alerts for the inbox, newest first (none for anyone outside the safeguarding team). Deferred:
    the captured text is read on the alert's own page only."""
    alerts = MonitoringAlert.objects.filter(school=school).select_related("pupil").defer("captured_text")
    if not rights.can_triage_alerts(user, school):
        return alerts.none()
    if status:
        alerts = alerts.filter(status=status)
    if risk:
        alerts = alerts.filter(risk=risk)
    return alerts.order_by("-occurred_at", "-pk")


class AlertCounts(TypedDict):
    new: int
    new_high: int
    unmatched_new: int
    total: int


def alert_counts(user: Person, school: School) -> AlertCounts:
    """How many wait, how many of them are high risk or matched to nobody: one query."""
    if not rights.can_triage_alerts(user, school):
        return {"new": 0, "new_high": 0, "unmatched_new": 0, "total": 0}
    new = Q(status=AlertStatus.NEW)
    counts = MonitoringAlert.objects.filter(school=school).aggregate(
        new=Count("pk", filter=new), new_high=Count("pk", filter=new & Q(risk=Risk.HIGH)),
        unmatched_new=Count("pk", filter=new & Q(pupil__isnull=True)), total=Count("pk"))
    return {"new": counts["new"], "new_high": counts["new_high"], "unmatched_new": counts["unmatched_new"],
            "total": counts["total"]}


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
