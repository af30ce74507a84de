"""The agreements: the list, one agreement, editing its draft, publishing it, and each published version."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import NOTHING_CHANGED, refusal

from .. import forms, rights
from ..selectors import agreements as selectors
from ..services import agreements as services


@school_member_required(rights.can_read_agreements)
def agreement_list(request):
    agreements = selectors.agreements_of(request.school).order_by("pk")
    return render(request, "aup/agreement_list.html", {
        "agreements": agreements, "can_manage": rights.can_manage_agreements(request.user, request.school),
        "can_see_coverage": rights.can_see_coverage(request.user, request.school),
    })


@school_member_required(rights.can_read_agreements)
def agreement_detail(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    return render(request, "aup/agreement_detail.html", {
        "agreement": agreement, "versions": selectors.versions_of(agreement),
        "can_manage": rights.can_manage_agreements(request.user, request.school), "publish_form": forms.PublishForm(),
    })


@school_member_required(rights.can_manage_agreements)
@sent_once
def edit_draft(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    initial = {"title": agreement.title, "text": agreement.draft_text}
    form = forms.DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.save_draft(agreement=agreement, actor=request.user, request=request, **form.cleaned_data)
        if attempt.ok:
            messages.success(request, "Draft saved. Publish it when it is ready; until then the version in force "
                                      "stays.")
            return redirect("aup:detail", agreement.pk)
    return render(request, "aup/draft_form.html", {"agreement": agreement, "form": form})


@require_POST
@school_member_required(rights.can_manage_agreements)
@sent_once
def publish(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, NOTHING_CHANGED.format(error="write what changed on one line."))
        return redirect("aup:detail", agreement.pk)
    with refusal(request) as attempt:
        version = services.publish(agreement=agreement, actor=request.user, request=request, **form.cleaned_data)
    if attempt.ok:
        messages.success(request, f"Version {version.number} published. Everyone it applies to must answer it "
                                  "again.")
    return redirect("aup:detail", agreement.pk)


@school_member_required(rights.can_read_agreements)
def version_detail(request, agreement_id: int, number: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    version = selectors.get_version(agreement, number)
    return render(request, "aup/version_detail.html", {"agreement": agreement, "version": version})
