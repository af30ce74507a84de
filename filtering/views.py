import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.csvexport import csv_response
from onlinesafety.requestsize import allows_request_bytes
from onlinesafety.schools.roles import GOVERNORS, SAFEGUARDING_LEADS
from onlinesafety.schools.selectors import users_with_roles
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.uploads import MEGABYTE
from onlinesafety.views import NOTHING_CHANGED, refusal

from . import exports, forms, rights, selectors, services

PER_PAGE = 25


def _tabs(request) -> dict[str, bool]:
    """Which of the filtering tabs this person can open."""
    user, school = request.user, request.school
    return {"changes": rights.can_list_changes(user, school), "report": rights.can_report_site(user, school),
            "log": rights.can_read_oversight(user, school), "checks": rights.can_read_oversight(user, school),
            "imports": rights.can_read_provider_logs(user, school),
            "settings": rights.can_record_providers(user, school)}


# ---------------------------------------------------------------- change requests

@school_member_required(rights.can_list_changes)
def change_list(request):
    filter_form = forms.ChangeListFilterForm(request.GET)
    filters = filter_form.filters()
    status = filters["status"] if filters is not None else ""
    changes = (selectors.change_list(request.user, request.school, status) if filters is not None
               else selectors.change_list(request.user, request.school).none())
    page = Paginator(changes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "filtering/change_list.html", {
        "page": page, "status": status, "statuses": services.Status.choices, "filter_form": filter_form,
        "counts": selectors.status_counts(request.user, request.school),
        "can_ask": rights.can_ask_for_changes(request.user, request.school), "tabs": _tabs(request),
    }, status=400 if filter_form.errors else 200)


@school_member_required(rights.can_ask_for_changes)
@sent_once
def change_new(request):
    form = forms.ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with refusal(request, form) as attempt:
                change = services.request_change(
                    school=request.school, actor=request.user, action=services.Action(data["action"]),
                    target_type=services.TargetType(data["target_type"]), target=data["target"],
                    user_group=services.UserGroup(data["user_group"]), reason=data["reason"], lesson=data["lesson"],
                    is_temporary=data["is_temporary"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                    request=request)
        except ValidationError as error:  # not a web address or a domain
            form.add_error("target", error.messages[0])
        else:
            if attempt.ok:
                messages.success(request, "Request sent to the safeguarding team for a decision.")
                return redirect("filtering:change", change.pk)
    return render(request, "filtering/change_form.html", {"form": form,
                  "max_days": services.max_unblock_days(request.school)}, status=400 if form.errors else 200)


@school_member_required(rights.can_open_changes)
def change_detail(request, change_id: int):
    access = selectors.get_change_for_user(request.user, request.school, change_id)
    return render(request, "filtering/change_detail.html", {
        "change": access.change, "rights": access, "log": selectors.change_history(access.change),
        "approve_form": forms.ApproveForm(), "reject_form": forms.RejectForm(),
        "implement_form": forms.ImplementForm(), "revert_form": forms.RevertForm(),
    })


# Each step: its form, the right it needs, and what the person is told once it is done.
STEPS: dict[str, tuple[type[Form], rights.ChangeRight, str]] = {
    "approve": (forms.ApproveForm, "decide", "Approved. The technician has been asked to make the change."),
    "reject": (forms.RejectForm, "decide", "Refused. The person who asked has been told."),
    "implement": (forms.ImplementForm, "implement", "Recorded as in place."),
    "revert": (forms.RevertForm, "implement", "Recorded as reverted."),
}


def _take_step(step, change, data, request):
    common = {"change": change, "actor": request.user, "request": request}
    if step == "approve":
        services.approve(educational_benefit=data["educational_benefit"], risks=data["risks"],
                         supervision=data["supervision"], note=data["note"], **common)
    elif step == "reject":
        services.reject(note=data["note"], **common)
    elif step == "implement":
        services.implement(provider_reference=data["provider_reference"], **common)
    elif step == "revert":
        services.revert(reference=data["reference"], **common)


@require_POST
@school_member_required(rights.can_open_changes)
@sent_once
def change_step(request, change_id: int, step: str):
    if step not in STEPS:
        raise Http404("No such step.")
    form_class, needed, done = STEPS[step]
    change = selectors.get_change_for_user(request.user, request.school, change_id, needed=needed).change
    form = form_class(request.POST)
    if not form.is_valid():
        errors = " ".join(str(error) for field_errors in form.errors.values() for error in field_errors)
        messages.error(request, NOTHING_CHANGED.format(error=errors))
        return redirect("filtering:change", change.pk)
    with refusal(request) as attempt:
        _take_step(step, change, form.cleaned_data, request)
    if attempt.ok:
        messages.success(request, done)
    return redirect("filtering:change", change.pk)


# ---------------------------------------------------------------- the change log

def _log_entries(request):
    """The filter form and the log entries it picks (None when a filter is wrong)."""
    filter_form = forms.ChangeLogFilterForm(request.GET)
    filters = filter_form.filters()
    if filters is None:
        return filter_form, None
    return filter_form, selectors.change_log(request.user, request.school, filters["status"], filters["from"],
                                             filters["to"])


@school_member_required(rights.can_read_oversight)
def change_log(request):
    filter_form, entries = _log_entries(request)
    page = Paginator(entries if entries is not None else [], 50).get_page(request.GET.get("page"))
    # Each entry links to its request only for those who may open it (a governor reads the log alone): one query.
    openable = set(selectors.changes_visible_to(request.user, request.school).filter(
        pk__in={entry.change_id for entry in page}).values_list("pk", flat=True))
    return render(request, "filtering/change_log.html", {
        "page": page, "filter_form": filter_form, "tabs": _tabs(request), "openable": openable,
    }, status=400 if filter_form.errors else 200)


@school_member_required(rights.can_read_oversight)
def change_log_csv(request):
    filter_form, entries = _log_entries(request)
    if entries is None:  # the page says what is wrong with the filters
        return redirect(f"{reverse('filtering:log')}?{request.GET.urlencode()}")
    services.record_log_export(school=request.school, actor=request.user, request=request)
    rows = exports.change_log_rows(entries, zoneinfo.ZoneInfo(request.school.timezone))
    return csv_response(rows, f"filtering-log-{timezone.localdate():%Y-%m-%d}.csv")


# ---------------------------------------------------------------- report a site

@school_member_required(rights.can_report_site)
@sent_once
def report_site(request):
    form = forms.ReportSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["problem"] == "harm":
            messages.warning(request, "Anything suggesting harm to a child is an incident: please report it here. "
                                      "If a child is in immediate danger, call 999 first.")
            return redirect("incidents:report")
        try:
            with refusal(request, form) as attempt:
                change = services.report_site(school=request.school, actor=request.user, url=data["url"],
                                              problem=data["problem"], description=data["description"],
                                              request=request)
        except ValidationError as error:  # not a web address
            form.add_error("url", error.messages[0])
        else:
            if attempt.ok:
                messages.success(request, "Thank you. Your report is now a request for the safeguarding team to "
                                          "decide.")
                if selectors.changes_visible_to(request.user, request.school).filter(pk=change.pk).exists():
                    return redirect("filtering:change", change.pk)
                return redirect("home")
    return render(request, "filtering/report_site.html", {"form": form},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------- checks and reviews

@school_member_required(rights.can_read_oversight)
def checks(request):
    page = Paginator(selectors.checks_of(request.school), PER_PAGE).get_page(request.GET.get("page"))
    reviews = selectors.reviews_of(request.school)[:5]
    return render(request, "filtering/checks.html", {
        "page": page, "reviews": reviews, "tabs": _tabs(request),
        "can_record_check": rights.can_record_checks(request.user, request.school),
        "can_record_review": rights.can_record_review(request.user, request.school),
    })


@school_member_required(rights.can_record_checks)
@sent_once
def check_new(request):
    form = forms.CheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.record_check(school=request.school, actor=request.user, checked_on=data["checked_on"],
                                  method=data["method"], devices=data["devices"], user_groups=data["user_groups"],
                                  results=form.results(), issues=data["issues"], actions=data["actions"],
                                  request=request)
        if attempt.ok:
            messages.success(request, "Check recorded. The compliance calendar's monthly check is marked done.")
            return redirect("filtering:checks")
    return render(request, "filtering/check_form.html", {"form": form}, status=400 if form.errors else 200)


@school_member_required(rights.can_record_review)
@sent_once
def review_new(request):
    providers = selectors.settings_of(request.school)  # the providers recorded on the settings page, to start from
    form = forms.ReviewForm(request.POST or None, leaders=users_with_roles(request.school, SAFEGUARDING_LEADS),
                            initial={"filtering_provider": providers.filtering_provider,
                                     "monitoring_provider": providers.monitoring_provider},
                            governors=users_with_roles(request.school, GOVERNORS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            review = services.record_review(
                school=request.school, actor=request.user, reviewed_on=data["reviewed_on"],
                senior_leader=data["senior_leader"], governor=data["governor"],
                filtering_provider=data["filtering_provider"], monitoring_provider=data["monitoring_provider"],
                categories_blocked=data["categories_blocked"], alert_route=data["alert_route"],
                alert_speed=data["alert_speed"], out_of_hours=data["out_of_hours"], training=data["training"],
                findings=data["findings"], actions=data["actions"], request=request)
        if attempt.ok:
            messages.success(request, "Review recorded. The governor named on it signs it off.")
            return redirect("filtering:review", review.pk)
    return render(request, "filtering/review_form.html", {"form": form}, status=400 if form.errors else 200)


@school_member_required(rights.can_read_oversight)
@sent_once
def review_detail(request, review_id: int):
    if request.method == "POST":
        review = selectors.get_review_for_user(request.user, request.school, review_id, needed="sign_off").review
        with refusal(request) as attempt:
            services.sign_off_review(review=review, actor=request.user, request=request)
        if attempt.ok:
            messages.success(request, "Signed off. Thank you.")
        return redirect("filtering:review", review.pk)
    access = selectors.get_review_for_user(request.user, request.school, review_id)
    return render(request, "filtering/review_detail.html", {"review": access.review, "rights": access})


@school_member_required(rights.can_record_providers)
@sent_once
def settings_page(request):
    """Who provides the school's filtering and its monitoring."""
    current = selectors.settings_of(request.school)
    form = forms.ProvidersForm(request.POST or None, initial={"filtering_provider": current.filtering_provider,
                                                              "monitoring_provider": current.monitoring_provider})
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.record_providers(school=request.school, actor=request.user,
                                      filtering_provider=form.cleaned_data["filtering_provider"],
                                      monitoring_provider=form.cleaned_data["monitoring_provider"], request=request)
        if attempt.ok:
            messages.success(request, "The filtering and monitoring providers are recorded.")
            return redirect("filtering:settings")
    return render(request, "filtering/settings.html", {"form": form, "current": current, "tabs": _tabs(request)},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------- provider log import

@allows_request_bytes(services.MAX_IMPORT_BYTES + MEGABYTE)  # the CSV, and the form around it
@school_member_required(rights.can_read_provider_logs)
@sent_once
def import_list(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form, "file") as attempt:
            provider_import = services.start_import(school=request.school, actor=request.user,
                                                    upload=form.cleaned_data["file"], request=request)
        if attempt.ok:
            return redirect("filtering:import", provider_import.pk)
    summary = selectors.blocked_summary(request.school, selectors.summary_window(timezone.localdate()))
    return render(request, "filtering/imports.html", {
        "form": form, "imports": selectors.imports_of(request.school)[:20], "summary": summary,
        "can_open_incident": rights.can_open_case_from_flag(request.user, request.school), "tabs": _tabs(request),
    }, status=400 if form.errors else 200)


@school_member_required(rights.can_read_provider_logs)
@sent_once
def import_detail(request, import_id: int):
    provider_import = selectors.get_import_for_user(request.user, request.school, import_id)
    form = forms.MappingForm(request.POST or None, header=provider_import.header)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.choose_columns(provider_import=provider_import, actor=request.user,
                                    mapping=form.cleaned_data, request=request)
        if attempt.ok:
            return redirect("filtering:import", provider_import.pk)
    template = "filtering/_import_status.html" if request.htmx else "filtering/import_detail.html"
    return render(request, template, {"provider_import": provider_import, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@school_member_required(rights.can_read_provider_logs)
@sent_once
def import_retry(request, import_id: int):
    provider_import = selectors.get_import_for_user(request.user, request.school, import_id)
    with refusal(request) as attempt:
        services.retry_import(provider_import=provider_import, actor=request.user, request=request)
    if attempt.ok:
        messages.success(request, "Trying the import again: this page shows when it is done.")
    return redirect("filtering:import", provider_import.pk)


@require_POST
@school_member_required(rights.can_open_case_from_flag)
@sent_once
def flag_to_incident(request):
    flag = selectors.find_flag(request.school, selectors.summary_window(timezone.localdate()),
                               user_ref=request.POST.get("user_ref", ""), category=request.POST.get("category", ""),
                               week=request.POST.get("week", ""))
    if flag is None:
        raise Http404("No such flag.")
    with refusal(request) as attempt:
        incident_id = services.open_incident_from_flag(
            school=request.school, actor=request.user, user_ref=flag["user_ref"], category=flag["category"],
            attempts=flag["n"], last_seen=flag["last"], request=request)
    if not attempt.ok:
        return redirect("filtering:imports")
    messages.success(request, "A case was opened from the provider log.")
    return redirect("incidents:case", incident_id)
