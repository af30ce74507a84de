"""Reports from outside the staff: the pupils' "tell a trusted adult" page (a school's secret link, no account), the
parents' "report an online safety concern" form (the school's public pages, no account), and the safeguarding
team's page for the pupil link. Each report is a new case in the triage queue, marked with who sent it."""

import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from onlinesafety import ratelimit
from onlinesafety.access import school_member_required
from onlinesafety.mail.services import absolute_url
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from . import forms, rights, selectors, services
from .models import Danger

CEOP_URL = "https://www.ceop.police.uk/Safety-Centre/"
# The parent's receipt for the page after sending: kept in their session (never in an address), so a reload or a
# second send of the form shows the same reference.
RECEIPT_SESSION_KEY = "incidents_parent_receipt"


def _in_school_time(school) -> None:
    timezone.activate(zoneinfo.ZoneInfo(school.timezone))


# ---------------------------------------------------------------- pupils

def _unknown_link(request: HttpRequest) -> HttpResponse:
    ratelimit.link_failed(request)
    return render(request, "incidents/tell_unknown.html", status=404)


@ratelimit.token_page
@sent_once
def tell(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.pupil_link_for_token(token)
    if link is None:
        return _unknown_link(request)
    school = link.school
    form = forms.PupilReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limited = ratelimit.report_refusal(request, school=school, link=link)
        if limited is not None:
            return limited
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.report_from_pupil(link=link, description=data["what_happened"], where=data["where"],
                                       danger=Danger(data["danger_now"]), name=data["name"],
                                       school_class=data["school_class"], request=request)
        if attempt.ok:
            return redirect("incidents:tell_thanks", token)
    return render(request, "incidents/tell.html", {"form": form, "school": school, "ceop_url": CEOP_URL})


@ratelimit.token_page
def tell_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The same calm page for every report: nothing of what was sent, no reference, so the next child at the tablet
    reads nothing back."""
    link = selectors.pupil_link_for_token(token)
    if link is None:
        return _unknown_link(request)
    return render(request, "incidents/tell_thanks.html", {"school": link.school, "token": token,
                                                          "ceop_url": CEOP_URL})


@school_member_required(rights.can_manage_pupil_link)
@sent_once
def pupil_link(request):  # a signed-in member: request.school and request.user are set
    """The safeguarding team's page for the school's pupil link: shown (audited), made again, or switched off."""
    school = request.school
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("new", "off"):
            messages.error(request, "Choose to make a new link or to switch it off: nothing was changed.")
            status = 400
        else:
            with refusal(request) as attempt:
                if action == "off":
                    services.switch_off_pupil_link(school=school, actor=request.user, request=request)
                else:
                    services.make_pupil_link(school=school, actor=request.user, request=request)
            if attempt.ok:
                return redirect("incidents:pupil_link")
    link = selectors.live_pupil_link(school)
    url = ""
    if link is not None:
        url = absolute_url(reverse("incidents:tell", args=[services.pupil_link_token(link)]))
        services.record_pupil_link_shown(school=school, actor=request.user, link=link, request=request)
    return render(request, "incidents/pupil_link.html", {"link": link, "url": url}, status=status)


# ---------------------------------------------------------------- parents

@ratelimit.public_page
@sent_once
def parent_report(request: HttpRequest, school_slug: str) -> HttpResponse:
    school = selectors.school_for_public_report(school_slug)
    _in_school_time(school)
    initial = {}
    if request.user.is_authenticated:  # a parent coming from their own pages
        initial = {"reporter_name": request.user.full_name, "reporter_email": request.user.email}
    form = forms.ParentReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        limited = ratelimit.report_refusal(request, school=school)
        if limited is not None:
            return limited
        data = form.cleaned_data
        if form.is_robot():  # the honeypot: discarded, but it looks accepted
            request.session[RECEIPT_SESSION_KEY] = services.new_receipt()
            request.session[RECEIPT_SESSION_KEY + "_urgent"] = data["danger_now"] == Danger.YES
            return redirect("incidents:parent_report_sent", school.slug)
        with refusal(request, form) as attempt:
            report = services.report_from_parent(
                school=school, reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
                description=data["what_happened"], occurred_on=data["occurred_on"], platform=data["platform"],
                danger=Danger(data["danger_now"]), child_name=data["child_name"], child_class=data["child_class"],
                request=request)
        if attempt.ok:
            request.session[RECEIPT_SESSION_KEY] = report.receipt
            request.session[RECEIPT_SESSION_KEY + "_urgent"] = data["danger_now"] == Danger.YES
            return redirect("incidents:parent_report_sent", school.slug)
    return render(request, "incidents/parent_report.html", {"form": form, "school": school})


@ratelimit.public_page
def parent_report_sent(request: HttpRequest, school_slug: str) -> HttpResponse:
    school = selectors.school_for_public_report(school_slug)
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    if not receipt:
        return redirect("incidents:parent_report", school.slug)
    return render(request, "incidents/parent_report_sent.html", {
        "school": school, "receipt": receipt, "urgent": request.session.get(RECEIPT_SESSION_KEY + "_urgent"),
    })
