"""Who may see governor reports, and the reads of them."""

from django.http import Http404
from django.utils import timezone

from onlinesafety.schools.models import School
from onlinesafety.schools.roles import DSL_TEAM, Role
from onlinesafety.schools.selectors import roles_in, terms_of

from .models import TermReport

PORTAL_ROLES = frozenset({Role.GOVERNOR, Role.HEADTEACHER}) | DSL_TEAM
GENERATOR_ROLES = frozenset({Role.HEADTEACHER, Role.DSL, Role.ONLINE_SAFETY_LEAD})


def reports_of(school: School):
    return TermReport.objects.filter(school=school).select_related("term", "requested_by")


def past_terms(school: School):
    """Terms that have ended, most recent first."""
    return terms_of(school).filter(ends_on__lt=timezone.localdate()).order_by("-starts_on")


def portal(school: School) -> list[dict]:
    """Each past term with its report versions, newest first (two queries)."""
    reports: dict[int, list[TermReport]] = {}
    for report in reports_of(school):
        reports.setdefault(report.term_id, []).append(report)
    return [{"term": term, "reports": reports.get(term.pk, [])} for term in past_terms(school)]


def get_report_for_user(user, school: School, report_id: int) -> TermReport:
    if not roles_in(user, school) & PORTAL_ROLES:
        raise Http404("No such report.")
    report = reports_of(school).filter(pk=report_id).first()
    if report is None:
        raise Http404("No such report.")
    return report


def previous_term(term):
    return terms_of(term.school).filter(starts_on__lt=term.starts_on).order_by("-starts_on").first()
