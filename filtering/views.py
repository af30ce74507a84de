import zoneinfo
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.csvexport import csv_lines, csv_response
from onlinesafety.schools.roles import LEADERSHIP, Role
from onlinesafety.schools.selectors import users_with_roles

from . import forms, imports, selectors, services
from .selectors import CHECK_ROLES, IMPORT_ROLES, LOG_ROLES, REPORT_ROLES, REQUEST_ROLES

PER_PAGE = 25


# ---------------------------------------------------------------- requests

@school_member_required(*(REQUEST_ROLES | LOG_ROLES))
def request_list(request):
    status = request.GET.get("status", "")
    page = Paginator(selectors.request_list(request.user, request.school, status), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "filtering/request_list.html", {
        "page": page, "status": status, "statuses": services.Status.choices,
        "counts": selectors.status_counts(request.user, request.school),
        "can_request": bool(request.roles & REQUEST_ROLES),
    })


@school_member_required(*REQUEST_ROLES)
def request_new(request):
    form = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.request_change(school=request.school, actor=request.user, request=request,
                                             **form.cleaned_data)
        except services.FilteringRuleBroken as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error("target", error.messages[0])
        else:
            messages.success(request, "Request sent to the safeguarding team for a decision.")
            return redirect("filtering:request", change.pk)
    return render(request, "filtering/request_form.html", {"form": form,
                  "max_days": services.max_unblock_days(request.school)}, status=400 if form.errors else 200)


@school_member_required(*(REQUEST_ROLES | LOG_ROLES))
def request_detail(request, request_id: int):
    change = selectors.get_request_for_user(request.user, request.school, request_id)
    roles = request.roles
    return render(request, "filtering/request_detail.html", {
        "change": change, "log": change.log.select_related("actor").order_by("at", "pk"),
        "can_decide": bool(roles & services.APPROVER_ROLES) and Role.TECHNICIAN not in roles
        and change.requested_by_id != request.user.pk,
        "can_implement": Role.TECHNICIAN in roles,
        "approve_form": forms.ApproveForm(), "reject_form": forms.RejectForm(),
        "implement_form": forms.ImplementForm(), "revert_form": forms.RevertForm(),
    })


STEPS = {
    "approve": (forms.ApproveForm, services.approve, "Approved. The technician has been asked to make the change."),
    "reject": (forms.RejectForm, services.reject, "Refused. The person who asked has been told."),
    "implement": (forms.ImplementForm, services.implement, "Recorded as in place."),
    "revert": (forms.RevertForm, services.revert, "Recorded as reverted."),
}


@require_POST
@school_member_required(*(REQUEST_ROLES | LOG_ROLES))
def request_step(request, request_id: int, step: str):
    if step not in STEPS:
        raise Http404("No such step.")
    change = selectors.get_request_for_user(request.user, request.school, request_id)
    form_class, service, done = STEPS[step]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("filtering:request", change.pk)
    try:
        service(change=change, actor=request.user, request=request, **form.cleaned_data)
    except services.FilteringRuleBroken as error:
        messages.error(request, f"Nothing was saved: {error}")
    else:
        messages.success(request, done)
    return redirect("filtering:request", change.pk)


# ---------------------------------------------------------------- the change log

def _log_filters(request):
    def day(name):
        try:
            return datetime.strptime(request.GET.get(name, ""), "%Y-%m-%d").date()
        except ValueError:
            return None

    return request.GET.get("status", ""), day("from"), day("to")


@school_member_required(*LOG_ROLES)
def change_log(request):
    status, date_from, date_to = _log_filters(request)
    entries = selectors.change_log(request.user, request.school, status, date_from, date_to)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "filtering/change_log.html", {
        "page": page, "status": status, "date_from": date_from, "date_to": date_to,
        "statuses": services.Status.choices,
    })


@school_member_required(*LOG_ROLES)
def change_log_csv(request):
    status, date_from, date_to = _log_filters(request)
    entries = selectors.change_log(request.user, request.school, status, date_from, date_to)
    services.record_log_export(school=request.school, actor=request.user, request=request)
    zone = zoneinfo.ZoneInfo(request.school.timezone)
    header = ["When", "Request", "Action", "Target", "For whom", "Step", "By", "Why / note", "Request status"]
    rows = (
        (f"{timezone.localtime(entry.at, zone):%d/%m/%Y %H:%M}", entry.request.pk, entry.request.get_action_display(),
         entry.request.target_display, entry.request.get_user_group_display(), entry.step,
         entry.actor.full_name if entry.actor else "(automatic)", entry.note, entry.request.get_status_display())
        for entry in entries.iterator(chunk_size=1000)
    )
    return csv_response(csv_lines(header, rows), f"filtering-log-{timezone.localdate():%Y-%m-%d}.csv")


# ---------------------------------------------------------------- report a site

@school_member_required(*REPORT_ROLES)
def report_site(request):
    form = forms.ReportSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["problem"] == "harm":
            messages.warning(request, "Anything suggesting harm to a child is an incident: please report it here. "
                                      "If a child is in immediate danger, call 999 first.")
            return redirect("incidents:report")
        try:
            change = services.report_site(school=request.school, actor=request.user, request=request,
                                          **form.cleaned_data)
        except services.FilteringRuleBroken as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error("url", error.messages[0])
        else:
            messages.success(request, "Thank you. Your report is now a request for the safeguarding team to decide.")
            if selectors.requests_visible_to(request.user, request.school).filter(pk=change.pk).exists():
                return redirect("filtering:request", change.pk)
            return redirect("home")
    return render(request, "filtering/report_site.html", {"form": form}, status=400 if form.errors else 200)


# ---------------------------------------------------------------- checks and reviews

@school_member_required(*CHECK_ROLES)
def checks(request):
    page = Paginator(selectors.checks_of(request.school), PER_PAGE).get_page(request.GET.get("page"))
    can_record = bool(request.roles & selectors.OVERSIGHT_ROLES)
    reviews = selectors.reviews_of(request.school)[:5]
    return render(request, "filtering/checks.html", {"page": page, "can_record": can_record, "reviews": reviews})


@school_member_required(*selectors.OVERSIGHT_ROLES)
def check_new(request):
    form = forms.CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_check(school=request.school, actor=request.user, request=request, **form.check_fields())
        messages.success(request, "Check recorded. The compliance calendar's monthly check is marked done.")
        return redirect("filtering:checks")
    return render(request, "filtering/check_form.html", {"form": form}, status=400 if form.errors else 200)


@school_member_required(*(LEADERSHIP))
def review_new(request):
    form = forms.ReviewForm(request.POST or None, leaders=users_with_roles(request.school, LEADERSHIP),
                            governors=users_with_roles(request.school, [Role.GOVERNOR]))
    if request.method == "POST" and form.is_valid():
        review = services.record_review(school=request.school, actor=request.user, request=request,
                                        **form.cleaned_data)
        messages.success(request, "Review recorded. The governor named on it signs it off.")
        return redirect("filtering:review", review.pk)
    return render(request, "filtering/review_form.html", {"form": form}, status=400 if form.errors else 200)


@school_member_required(*CHECK_ROLES)
def review_detail(request, review_id: int):
    review = selectors.get_review(request.school, review_id)
    if request.method == "POST":
        try:
            services.sign_off_review(review=review, actor=request.user, request=request)
        except services.FilteringRuleBroken as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Signed off. Thank you.")
        return redirect("filtering:review", review.pk)
    return render(request, "filtering/review_detail.html", {"review": review,
                  "can_sign": review.governor_id == request.user.pk and not review.signed_off_at})


# ---------------------------------------------------------------- provider log import

@school_member_required(*IMPORT_ROLES)
def import_list(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider_import = services.start_import(school=request.school, actor=request.user,
                                                    upload=form.cleaned_data["file"], request=request)
        except imports.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect("filtering:import", provider_import.pk)
    summary = selectors.blocked_summary(request.school, selectors.summary_window(timezone.localdate()))
    return render(request, "filtering/imports.html", {
        "form": form, "imports": selectors.imports_of(request.school)[:20], "summary": summary,
        "can_open_incident": bool(request.roles & selectors.DSL_TEAM),
    }, status=400 if form.errors else 200)


@school_member_required(*IMPORT_ROLES)
def import_detail(request, import_id: int):
    provider_import = selectors.get_import(request.school, import_id)
    form = forms.MappingForm(request.POST or None, header=provider_import.header)
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_columns(provider_import=provider_import, actor=request.user,
                                    mapping=form.cleaned_data, request=request)
        except imports.ImportRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("filtering:import", provider_import.pk)
    template = "filtering/_import_status.html" if request.htmx else "filtering/import_detail.html"
    return render(request, template, {"provider_import": provider_import, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@school_member_required(*IMPORT_ROLES)
def flag_to_incident(request):
    if not request.roles & selectors.DSL_TEAM:
        raise PermissionDenied
    since = selectors.summary_window(timezone.localdate())
    key = (request.POST.get("user_ref", ""), request.POST.get("category", ""), request.POST.get("week", ""))
    flag = next((f for f in selectors.repeated_serious_attempts(request.school, since)
                 if (f["user_ref"], f["category"], f["week"].date().isoformat()) == key), None)
    if flag is None:
        raise Http404("No such flag.")
    try:
        incident = services.open_incident_from_flag(
            school=request.school, actor=request.user, user_ref=flag["user_ref"], category=flag["category"],
            attempts=flag["n"], last_seen=flag["last"], request=request)
    except services.FilteringRuleBroken as error:
        messages.error(request, str(error))
        return redirect("filtering:imports")
    messages.success(request, "A case was opened from the provider log.")
    return redirect("incidents:case", incident.pk)

