"""Asking for a termly report and building it. Each step is recorded; a retried build leaves one file."""

import hashlib
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.jobs import enqueue_after_commit, enqueue_now
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.pdf import render_pdf
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School, Term
from onlinesafety.schools.roles import Role
from onlinesafety.schools.selectors import users_with_roles
from onlinesafety.suppression import Status, small_number

from . import charts, figures, rights
from .models import TermReport

if TYPE_CHECKING:
    from celery import Task

    from .figures import ReportFigures

CATCH_UP_DAYS = 7
MAX_ATTEMPTS = 6


@transaction.atomic
def request_report(
    *, school: School, term: Term, actor: User | None = None, request: HttpRequest | None = None
) -> TermReport:
    """Queue a new version of the term's report; a worker builds it after this commits. ``actor`` None is the
    system (the demo; the schedule goes through ``_request_first_report``)."""
    _check_request(school=school, term=term, actor=actor)
    lock_for_update(term)  # versions of one term are numbered one at a time
    return _queue_next_version(school=school, term=term, actor=actor, request=request)


@transaction.atomic
def _request_first_report(*, school: School, term: Term) -> TermReport | None:
    """The schedule's request: nothing happens when the term already has a report (checked under its lock)."""
    _check_request(school=school, term=term, actor=None)
    lock_for_update(term)
    if TermReport.objects.filter(school=school, term=term).exists():
        return None
    return _queue_next_version(school=school, term=term, actor=None, request=None)


def _check_request(*, school: School, term: Term, actor: User | None) -> None:
    if actor is not None:
        require(rights.can_build_reports(actor, school), "Only the head, the DSL or the Online Safety Lead can build "
                                                         "a report.")
    if term.school_id != school.pk:
        raise RuleBroken("That term belongs to another school.")
    if term.ends_on >= timezone.localdate():
        raise RuleBroken("A report covers a term that has ended.")


def _queue_next_version(
    *, school: School, term: Term, actor: User | None, request: HttpRequest | None
) -> TermReport:
    """Number the next version (the caller holds the term's lock), record it and enqueue its build."""
    version = (TermReport.objects.filter(school=school, term=term).aggregate(n=Max("version"))["n"] or 0) + 1
    report = TermReport.objects.create(school=school, term=term, version=version, requested_by=actor)
    record_event(verb="governors.report_requested", actor=actor, school=school, target=report, request=request,
                 detail={"term": term.pk, "version": version})
    enqueue_after_commit(_build_task(), report.pk, what=f"Governor report {report.pk}")
    return report


def _build_task() -> "Task[[int], bool]":
    from .tasks import build_report

    return build_report


def build(report_id: int) -> bool:
    """Build one report. Returns True if this call made the file. Safe to run twice or after a crash: a report
    already ready is left alone, and the file is only attached, with its hash, once it is whole. Run by the
    system (the ``build_report`` task), so it checks no one's right."""
    with transaction.atomic():
        report = TermReport.objects.select_for_update().select_related("school", "term").filter(
            pk=report_id).first()
        if report is None or report.status == TermReport.Status.READY:
            return False
        report.status, report.attempts, report.progress = TermReport.Status.BUILDING, report.attempts + 1, 5
        report.step = "Starting"
        report.save(update_fields=["status", "attempts", "progress", "step"])
    try:
        data = figures.collect(report.school, report.term, lambda percent, step: _progress(report.pk, percent, step))
        _progress(report.pk, 75, "Drawing the charts and the PDF")
        pdf = render(report, data)
    except Exception:
        # Only a build still under way is marked failed: a duplicate run failing never touches a finished one.
        _still_building(report.pk).update(status=TermReport.Status.FAILED, step="Failed")
        raise
    return _attach(report.pk, pdf, figures.to_json(data.current))


def _still_building(report_id: int) -> QuerySet[TermReport]:
    return TermReport.objects.filter(pk=report_id, status=TermReport.Status.BUILDING)


def _progress(report_id: int, percent: int, step: str) -> None:
    _still_building(report_id).update(progress=percent, step=step[:100])


def render(report: TermReport, data: "ReportFigures") -> bytes:
    made = timezone.now().astimezone(zoneinfo.ZoneInfo(report.school.timezone))  # the school's clock
    tables = figures.tables(data)
    context = {"report": report, "figures": data, "charts": _charts(tables, data.previous is not None),
               "tables": tables, "generated_at": f"{made.day} {made:%B %Y %H:%M}", "threshold": small_number()}
    return render_pdf("governors/report_pdf.html", context)


def _charts(tables: dict, with_previous: bool) -> dict[str, str]:
    """The charts, from the same suppressed rows as the tables; none for a breakdown with nothing printed."""
    terms = 2 if with_previous else 1
    key_stages = [row for row in tables["key_stages"] if row[1].hidden or row[1].value]
    months = tables["months"] if any(row[1].status is not Status.NOT_GIVEN for row in tables["months"]) else []
    return {
        "categories": charts.bar_chart(charts.chart_rows(tables["categories"], terms),
                                       ("This term", "Last term")[:terms], "Incidents by category")
        if tables["categories"] else "",
        "months": charts.bar_chart(charts.chart_rows(months, 1), title="By month") if months else "",
        "key_stages": charts.bar_chart(charts.chart_rows(key_stages, 1), title="By key stage")
        if any(row[1].status is not Status.NOT_GIVEN for row in key_stages) else "",
    }


@transaction.atomic
def _attach(report_id: int, pdf: bytes, term_figures: dict[str, object]) -> bool:
    """Save the whole file and point the report at it, with its hash; False if a duplicate run finished first.
    If anything after saving the file fails, the transaction rolls back and the file is deleted: no file is
    left that nothing points to."""
    digest = hashlib.sha256(pdf).hexdigest()
    report = TermReport.objects.select_for_update().select_related("school", "term").filter(pk=report_id).first()
    if report is None or report.status == TermReport.Status.READY:
        return False
    report.file.save(f"{report.pk}.pdf", ContentFile(pdf), save=False)
    try:
        report.sha256, report.size = digest, len(pdf)
        report.status, report.progress, report.step = TermReport.Status.READY, 100, "Ready"
        report.finished_at, report.figures = timezone.now(), term_figures
        report.save(update_fields=["file", "sha256", "size", "status", "progress", "step", "finished_at",
                                   "figures"])
        record_event(verb="governors.report_built", school=report.school, target=report,
                     detail={"term": report.term_id, "version": report.version, "sha256": digest})
        _tell_governors(report)
    except Exception:
        default_storage.delete(report.file.name)
        raise
    return True


def _tell_governors(report: TermReport) -> None:
    """An email with a link and nothing else: the figures stay behind the sign-in."""
    url = absolute_url(reverse("governors:reports"))
    for governor in users_with_roles(report.school, [Role.GOVERNOR]):
        queue_email(to=governor.email, subject="A governors' online safety report is ready",
                    body=f"The termly online safety report for {report.school.name} is ready.\n\n"
                         f"Sign in to read it: {url}\n", kind="governor_report")


@transaction.atomic
def record_download(*, report: TermReport, actor: User, request: HttpRequest | None = None) -> None:
    require(rights.can_read_reports(actor, report.school), "Only governors and the school's leads read reports.")
    record_event(verb="governors.report_downloaded", actor=actor, school=report.school, target=report,
                 request=request, detail={"term": report.term_id, "version": report.version})


def generate_due_reports(*, now: datetime | None = None) -> int:
    """The daily run: every school's report the day after a term ends (in the school's time zone; a week of
    missed runs is caught up), and any report left queued, failed or building for over an hour (a broker outage,
    a crashed worker) is queued again, up to MAX_ATTEMPTS builds. Run by the system (``generate_due_reports``
    task)."""
    now = now or timezone.now()
    asked = 0
    for school in School.objects.all().order_by("pk"):
        yesterday = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date() - timedelta(days=1)
        for term in Term.objects.filter(school=school, ends_on__lte=yesterday,
                                        ends_on__gt=yesterday - timedelta(days=CATCH_UP_DAYS)):
            asked += _request_first_report(school=school, term=term) is not None
    stuck = TermReport.objects.filter(
        status__in=[TermReport.Status.QUEUED, TermReport.Status.FAILED, TermReport.Status.BUILDING],
        requested_at__lt=now - timedelta(hours=1), attempts__lt=MAX_ATTEMPTS)
    for report_id in stuck.values_list("pk", flat=True):
        enqueue_now(_build_task(), report_id, what=f"Governor report {report_id}")
    return asked
