"""Coverage: who has signed, the names still outstanding, the pupils with no email on record for their family,
the CSV, and new links to the families still to answer."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.csvexport import csv_response
from onlinesafety.forms import parse_id
from onlinesafety.views import refusal

from .. import exports, rights
from ..models import PERSONAL_AUDIENCES, PUPIL_AUDIENCES, Audience
from ..selectors import coverage as selectors
from ..selectors.rounds import current_round
from ..services import campaigns as services
from .common import ROWS_PER_PAGE, families, kind_from


def _class_key(value: str) -> str:
    """A class id from the request, "none" (pupils in no class), or "" (every class)."""
    if value == "none":
        return value
    class_id = parse_id(value)
    return str(class_id) if class_id else ""


def _reads(value: str) -> str:
    """A pupil agreement's audience from the request, or "" (every pupil agreement)."""
    return value if value in PUPIL_AUDIENCES else ""


@school_member_required(rights.can_see_coverage)
def coverage(request):
    round_ = current_round(request.school)
    return render(request, "aup/coverage.html", {
        "personal": selectors.personal_coverage(request.school, round_),
        "families": selectors.family_coverage(request.school, round_),
        # Reversed once here, not once per row: with seventy classes the page renders 140 rows.
        "outstanding_url": reverse("aup:outstanding"), "resend_url": reverse("aup:resend"),
    })


@school_member_required(rights.can_see_coverage)
def outstanding(request):
    if request.GET.get("missing") == "email":
        return no_email(request)
    round_ = current_round(request.school)
    audience = request.GET.get("audience", "")
    if audience in PERSONAL_AUDIENCES:
        people = selectors.unsigned_people(request.school, audience, round_)
        return render(request, "aup/outstanding_people.html", {
            "page": Paginator(people, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "audience": Audience(audience), "published": audience in round_.versions})
    kind = kind_from(request.GET.get("kind"))
    class_key = _class_key(request.GET.get("class", ""))
    reads = _reads(audience)
    pupils = selectors.outstanding_pupils(request.school, round_, kind, class_key, reads)
    page = Paginator(pupils, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/outstanding_pupils.html", {
        "page": page, "kind": kind, "kind_label": kind.label, "class_key": class_key,
        "reads": reads, "reads_label": Audience(reads).label if reads else "",
        "query": request.GET.urlencode(),
    })


def no_email(request):
    """Pupils no campaign can reach: no parent or carer with parental responsibility has an email on record.
    Reached as ``outstanding?missing=email`` (optionally ``&class=``)."""
    class_key = _class_key(request.GET.get("class", ""))
    pupils = selectors.pupils_without_email(request.school, class_key)
    return render(request, "aup/no_email.html", {
        "page": Paginator(pupils, ROWS_PER_PAGE).get_page(request.GET.get("page")), "class_key": class_key,
    })


@school_member_required(rights.can_see_coverage)
def coverage_csv(request):
    lines = exports.coverage_lines(request.school, current_round(request.school))
    return csv_response(lines, f"aup-coverage-{timezone.localdate():%Y-%m-%d}.csv")


@require_POST
@school_member_required(rights.can_see_coverage)
def resend(request):
    with refusal(request) as attempt:
        campaign = services.resend_to_outstanding(
            school=request.school, actor=request.user, kind=kind_from(request.POST.get("kind")), request=request,
            class_key=_class_key(request.POST.get("class", "")), reads=_reads(request.POST.get("audience", "")))
    if not attempt.ok:
        return redirect("aup:coverage")
    messages.success(request, f"New links sent to {families(campaign.families)} who have not answered yet.")
    return redirect("aup:campaign", campaign.pk)
