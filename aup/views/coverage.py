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
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from .. import exports, forms, rights
from ..models import PERSONAL_AUDIENCES, PUPIL_AUDIENCES, Audience, CampaignKind
from ..selectors import coverage as selectors
from ..selectors.rounds import current_round
from ..services import campaigns as services
from .common import ROWS_PER_PAGE, families

NOTHING_SENT = "Nothing was sent: {error}"


def _filters(request, data, audiences=(*PERSONAL_AUDIENCES, *PUPIL_AUDIENCES)):
    """The coverage filters sent (the query string, or a resend's form) and their values, None if one is wrong."""
    form = forms.CoverageFilterForm(data, school=request.school, audiences=audiences)
    return form, form.filters()


def _problem(request, filter_form):
    """A list asked for with a wrong filter: the errors, and no names."""
    return render(request, "aup/outstanding_pupils.html", {
        "page": Paginator([], ROWS_PER_PAGE).get_page(1), "kind": CampaignKind.AGREEMENT,
        "kind_label": CampaignKind.AGREEMENT.label, "filter_form": filter_form,
    }, status=400)


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
    filter_form, filters = _filters(request, request.GET)
    if filters is None:
        return _problem(request, filter_form)
    if filters["missing"] == "email":
        return no_email(request, filters["class"])
    round_ = current_round(request.school)
    audience = filters["audience"]
    if audience in PERSONAL_AUDIENCES:
        people = selectors.unsigned_people(request.school, audience, round_)
        return render(request, "aup/outstanding_people.html", {
            "page": Paginator(people, ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "audience": Audience(audience), "published": audience in round_.versions})
    kind = CampaignKind(filters["kind"] or CampaignKind.AGREEMENT)
    class_key, reads = filters["class"], audience
    pupils = selectors.outstanding_pupils(request.school, round_, kind, class_key, reads)
    page = Paginator(pupils, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/outstanding_pupils.html", {
        "page": page, "kind": kind, "kind_label": kind.label, "class_key": class_key,
        "reads": reads, "reads_label": Audience(reads).label if reads else "",
        "query": request.GET.urlencode(),
    })


def no_email(request, class_key: str):
    """Pupils no campaign can reach: no parent or carer with parental responsibility has an email on record.
    Reached as ``outstanding?missing=email`` (optionally ``&class=``)."""
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
@sent_once
def resend(request):
    filter_form, filters = _filters(request, request.POST, audiences=PUPIL_AUDIENCES)
    if filters is None:
        errors = " ".join(str(error) for errors in filter_form.errors.values() for error in errors)
        messages.error(request, NOTHING_SENT.format(error=errors))
        return redirect("aup:coverage")
    with refusal(request) as attempt:
        campaign = services.resend_to_outstanding(
            school=request.school, actor=request.user, kind=CampaignKind(filters["kind"] or CampaignKind.AGREEMENT),
            class_key=filters["class"], reads=filters["audience"], request=request)
    if not attempt.ok:
        return redirect("aup:coverage")
    messages.success(request, f"New links sent to {families(campaign.families)} who have not answered yet.")
    return redirect("aup:campaign", campaign.pk)
