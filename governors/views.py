from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.downloads import file_download
from onlinesafety.forms import parse_id
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import NOTHING_CHANGED, refusal

from . import rights, selectors, services
from .figures import small_number


@school_member_required(rights.can_read_reports)
def reports(request):
    return render(request, "governors/reports.html", {
        "terms": selectors.portal(request.school),
        "can_generate": rights.can_build_reports(request.user, request.school),
        "threshold": small_number(),
    })


@require_POST
@school_member_required(rights.can_build_reports)
@sent_once
def generate(request):
    term_id = parse_id(request.POST.get("term"))
    term = selectors.past_terms(request.school).filter(pk=term_id).first() if term_id else None
    if term is None:
        messages.error(request, NOTHING_CHANGED.format(error="choose a term that has ended."))
        return redirect("governors:reports")
    with refusal(request) as attempt:
        report = services.request_report(school=request.school, term=term, actor=request.user, request=request)
    if attempt.ok:
        messages.success(request, f"Building version {report.version} of the {term.name} report.")
    return redirect("governors:reports")


@require_POST
@school_member_required(rights.can_build_reports)
@sent_once
def retry(request, report_id: int):
    report = selectors.get_report_for_user(request.user, request.school, report_id)
    with refusal(request) as attempt:
        services.retry_report(report=report, actor=request.user, request=request)
    if attempt.ok:
        messages.success(request, f"Trying version {report.version} of the {report.term.name} report again.")
    return redirect("governors:reports")


@school_member_required(rights.can_read_reports)
def progress(request, report_id: int):
    """The htmx fragment polled while a report is built."""
    report = selectors.get_report_for_user(request.user, request.school, report_id)
    return render(request, "governors/_report.html", {
        "report": report, "can_generate": rights.can_build_reports(request.user, request.school)})


@school_member_required(rights.can_read_reports)
def download(request, report_id: int):
    report = selectors.get_report_for_user(request.user, request.school, report_id)
    if report.status != report.Status.READY:
        messages.error(request, "That report is not ready yet.")
        return redirect("governors:reports")
    try:
        pdf = report.file.open("rb")
    except FileNotFoundError:  # the stored file was lost (a restore without media): say so, record nothing
        raise Http404("The report's file is missing; build the report again.") from None
    services.record_download(report=report, actor=request.user, request=request)
    name = f"online-safety-report-{request.school.slug}-{report.term.starts_on:%Y-%m}-v{report.version}.pdf"
    return file_download(pdf, content_type="application/pdf", filename=name)
