"""The registers every member of staff sees: no school technology (with restrictions added and lifted by hand)
and do not photograph or publish."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.schools.selectors import get_pupil_for_user
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import refusal

from .. import forms, rights
from ..selectors import registers as selectors
from ..services import registers as services
from .common import ROWS_PER_PAGE


@school_member_required(rights.can_use_registers)
def technology_register(request):
    register = selectors.technology_register(request.school, timezone.localdate())
    page = Paginator(register, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/technology_register.html", {
        "page": page, "grace_days": selectors.grace_days(),
    })


@school_member_required(rights.can_use_registers)
@sent_once
def add_restriction(request, pupil_id: int):
    pupil = get_pupil_for_user(request.user, request.school, pupil_id)
    form = forms.RestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.add_restriction(school=request.school, actor=request.user, pupil=pupil, request=request,
                                     **form.cleaned_data)
        if attempt.ok:
            messages.success(request, "Added to the technology access register.")
            return redirect("aup:technology_register")
    return render(request, "aup/restriction_form.html", {"pupil": pupil, "form": form})


@require_POST
@school_member_required(rights.can_use_registers)
@sent_once
def lift_restriction(request, restriction_id: int):
    restriction = selectors.get_restriction_for_user(request.user, request.school, restriction_id)
    services.lift_restriction(restriction=restriction, actor=request.user, request=request)
    messages.success(request, "Restriction lifted.")
    return redirect("aup:technology_register")


@school_member_required(rights.can_use_registers)
def image_register(request):
    page = Paginator(selectors.image_register(request.school), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/image_register.html", {"page": page, "rows": selectors.image_rows(page)})
