"""Reports from outside the staff: the pupils' "tell a trusted adult" page (a school's secret link, no account), the
parents' "report an online safety concern" form (the school's public pages, no account), and the safeguarding
team's page for the pupil link. Each report is a new case in the triage queue, marked with who sent it."""

import math
import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from onlinesafety import ratelimit
from onlinesafety.access import school_member_required
from onlinesafety.headers import private_page
from onlinesafety.mail.services import absolute_url
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from . import forms, rights, selectors, services
from .models import Danger

CEOP_URL = "https://www.ceop.police.uk/Safety-Centre/"
# The parent's receipt for the page after sending: kept in their session (never in an address) with the school it was
# sent to, and dropped once shown, so the next person on a shared computer cannot open it again (nor see it on
# another school's page).
RECEIPT_SESSION_KEY = "incidents_parent_receipt"


def _in_school_time(school) -> None:
    timezone.activate(zoneinfo.ZoneInfo(school.timezone))


# ---------------------------------------------------------------- pupils

def _unknown_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page for a link that opens no form. A token the school gave out and has since switched off (posters and
    bookmarks still point at it) is not counted as a failed link: it was not guessed, and counting it would let the
    old link lock the school's one network out of the new one. Only a token that was never a link counts."""
    if not selectors.is_switched_off_pupil_link(token):
        ratelimit.link_failed(request)
    return render(request, "incidents/tell_unknown.html", status=404)


@ratelimit.pupils_token_page
@sent_once
def tell(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.pupil_link_for_token(token)
    if link is None:
        return _unknown_link(request, token)
    school = link.school
    form = forms.PupilReportForm(request.POST or None)
    context = {"form": form, "school": school, "ceop_url": CEOP_URL}
    if request.method == "POST" and form.is_valid():
        seconds = ratelimit.report_limited(request, school=school, link=link)
        if seconds is not None:  # the form again, with what they wrote: nothing is saved, nothing is lost
            context["limited_minutes"] = max(1, math.ceil(seconds / 60))
            response = render(request, "incidents/tell.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.report_from_pupil(link=link, description=data["what_happened"], where=data["where"],
                                       danger=Danger(data["danger_now"]), name=data["name"],
                                       school_class=data["school_class"], request=request)
        if attempt.ok:
            return redirect("incidents:tell_thanks", token)
    return render(request, "incidents/tell.html", context)


@ratelimit.pupils_token_page
def tell_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The same calm page for every report: nothing of what was sent, no reference, so the next child at the tablet
    reads nothing back."""
    link = selectors.pupil_link_for_token(token)
    if link is None:
        return _unknown_link(request, token)
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

def _keep_receipt(request: HttpRequest, school, receipt: str, urgent: bool) -> None:
    request.session[RECEIPT_SESSION_KEY] = {"school": school.pk, "receipt": receipt, "urgent": urgent}


@ratelimit.public_page
@private_page
@sent_once
def parent_report(request: HttpRequest, school_slug: str) -> HttpResponse:
    school = selectors.school_for_public_report(school_slug)
    _in_school_time(school)
    form = forms.ParentReportForm(request.POST or None,
                                  initial=selectors.parent_report_prefill(request.user, school))
    if request.method == "POST" and form.is_robot():  # the honeypot: discarded, but it looks accepted
        _keep_receipt(request, school, services.new_receipt(), request.POST.get("danger_now") == Danger.YES)
        return redirect("incidents:parent_report_sent", school.slug)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        limited = ratelimit.report_refusal(request, school=school, email=data["reporter_email"])
        if limited is not None:
            return limited
        with refusal(request, form) as attempt:
            report = services.report_from_parent(
                school=school, reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
                description=data["what_happened"], occurred_on=data["occurred_on"], platform=data["platform"],
                danger=Danger(data["danger_now"]), child_name=data["child_name"], child_class=data["child_class"],
                request=request)
        if attempt.ok:
            _keep_receipt(request, school, report.receipt or "", data["danger_now"] == Danger.YES)
            return redirect("incidents:parent_report_sent", school.slug)
    return render(request, "incidents/parent_report.html", {"form": form, "school": school})


@ratelimit.public_page
@private_page
def parent_report_sent(request: HttpRequest, school_slug: str) -> HttpResponse:
    """The receipt, once: shown only on the page of the school it was sent to, then dropped from the session."""
    school = selectors.school_for_public_report(school_slug)
    kept = request.session.get(RECEIPT_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("school") != school.pk or not kept.get("receipt"):
        return redirect("incidents:parent_report", school.slug)
    del request.session[RECEIPT_SESSION_KEY]
    return render(request, "incidents/parent_report_sent.html", {
        "school": school, "receipt": kept["receipt"], "urgent": kept.get("urgent"),
    })
