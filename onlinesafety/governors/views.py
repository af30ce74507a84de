from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.forms import parse_id

from . import selectors, services
from .figures import small_number
from .selectors import GENERATOR_ROLES, PORTAL_ROLES


@school_member_required(*PORTAL_ROLES)
def reports(request):
    return render(request, "governors/reports.html", {
        "terms": selectors.portal(request.school), "can_generate": bool(request.roles & GENERATOR_ROLES),
        "threshold": small_number(),
    })


@require_POST
@school_member_required(*GENERATOR_ROLES)
def generate(request):
    term_id = parse_id(request.POST.get("term"))
    term = selectors.past_terms(request.school).filter(pk=term_id).first() if term_id else None
    if term is None:
        messages.error(request, "Nothing was changed: choose a term that has ended.")
        return redirect("governors:reports")
    report = services.request_report(school=request.school, term=term, actor=request.user, request=request)
    messages.success(request, f"Building version {report.version} of the {term.name} report.")
    return redirect("governors:reports")


@school_member_required(*PORTAL_ROLES)
def progress(request, report_id: int):
    """The htmx fragment polled while a report is built."""
    report = selectors.get_report_for_user(request.user, request.school, report_id)
    return render(request, "governors/_report.html", {"report": report})


@school_member_required(*PORTAL_ROLES)
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
    response = FileResponse(pdf, content_type="application/pdf", as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
