"""Reads of governor reports (who may read them is in ``rights.py``)."""

from typing import TypedDict

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from onlinesafety.access import found
from onlinesafety.accounts.models import User
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import School, Term
from onlinesafety.schools.selectors import terms_of

from . import rights
from .models import TermReport


def reports_of(school: School) -> QuerySet[TermReport]:
    return TermReport.objects.filter(school=school).select_related("term", "requested_by")


def past_terms(school: School) -> QuerySet[Term]:
    """Terms that have ended, most recent first."""
    return terms_of(school).filter(ends_on__lt=timezone.localdate()).order_by("-starts_on")


class PortalTerm(TypedDict):
    term: Term
    reports: list[TermReport]  # newest first


def portal(school: School) -> list[PortalTerm]:
    """Each past term with its report versions, newest first (two queries)."""
    reports: dict[int, list[TermReport]] = {}
    for report in reports_of(school):
        reports.setdefault(report.term_id, []).append(report)
    return [PortalTerm(term=term, reports=reports.get(term.pk, [])) for term in past_terms(school)]


def get_report_for_user(user: User, school: School, report_id: int) -> TermReport:
    """One of the school's reports; 404 for anyone who may not read reports, as for a report that is not there."""
    if not rights.can_read_reports(user, school):
        raise Http404("No such report.")
    return found(reports_of(school).filter(pk=report_id).first(), "No such report.")


def previous_term(term: Term) -> Term | None:
    return terms_of(term.school).filter(starts_on__lt=term.starts_on).order_by("-starts_on").first()


def failed_reports(limit: int) -> list[FailedJob]:
    """Failed governor reports of every school, for the site administrator's list of failed jobs (one query)."""
    failed = TermReport.objects.filter(status=TermReport.Status.FAILED).select_related("school", "term").order_by(
        "-finished_at")[:limit]
    return [FailedJob(kind="Governor report", record=f"version {item.version} of {item.term.name}",
                      school=item.school.name, failed_at=item.finished_at, attempts=item.attempts,
                      reason=item.failure or "Unknown",
                      retried_by="The head, the DSL or the Online Safety Lead, on the governor reports page")
            for item in failed]


def latest_ready_report(school: School) -> TermReport | None:
    """The newest report that has been built, for the governors' home page (one query)."""
    return reports_of(school).filter(status=TermReport.Status.READY).order_by("-term__starts_on", "-version").first()
