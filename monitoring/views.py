import hmac
import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from onlinesafety import ratelimit
from onlinesafety.access import school_member_required
from onlinesafety.requestsize import allows_request_bytes, answers_json
from onlinesafety.schools.models import School
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.uploads import MEGABYTE
from onlinesafety.views import refusal

from . import forms, rights, selectors, services
from .models import AlertStatus, DismissReason

PER_PAGE = 25
SECRET_HEADER = "X-Monitoring-Secret"


def _tabs(request) -> dict[str, bool]:
    return {"imports": rights.can_import_alerts(request.user, request.school),
            "settings": rights.can_manage_webhook(request.user, request.school)}


@require_GET
@school_member_required(rights.can_triage_alerts)
def inbox(request):
    filter_form = forms.InboxFilterForm(request.GET)
    filters = filter_form.filters()
    alerts = (selectors.alerts_for(request.user, request.school, status=filters["status"], risk=filters["risk"])
              if filters is not None else selectors.alerts_for(request.user, request.school).none())
    page = selectors.inbox_page(alerts, request.GET.get("page"), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/inbox.html", {
        "page": page, "filter_form": filter_form, "counts": selectors.alert_counts(request.user, request.school),
        "query": query.urlencode(), "tabs": _tabs(request), "shown_at_most": selectors.SHOWN_AT_MOST,
    }, status=400 if filter_form.errors else 200)


def _alert_page(request, alert, *, dismiss_form=None, link_form=None, status=200):
    return render(request, "monitoring/alert.html", {
        "alert": alert, "dismiss_form": dismiss_form or forms.DismissForm(),
        "link_form": link_form or forms.LinkForm(), "waiting": alert.status == AlertStatus.NEW,
        "errors_form": (dismiss_form if dismiss_form is not None and dismiss_form.errors else link_form),
    }, status=status)


@require_GET
@school_member_required(rights.can_triage_alerts)
def alert_detail(request, alert_id: int):
    return _alert_page(request, selectors.get_alert_for_user(request.user, request.school, alert_id))


@require_POST
@school_member_required(rights.can_triage_alerts)
@sent_once
def alert_dismiss(request, alert_id: int):
    alert = selectors.get_alert_for_user(request.user, request.school, alert_id)
    form = forms.DismissForm(request.POST)
    if form.is_valid():
        with refusal(request, form) as attempt:
            services.dismiss(alert=alert, actor=request.user, reason=DismissReason(form.cleaned_data["reason"]),
                             note=form.cleaned_data["note"], request=request)
        if attempt.ok:
            messages.success(request, "The alert was dismissed.")
            return redirect("monitoring:inbox")
    return _alert_page(request, alert, dismiss_form=form, status=400)


@require_POST
@school_member_required(rights.can_triage_alerts)
@sent_once
def alert_link(request, alert_id: int):
    alert = selectors.get_alert_for_user(request.user, request.school, alert_id)
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        with refusal(request, form, "case_reference") as attempt:
            incident_id = services.link_to_case(alert=alert, actor=request.user,
                                                case_reference=form.cleaned_data["case_reference"], request=request)
        if attempt.ok:
            messages.success(request, "The alert was added to the case as evidence.")
            return redirect("incidents:case", incident_id)
    return _alert_page(request, alert, link_form=form, status=400)


@require_POST
@school_member_required(rights.can_triage_alerts)
@sent_once
def alert_open_case(request, alert_id: int):
    alert = selectors.get_alert_for_user(request.user, request.school, alert_id)
    with refusal(request) as attempt:
        incident_id = services.open_case(alert=alert, actor=request.user, request=request)
    if not attempt.ok:
        return redirect("monitoring:alert", alert.pk)
    messages.success(request, "A case was opened from the alert: set its level when you have looked at it.")
    return redirect("incidents:case", incident_id)


# ---------------------------------------------------------------- CSV import

@allows_request_bytes(services.MAX_IMPORT_BYTES + MEGABYTE)
@school_member_required(rights.can_import_alerts)
@sent_once
def import_list(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form, "file") as attempt:
            alert_import = services.start_import(school=request.school, actor=request.user,
                                                 upload=form.cleaned_data["file"], request=request)
        if attempt.ok:
            return redirect("monitoring:import", alert_import.pk)
    return render(request, "monitoring/imports.html", {
        "form": form, "imports": selectors.imports_of(request.school)[:20], "tabs": _tabs(request),
    }, status=400 if form.errors else 200)


@school_member_required(rights.can_import_alerts)
@sent_once
def import_detail(request, import_id: int):
    alert_import = selectors.get_import_for_user(request.user, request.school, import_id)
    form = forms.MappingForm(request.POST or None, header=alert_import.header)
    if request.method == "POST" and form.is_valid():
        with refusal(request, form) as attempt:
            services.choose_columns(alert_import=alert_import, actor=request.user, mapping=form.cleaned_data,
                                    request=request)
        if attempt.ok:
            return redirect("monitoring:import", alert_import.pk)
    template = "monitoring/_import_status.html" if request.htmx else "monitoring/import_detail.html"
    return render(request, template, {"alert_import": alert_import, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@school_member_required(rights.can_import_alerts)
@sent_once
def import_retry(request, import_id: int):
    alert_import = selectors.get_import_for_user(request.user, request.school, import_id)
    with refusal(request) as attempt:
        services.retry_import(alert_import=alert_import, actor=request.user, request=request)
    if attempt.ok:
        messages.success(request, "Trying the import again: this page shows when it is done.")
    return redirect("monitoring:import", alert_import.pk)


# ---------------------------------------------------------------- the webhook and its secret

@require_GET
@school_member_required(rights.can_manage_webhook)
def webhook_settings(request):
    settings = selectors.settings_of(request.school)
    if settings is not None:
        services.record_secret_viewed(school=request.school, actor=request.user, request=request)
    return render(request, "monitoring/settings.html", {
        "settings": settings, "header": SECRET_HEADER, "tabs": _tabs(request),
        "webhook_url": request.build_absolute_uri(f"/monitoring/inbound/{request.school.slug}/"),
    })


@require_POST
@school_member_required(rights.can_manage_webhook)
@sent_once
def webhook_secret_new(request):
    with refusal(request) as attempt:
        services.set_new_secret(school=request.school, actor=request.user, request=request)
    if attempt.ok:
        messages.success(request, "A new secret is set: give it to the monitoring provider. The old one no longer "
                                  "works.")
    return redirect("monitoring:settings")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _body_too_large(request) -> bool:
    length = request.META.get("CONTENT_LENGTH") or ""
    return length.isascii() and length.isdigit() and int(length) > services.MAX_WEBHOOK_BYTES


@answers_json  # a body over the site's limit is refused by the middleware, in JSON too
@csrf_exempt  # the provider's system sends it, with the school's secret in a header instead of a session
@require_POST
def webhook(request, slug: str) -> HttpResponse:
    """The monitoring provider POSTs alerts (one JSON object, a list of them, or {"alerts": [...]}) with the school's
    secret in the ``X-Monitoring-Secret`` header. 429 for a network locked out after too many wrong secrets (the
    kernel's link-failure lockout, ``onlinesafety.ratelimit``), 413 for a body over ``MAX_WEBHOOK_BYTES`` (not
    read), 403 for a wrong secret (or an unknown school: the answer is the same; each counts towards the lockout),
    400 saying what is wrong with the body, else 200 with what was added. Every answer is JSON."""
    locked_for = ratelimit.lockout_seconds_left(request)
    if locked_for:
        minutes = max(1, -(-locked_for // 60))
        response = _error(429, f"Too many wrong secrets were sent from this network. Try again in {minutes} "
                               f"minute{'s' if minutes != 1 else ''}.")
        response["Retry-After"] = str(locked_for)
        return response
    if _body_too_large(request):
        return _error(413, f"The body is larger than {services.MAX_WEBHOOK_BYTES // MEGABYTE} MB: send the alerts "
                           "in smaller batches.")
    school = School.objects.filter(slug=slug).first()
    settings = selectors.settings_of(school) if school is not None else None
    given = request.headers.get(SECRET_HEADER, "")
    expected = settings.webhook_secret if settings is not None else "no secret set"
    if not hmac.compare_digest(given.encode(), expected.encode()) or settings is None or school is None:
        ratelimit.link_failed(request)
        return _error(403, "The secret is wrong, or this school takes no alerts by webhook.")
    try:
        body = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        return _error(400, "The body is not UTF-8 text.")
    except json.JSONDecodeError as error:
        return _error(400, f"The body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.")
    except RecursionError:
        return _error(400, "The body cannot be read: its JSON is nested too deeply.")
    except ValueError:  # Python refuses an integer of more than 4,300 digits
        return _error(400, "The body cannot be read: it holds a number too long to read.")
    payloads = body.get("alerts") if isinstance(body, dict) and "alerts" in body else body
    if isinstance(payloads, dict):
        payloads = [payloads]
    if not isinstance(payloads, list) or not payloads:
        return _error(400, "Send an alert as a JSON object, or a list of them.")
    if len(payloads) > services.MAX_WEBHOOK_ALERTS:
        return _error(400, f"Send at most {services.MAX_WEBHOOK_ALERTS} alerts at once.")
    try:
        saved = services.receive_alerts(school=school, payloads=payloads)
    except ValueError as error:
        return _error(400, f"Nothing was saved: {error}.")
    return JsonResponse({"received": len(payloads), "added": saved.added, "duplicates": saved.duplicate})
