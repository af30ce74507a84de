"""Asking for a termly report and building it. Each step is recorded; a retried build leaves one file."""

import hashlib
import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
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

logger = logging.getLogger(__name__)

CATCH_UP_DAYS = 7
REQUEUE_AFTER = timedelta(minutes=2)
STALLED_AFTER = timedelta(minutes=10)  # a build takes seconds; each step records a sign of life
RETRY_FAILED_AFTER = timedelta(minutes=5)
MAX_AUTOMATIC_ATTEMPTS = 3


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


def _claimable(now: datetime) -> Q:
    """Waiting for a worker, or building with no sign of life for STALLED_AFTER (its worker died and the message
    came back). A failed report is never claimed: ``look_after_reports`` or "try again" queues it first."""
    return Q(status=TermReport.Status.QUEUED) | (Q(status=TermReport.Status.BUILDING) & _silent(now))


def _silent(now: datetime) -> Q:
    """No sign of life for STALLED_AFTER; a build from before signs of life were recorded has none at all."""
    return Q(progress_at__lt=now - STALLED_AFTER) | Q(progress_at__isnull=True, requested_at__lt=now - STALLED_AFTER)


def build(report_id: int) -> bool:
    """Build one report. Returns True if this call made the file. Safe to run twice or after a crash: the build is
    claimed by a conditional update (a duplicate delivery while another worker builds finds nothing to claim), and
    the file is only attached, with its hash, once it is whole. Any error, a storage error while attaching the file
    included, leaves the report failed, never building. Run by the system (the ``build_report`` task), so it checks
    no one's right."""
    now = timezone.now()
    claimed = TermReport.objects.filter(_claimable(now), pk=report_id).update(
        status=TermReport.Status.BUILDING, attempts=F("attempts") + 1, progress=5, step="Starting", progress_at=now,
        failure="")
    if not claimed:
        return False
    report = TermReport.objects.select_related("school", "term").get(pk=report_id)
    try:
        data = figures.collect(report.school, report.term, lambda percent, step: _progress(report.pk, percent, step))
        _progress(report.pk, 75, "Drawing the charts and the PDF")
        pdf = render(report, data)
        return _attach(report.pk, pdf, figures.to_json(data.current))
    except Exception as error:
        # Only a build still under way is marked failed: a duplicate run failing never touches a finished one.
        _fail(report, reason=type(error).__name__)
        logger.warning("Governor report %s failed (%s)", report.pk, type(error).__name__)
        return False


def _fail(report: TermReport, *, reason: str) -> None:
    failed = _still_building(report.pk).update(status=TermReport.Status.FAILED, step="Failed", failure=reason[:100],
                                               finished_at=timezone.now())
    if failed:
        record_event(verb="governors.report_failed", school=report.school, target=report,
                     detail={"reason": reason[:100], "attempts": report.attempts})


def _still_building(report_id: int) -> QuerySet[TermReport]:
    return TermReport.objects.filter(pk=report_id, status=TermReport.Status.BUILDING)


def _progress(report_id: int, percent: int, step: str) -> None:
    _still_building(report_id).update(progress=percent, step=step[:100], progress_at=timezone.now())


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
    missed runs is caught up). Reports left behind are ``look_after_reports``'s. Run by the system
    (``generate_due_reports`` task)."""
    now = now or timezone.now()
    asked = 0
    for school in School.objects.all().order_by("pk"):
        yesterday = now.astimezone(zoneinfo.ZoneInfo(school.timezone)).date() - timedelta(days=1)
        for term in Term.objects.filter(school=school, ends_on__lte=yesterday,
                                        ends_on__gt=yesterday - timedelta(days=CATCH_UP_DAYS)):
            asked += _request_first_report(school=school, term=term) is not None
    return asked


def look_after_reports(*, now: datetime | None = None) -> int:
    """Every five minutes (the system's, no actor), so that no report stays waiting or building:
    - queued for over REQUEUE_AFTER (the broker was down when it was asked for): handed to a worker again;
    - building with no sign of life for STALLED_AFTER (its worker was killed): queued again, or failed once it has
      been tried MAX_AUTOMATIC_ATTEMPTS times;
    - failed with fewer than MAX_AUTOMATIC_ATTEMPTS tries, RETRY_FAILED_AFTER after failing: queued again.
    After that a failed report waits for a person's "try again". Returns how many were handed over."""
    now = now or timezone.now()
    stalled = TermReport.objects.filter(_silent(now), status=TermReport.Status.BUILDING)
    for report in stalled.filter(attempts__gte=MAX_AUTOMATIC_ATTEMPTS).select_related("school"):
        _fail(report, reason="The worker stopped")
    failed_a_while_ago = Q(finished_at__lt=now - RETRY_FAILED_AFTER) | Q(finished_at__isnull=True)  # (or long ago)
    again = stalled.filter(attempts__lt=MAX_AUTOMATIC_ATTEMPTS) | TermReport.objects.filter(
        failed_a_while_ago, status=TermReport.Status.FAILED, attempts__lt=MAX_AUTOMATIC_ATTEMPTS)
    again_ids = list(again.values_list("pk", flat=True))
    again.filter(pk__in=again_ids).update(status=TermReport.Status.QUEUED, queued_at=now, progress=0,
                                          step="Waiting for a worker again")
    waiting = TermReport.objects.filter(Q(queued_at__lt=now - REQUEUE_AFTER) | Q(pk__in=again_ids),
                                        status=TermReport.Status.QUEUED).values_list("pk", flat=True)
    return sum(enqueue_now(_build_task(), report_id, what=f"Governor report {report_id}")
               for report_id in sorted(waiting))


@transaction.atomic
def retry_report(*, report: TermReport, actor: User, request: HttpRequest | None = None) -> TermReport:
    """A person's "try again" on a failed report: queued again, however many times it failed before."""
    require(rights.can_build_reports(actor, report.school), "Only the head, the DSL or the Online Safety Lead can "
                                                            "build a report.")
    locked = TermReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != TermReport.Status.FAILED:
        raise RuleBroken("This report has not failed: it is being built or is ready.")
    locked.status, locked.queued_at, locked.progress, locked.step = TermReport.Status.QUEUED, timezone.now(), 0, ""
    locked.save(update_fields=["status", "queued_at", "progress", "step"])
    record_event(verb="governors.report_retried", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"attempts": locked.attempts, "failure": locked.failure})
    enqueue_after_commit(_build_task(), locked.pk, what=f"Governor report {locked.pk}")
    return locked
