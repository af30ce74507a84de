"""Members sign in the app: their own agreements, a visitor at the office kiosk and the visitors who signed,
and who runs the school's official social media accounts."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import redirect_to_next, refusal, safe_next

from .. import forms, rights
from ..documents import signed_text
from ..models import Audience
from ..selectors import agreements as selectors
from ..services import signing as services
from .common import ROWS_PER_PAGE


@school_member_required()
def mine(request):
    return render(request, "aup/mine.html", {
        "agreements": selectors.personal_agreements(request.user, request.school), "next": safe_next(request),
    })


@school_member_required()
@sent_once
def sign_mine(request, version_id: int):
    version = selectors.get_version_to_sign(request.user, request.school, version_id)
    already = selectors.signatures_of_user(request.user, request.school).filter(version=version).first()
    form = forms.PersonalSignForm(request.POST or None)
    next_path = safe_next(request)
    if request.method == "POST" and already is None and form.is_valid():
        with refusal(request, form, "typed_name") as attempt:
            services.sign_personal(version=version, user=request.user, school=request.school, request=request,
                                   typed_name=form.cleaned_data["typed_name"])
        if attempt.ok:
            messages.success(request, f"Thank you: you signed the {version.title.lower()}.")
            remaining = selectors.unsigned_agreements(request.user, request.school)
            if remaining:
                url = reverse("aup:sign_mine", args=[remaining[0].current_version_id])
                return HttpResponseRedirect(f"{url}?{urlencode({'next': next_path})}" if next_path else url)
            return redirect_to_next(request, reverse("home"))
    return render(request, "aup/sign_mine.html", {
        "version": version, "text": signed_text(version), "form": form, "already": already, "next": next_path,
    })


# ---------------------------------------------------------------- the visitor kiosk

@school_member_required(rights.can_run_kiosk)
@sent_once
def kiosk(request):
    version = selectors.current_versions(request.school).get(Audience.VISITOR)
    form = forms.KioskForm(request.POST or None)
    if request.method == "POST" and version is not None and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.sign_at_kiosk(school=request.school, witness=request.user, full_name=data["full_name"],
                                   organisation=data["organisation"], visit_reason=data["visit_reason"],
                                   request=request)
        if attempt.ok:
            messages.success(request, "Signed. The form is ready for the next visitor.")
            return redirect("aup:kiosk")
    return render(request, "aup/kiosk.html", {"version": version, "form": form})


@school_member_required(rights.can_run_kiosk)
def visitor_log(request):
    page = Paginator(selectors.kiosk_signatures(request.school), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/visitor_log.html", {"page": page})


# ---------------------------------------------------------------- official social media accounts

@school_member_required(rights.can_manage_agreements)
@sent_once
def account_holders(request):
    people = selectors.people_who_sign(request.school, Audience.STAFF)
    form = forms.AccountHolderForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form, "user") as attempt:
            services.add_account_holder(school=request.school, actor=request.user, request=request,
                                        **form.cleaned_data)
        if attempt.ok:
            messages.success(request, "Added. They will be asked to sign the social media agreement.")
            return redirect("aup:account_holders")
    return render(request, "aup/account_holders.html", {
        "holders": selectors.account_holders(request.school), "form": form,
    })


@require_POST
@school_member_required(rights.can_manage_agreements)
@sent_once
def remove_account_holder(request, holder_id: int):
    holder = selectors.account_holders(request.school).filter(pk=holder_id).first()
    if holder is not None:
        services.remove_account_holder(holder=holder, actor=request.user, request=request)
        messages.success(request, "Removed from the list of account holders.")
    return redirect("aup:account_holders")
