"""Parent campaigns: the list, asking a group of families to sign, and how far one campaign has got."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from onlinesafety.access import school_member_required
from onlinesafety.schools.selectors import year_groups_of
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from .. import forms, rights
from ..models import Campaign, CampaignKind
from ..selectors import campaigns as selectors
from ..services import campaigns as services
from .common import families

CAMPAIGNS_PER_PAGE = 50


@school_member_required(rights.can_see_coverage)
def campaign_list(request):
    page = Paginator(selectors.campaigns_of(request.school), CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/campaign_list.html", {
        "page": page, "can_start": rights.can_manage_agreements(request.user, request.school),
    })


@school_member_required(rights.can_manage_agreements)
@sent_once
def campaign_new(request):
    form = forms.CampaignForm(request.POST or None, school=request.school,
                              year_groups=year_groups_of(request.school),
                              initial={"kind": CampaignKind.AGREEMENT, "link_days": settings.AUP_LINK_DAYS})
    if request.method == "POST" and form.is_valid():
        ids, label = form.cohort_ids_and_label()
        with refusal(request, form) as attempt:
            campaign = services.start_campaign(
                school=request.school, actor=request.user, kind=CampaignKind(form.cleaned_data["kind"]),
                cohort=Campaign.Cohort(form.cleaned_data["cohort"]), ids=ids, cohort_label=label,
                link_days=form.cleaned_data["link_days"], request=request)
        if attempt.ok:
            messages.success(request, f"Emails are on their way to {families(campaign.families)}.")
            return redirect("aup:campaign", campaign.pk)
    return render(request, "aup/campaign_form.html", {"form": form})


@school_member_required(rights.can_see_coverage)
def campaign_detail(request, campaign_id: int):
    campaign = selectors.get_campaign_for_user(request.user, request.school, campaign_id)
    return render(request, "aup/campaign_detail.html", {
        "campaign": campaign, "progress": selectors.campaign_progress(campaign),
    })
