"""Every write to filtering: change requests under two-person control, reverts, checks, reviews, imports.

Each service a person performs checks their right again (``rights``), behind the view's check, before the state
rules; ``process_reverts`` and the import worker's ``run_queued_import`` and ``requeue_waiting_imports`` are the
system's own (no actor).
"""

import unicodedata
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from celery import Task
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from incidents import selectors as incident_selectors, services as incident_services
from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.jobs import enqueue_after_commit, enqueue_now
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import DSL_TEAM
from onlinesafety.schools.selectors import users_with_roles
from onlinesafety.uploads import store_file
from onlinesafety.weburl import WebAddress, parse_domain, parse_url
from policies.services import complete_duty_by_code

from . import imports, rights
from .models import (
    AnnualReview,
    ChangeRequest,
    FilterCheck,
    FilteringSettings,
    LogEntry,
    ProviderImport,
    RevertReminder,
    UserGroup,
)

Status = ChangeRequest.Status
Action = ChangeRequest.Action
TargetType = ChangeRequest.TargetType
LATE_ESCALATION_DAYS = 2


def max_unblock_days(school: School) -> int:
    settings = FilteringSettings.objects.filter(school=school).first()
    if settings is not None:
        return settings.max_unblock_days
    return int(FilteringSettings._meta.get_field("max_unblock_days").default)


def _log(change: ChangeRequest, actor: User | None, step: str, note: str = "", request: HttpRequest | None = None,
         detail: dict[str, Any] | None = None) -> None:
    LogEntry.objects.create(change=change, school=change.school, step=step, actor=actor, note=note)
    record_event(verb=f"filtering.{step}", actor=actor, school=change.school, target=change, request=request,
                 detail=detail or {})


def _email(users: Iterable[User], subject: str, change: ChangeRequest, text: str) -> None:
    url = absolute_url(reverse("filtering:change", args=[change.pk]))
    for user in users:
        queue_email(to=user.email, subject=subject, kind="filtering", body=f"{text}\n\nSign in to see it: {url}\n")


def normalise_target(target_type: str, raw: str) -> WebAddress:
    """The target as stored and as shown. A bad web address or domain raises ``ValidationError`` (from
    ``onlinesafety.weburl``); a category name that is not plain words, ``RuleBroken``."""
    if target_type == TargetType.URL:
        return parse_url(raw)
    if target_type == TargetType.DOMAIN:
        return parse_domain(raw)
    name = " ".join(raw.split())[:100]
    if not name or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise RuleBroken("Name the filtering category in plain words.")
    return WebAddress(name.lower(), name)


def _check_period(change: ChangeRequest, today: date) -> None:
    if change.action == Action.BLOCK:
        change.is_temporary = False
    if not change.is_temporary:
        change.starts_on = change.ends_on = None
        return
    if not change.starts_on or not change.ends_on:
        raise RuleBroken("Give the period of study: a start and an end date.")
    if change.ends_on < change.starts_on:
        raise RuleBroken("The period ends before it starts.")
    if change.starts_on < today:
        raise RuleBroken("The period cannot start in the past.")
    longest = max_unblock_days(change.school)
    if (change.ends_on - change.starts_on).days + 1 > longest:
        raise RuleBroken(f"A temporary unblock can last at most {longest} days at this school.")


def request_change(*, school: School, actor: User, action: Action, target_type: TargetType, target: str,
                   user_group: UserGroup, reason: str, lesson: str = "", is_temporary: bool = True,
                   starts_on: date | None = None, ends_on: date | None = None,
                   request: HttpRequest | None = None) -> ChangeRequest:
    """A member of staff asks for a site (or a category) to be unblocked or blocked; the leads are told."""
    require(rights.can_ask_for_changes(actor, school), "Only a member of staff can ask for a filtering change.")
    return _ask(school=school, actor=actor, action=action, target_type=target_type, target=target,
                user_group=user_group, reason=reason, lesson=lesson, is_temporary=is_temporary, starts_on=starts_on,
                ends_on=ends_on, from_report=False, request=request)


@transaction.atomic
def _ask(*, school: School, actor: User, action: Action, target_type: TargetType, target: str,
         user_group: UserGroup, reason: str, lesson: str, is_temporary: bool, starts_on: date | None,
         ends_on: date | None, from_report: bool, request: HttpRequest | None) -> ChangeRequest:
    address = normalise_target(target_type, target)
    change = ChangeRequest(
        school=school, requested_by=actor, action=action, target_type=target_type, target=address.normalised,
        target_display=address.display, user_group=user_group, reason=reason, lesson=lesson,
        is_temporary=is_temporary, starts_on=starts_on, ends_on=ends_on, from_report=from_report,
    )
    _check_period(change, timezone.localdate())
    change.save()
    _log(change, actor, "requested", reason, request, {"action": action, "temporary": change.is_temporary})
    approvers = [u for u in users_with_roles(school, rights.can_decide_changes.roles) if u.pk != actor.pk]
    _email(approvers, "A filtering change needs a decision", change,
           f"Someone has asked to {change.get_action_display().lower()} a site. It needs a risk assessment.")
    return change


def _require_status(change: ChangeRequest, *statuses: str) -> None:
    if change.status not in statuses:
        raise RuleBroken(f"This request is {change.get_status_display().lower()}: that step is not open.")


def _require_period_not_over(change: ChangeRequest) -> None:
    if change.is_temporary and change.ends_on is not None and change.ends_on < timezone.localdate():
        raise RuleBroken("The period of study is over. Ask again with new dates.")


def _require_decider(change: ChangeRequest, actor: User) -> None:
    refused = rights.decide_refusal(actor, change)
    require(refused is None, refused or "")


def _require_technician(change: ChangeRequest, actor: User) -> None:
    require(rights.is_technician(actor, change.school), rights.ONLY_TECHNICIANS_IMPLEMENT)


@transaction.atomic
def approve(*, change: ChangeRequest, actor: User, educational_benefit: str, risks: str, supervision: str,
            note: str = "", request: HttpRequest | None = None) -> ChangeRequest:
    _require_decider(change, actor)
    lock_for_update(change)
    _require_status(change, Status.REQUESTED)
    _require_period_not_over(change)
    if not (educational_benefit.strip() and risks.strip() and supervision.strip()):
        raise RuleBroken("Record the risk assessment: the educational benefit, the risks and the supervision.")
    change.status, change.decided_by, change.decided_at = Status.APPROVED, actor, timezone.now()
    change.educational_benefit, change.risks, change.supervision, change.decision_note = (
        educational_benefit, risks, supervision, note)
    change.save()
    _log(change, actor, "approved", note or "Risk assessed and approved.", request)
    _email(users_with_roles(change.school, rights.is_technician.roles), "A filtering change to make", change,
           "An approved filtering change is waiting for you to carry it out.")
    return change


@transaction.atomic
def reject(*, change: ChangeRequest, actor: User, note: str, request: HttpRequest | None = None) -> ChangeRequest:
    _require_decider(change, actor)
    lock_for_update(change)
    _require_status(change, Status.REQUESTED)
    if not note.strip():
        raise RuleBroken("Say why the request is refused.")
    change.status, change.decided_by, change.decided_at, change.decision_note = (
        Status.REJECTED, actor, timezone.now(), note)
    change.save()
    _log(change, actor, "rejected", note, request)
    _email([change.requested_by], "Your filtering request was refused", change, "Your filtering request was refused.")
    return change


@transaction.atomic
def implement(*, change: ChangeRequest, actor: User, provider_reference: str,
              request: HttpRequest | None = None) -> ChangeRequest:
    _require_technician(change, actor)
    lock_for_update(change)
    _require_status(change, Status.APPROVED)
    _require_period_not_over(change)
    change.status, change.implemented_by, change.implemented_at = Status.ACTIVE, actor, timezone.now()
    change.provider_reference = provider_reference
    change.save()
    _log(change, actor, "implemented", f"Provider reference {provider_reference}".strip(), request)
    return change


@transaction.atomic
def revert(*, change: ChangeRequest, actor: User, reference: str = "",
           request: HttpRequest | None = None) -> ChangeRequest:
    _require_technician(change, actor)
    lock_for_update(change)
    _require_status(change, Status.ACTIVE, Status.REVERT_DUE)
    if not change.is_temporary or change.ends_on is None:
        raise RuleBroken("Only a temporary unblock is reverted.")
    change.status, change.reverted_by, change.reverted_at = Status.REVERTED, actor, timezone.now()
    change.revert_reference = reference
    change.save()
    late = _days_late(change.ends_on, timezone.localdate())
    _log(change, actor, "reverted", f"Reverted{f', {late} days late' if late else ''}. {reference}".strip(), request,
         {"days_late": late})
    return change


def _days_late(ends_on: date, today: date) -> int:
    """0 on the first day after the period (the revert is due), 1 the day after, and so on."""
    return max((today - ends_on).days - 1, 0)


def _reminder_once(change: ChangeRequest, threshold: str) -> bool:
    """True the first time (change, threshold) is claimed; the row is the guard against sending twice."""
    _, created = RevertReminder.objects.get_or_create(change=change, threshold=threshold)
    return created


def process_reverts(*, now: datetime | None = None) -> int:
    """Move ended temporary unblocks to 'revert due' and remind the technicians daily until reverted;
    more than two days late, tell the safeguarding team once. Each reminder is sent once, however often this runs.
    The system's own work (celery beat), with no actor."""
    now = now or timezone.now()
    sent = 0
    due = ChangeRequest.objects.filter(is_temporary=True, status__in=[Status.ACTIVE, Status.REVERT_DUE])
    for change in due.select_related("school").order_by("pk"):
        today = timezone.localtime(now, _zone(change.school)).date()
        ends_on = change.ends_on
        if ends_on is None or today <= ends_on:
            continue
        days_late = _days_late(ends_on, today)
        with transaction.atomic():
            lock_for_update(change)
            if change.status not in (Status.ACTIVE, Status.REVERT_DUE):  # reverted meanwhile
                continue
            if change.status == Status.ACTIVE:
                change.status = Status.REVERT_DUE
                change.save(update_fields=["status"])
                _log(change, None, "revert_due", f"The period ended on {ends_on:%d %B %Y}.")
            if _reminder_once(change, f"late-{days_late}"):
                _email(users_with_roles(change.school, rights.is_technician.roles),
                       "A temporary unblock must be reverted", change,
                       "The period of a temporary unblock has ended. Please put the block back.")
                sent += 1
            if days_late > LATE_ESCALATION_DAYS and _reminder_once(change, "escalated"):
                _log(change, None, "escalated", f"Still not reverted, {days_late} days late.")
                _email(users_with_roles(change.school, DSL_TEAM), "A temporary unblock has not been reverted",
                       change, "A temporary unblock is more than two days past its end and is still in place.")
                sent += 1
    return sent


def _zone(school: School) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(school.timezone)


# ---------------------------------------------------------------- checks and the annual review

@transaction.atomic
def record_check(*, school: School, actor: User, checked_on: date, method: str, devices: str, user_groups: str,
                 results: dict[str, str], issues: str = "", actions: str = "",
                 request: HttpRequest | None = None) -> FilterCheck:
    """A filtering check (a result per category), which completes the month's "filtering provision check"."""
    require(rights.can_record_checks(actor, school),
            "Only the safeguarding team, the headteacher or a technician records a filtering check.")
    check = FilterCheck.objects.create(school=school, checked_by=actor, checked_on=checked_on, method=method,
                                       devices=devices, user_groups=user_groups, results=results, issues=issues,
                                       actions=actions)
    record_event(verb="filtering.check_recorded", actor=actor, school=school, target=check, request=request,
                 detail={"failed": len(check.failed)})
    complete_duty_by_code(school=school, code="filtering_check", actor=actor, completed_on=check.checked_on,
                          notes="Filtering check logged.", request=request)
    return check


@transaction.atomic
def record_review(*, school: School, actor: User, reviewed_on: date, senior_leader: User, governor: User,
                  filtering_provider: str, monitoring_provider: str, categories_blocked: str, alert_route: str,
                  alert_speed: str, out_of_hours: str, training: str, findings: str, actions: str,
                  request: HttpRequest | None = None) -> AnnualReview:
    """The year's review, against the DfE standards; the governor named on it signs it off."""
    require(rights.can_record_review(actor, school),
            "Only the safeguarding team or the headteacher records the annual review.")
    review = AnnualReview.objects.create(
        school=school, recorded_by=actor, reviewed_on=reviewed_on, senior_leader=senior_leader, governor=governor,
        filtering_provider=filtering_provider, monitoring_provider=monitoring_provider,
        categories_blocked=categories_blocked, alert_route=alert_route, alert_speed=alert_speed,
        out_of_hours=out_of_hours, training=training, findings=findings, actions=actions)
    record_event(verb="filtering.review_recorded", actor=actor, school=school, target=review, request=request)
    return review


@transaction.atomic
def record_providers(*, school: School, actor: User, filtering_provider: str, monitoring_provider: str,
                     request: HttpRequest | None = None) -> FilteringSettings:
    """Who provides the school's filtering and its monitoring (both needed: the DfE standards ask for each)."""
    require(rights.can_record_providers(actor, school),
            "Only the safeguarding team or the headteacher records the filtering and monitoring providers.")
    filtering_provider = " ".join(filtering_provider.split())
    monitoring_provider = " ".join(monitoring_provider.split())
    if not filtering_provider or not monitoring_provider:
        raise RuleBroken("Name both the filtering provider and the monitoring provider.")
    settings, _ = FilteringSettings.objects.get_or_create(school=school)
    lock_for_update(settings)
    settings.filtering_provider, settings.monitoring_provider = filtering_provider[:150], monitoring_provider[:150]
    settings.providers_recorded_at, settings.providers_recorded_by = timezone.now(), actor
    settings.save(update_fields=["filtering_provider", "monitoring_provider", "providers_recorded_at",
                                 "providers_recorded_by"])
    record_event(verb="filtering.providers_recorded", actor=actor, school=school, target=settings, request=request)
    return settings


@transaction.atomic
def sign_off_review(*, review: AnnualReview, actor: User, request: HttpRequest | None = None) -> AnnualReview:
    """The named governor signs the review off, which completes the year's "filtering and monitoring review"."""
    require(rights.is_review_governor(actor, review), "The governor named on the review signs it off.")
    lock_for_update(review)
    if review.signed_off_at:
        raise RuleBroken("This review is already signed off.")
    review.signed_off_at = timezone.now()
    review.save(update_fields=["signed_off_at"])
    record_event(verb="filtering.review_signed_off", actor=actor, school=review.school, target=review,
                 request=request)
    complete_duty_by_code(school=review.school, code="filtering_monitoring_review", actor=actor,
                          completed_on=timezone.localdate(), notes="Annual review signed off.", request=request)
    return review


UNBLOCK_FROM_REPORT_DAYS = 28
SiteProblem = Literal["reachable", "needed"]


def report_site(*, school: School, actor: User, url: str, problem: SiteProblem, description: str,
                request: HttpRequest | None = None) -> ChangeRequest:
    """A site that should be blocked becomes a block request; one that is needed, a temporary unblock request.
    (A site suggesting harm is an incident: the view sends the person to the incident form instead.)"""
    require(rights.can_report_site(actor, school), "Only an adult member of the school can report a site.")
    if problem == "reachable":
        return _ask(school=school, actor=actor, action=Action.BLOCK, target_type=TargetType.URL, target=url,
                    user_group=UserGroup.EVERYONE, reason=description, lesson="", is_temporary=False,
                    starts_on=None, ends_on=None, from_report=True, request=request)
    today = timezone.localdate()
    days = min(UNBLOCK_FROM_REPORT_DAYS, max_unblock_days(school))
    return _ask(school=school, actor=actor, action=Action.UNBLOCK, target_type=TargetType.URL, target=url,
                user_group=UserGroup.ALL_PUPILS, reason=description, lesson="", is_temporary=True, starts_on=today,
                ends_on=today + timedelta(days=days - 1), from_report=True, request=request)


# ---------------------------------------------------------------- provider log import

MAX_IMPORT_BYTES = 500 * 1024 * 1024
# An import still waiting this long after it was queued (the broker was down) is handed to a worker again.
REQUEUE_AFTER = timedelta(minutes=2)
STALLED_AFTER = timedelta(minutes=15)  # a batch of 5,000 rows takes well under a second
MAX_IMPORT_ATTEMPTS = 3
PROVIDER_LOGS_ONLY = "Only the safeguarding team or a technician imports the provider's logs."


@transaction.atomic
def start_import(*, school: School, actor: User, upload: UploadedFile,
                 request: HttpRequest | None = None) -> ProviderImport:
    """Keep the uploaded CSV (checked: text, with a header row) and wait for the column mapping."""
    require(rights.can_read_provider_logs(actor, school), PROVIDER_LOGS_ONLY)
    size = upload.size or 0
    if size > MAX_IMPORT_BYTES:
        raise imports.ImportRefused("The file is larger than 500 MB. Export a shorter period.")
    upload.seek(0)
    if b"\x00" in upload.read(65536):
        raise imports.ImportRefused("That is not a CSV file.")
    encoding = imports.detect_encoding(upload)
    header = imports.read_header(upload, encoding)
    upload.seek(0)
    provider_import = ProviderImport(school=school, uploaded_by=actor, original_name=(upload.name or "")[:200],
                                     encoding=encoding, header=header)
    # The file first, so that one the uploads folder refuses (``NotStored``, shown against the file) leaves no row
    # and no part of itself; and a row that cannot be written takes its file with it.
    field, storage = provider_import.file.field, provider_import.file.storage
    provider_import.file.name = store_file(storage, field.generate_filename(provider_import, upload.name or "log.csv"),
                                           upload, max_length=field.max_length)
    try:
        provider_import.save()
        record_event(verb="filtering.provider_log_uploaded", actor=actor, school=school, target=provider_import,
                     request=request, detail={"bytes": size, "encoding": encoding})
    except Exception:
        storage.delete(provider_import.file.name)
        raise
    return provider_import


@transaction.atomic
def choose_columns(*, provider_import: ProviderImport, actor: User, mapping: dict[str, str],
                   request: HttpRequest | None = None) -> ProviderImport:
    """Save the column mapping and queue the import: a worker imports it once this commits (or, if the broker is
    down, once ``requeue_waiting_imports`` hands it over again)."""
    require(rights.can_read_provider_logs(actor, provider_import.school), PROVIDER_LOGS_ONLY)
    locked = ProviderImport.objects.select_for_update().get(pk=provider_import.pk)
    if locked.state != ProviderImport.State.UPLOADED:
        raise imports.ImportRefused("This file has already been imported.")
    imports.check_mapping(mapping, locked.header)
    locked.mapping, locked.state, locked.queued_at = mapping, ProviderImport.State.QUEUED, timezone.now()
    locked.save(update_fields=["mapping", "state", "queued_at"])
    record_event(verb="filtering.provider_log_mapped", actor=actor, school=locked.school, target=locked,
                 request=request, detail={"mapping": mapping})
    enqueue_after_commit(_import_task(), locked.pk, what=f"Provider import {locked.pk}")
    return locked


def _import_task() -> Task:
    from .tasks import import_provider_log

    return import_provider_log


def _claimable(now: datetime) -> Q:
    """Queued, or running with no sign of life for STALLED_AFTER (its worker died: the message came back, or the
    periodic task sends it again), and not yet tried MAX_IMPORT_ATTEMPTS times."""
    stalled = Q(state=ProviderImport.State.RUNNING, progress_at__lt=now - STALLED_AFTER)
    return (Q(state=ProviderImport.State.QUEUED) | stalled) & Q(attempts__lt=MAX_IMPORT_ATTEMPTS)


def run_queued_import(import_id: int) -> int:
    """The worker's job (the system's, no actor): claim the import (a conditional update, so a duplicate delivery
    while another worker is busy with it finds nothing to claim) and import it. Returns the rows added. Running an
    import again after a dead worker is safe: rows already saved are recognised by their hash."""
    now = timezone.now()
    claimed = ProviderImport.objects.filter(_claimable(now), pk=import_id).update(
        state=ProviderImport.State.RUNNING, progress_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return 0
    provider_import = ProviderImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
    return imports.run_import(provider_import).rows_added


def requeue_waiting_imports(*, now: datetime | None = None) -> int:
    """The periodic task (the system's, no actor): hand to a worker again every import still queued two minutes
    after it was queued (the broker was down) and every one whose worker stopped giving signs of life; one that
    stalled MAX_IMPORT_ATTEMPTS times is marked failed. Returns how many were handed over."""
    now = now or timezone.now()
    stalled = ProviderImport.objects.filter(state=ProviderImport.State.RUNNING, progress_at__lt=now - STALLED_AFTER)
    for given_up in stalled.filter(attempts__gte=MAX_IMPORT_ATTEMPTS).select_related("school", "uploaded_by"):
        imports.give_up(given_up)
    waiting = (ProviderImport.objects.filter(_claimable(now))
               .exclude(state=ProviderImport.State.QUEUED, queued_at__gt=now - REQUEUE_AFTER)
               .order_by("pk").values_list("pk", flat=True))
    return sum(enqueue_now(_import_task(), import_id, what=f"Provider import {import_id}") for import_id in waiting)


@transaction.atomic
def retry_import(*, provider_import: ProviderImport, actor: User,
                 request: HttpRequest | None = None) -> ProviderImport:
    """A person's "try again" on a failed import: queued again from the start, with its tries counted afresh.
    Safe: rows already saved are recognised by their hash and counted as already imported."""
    require(rights.can_read_provider_logs(actor, provider_import.school), PROVIDER_LOGS_ONLY)
    locked = ProviderImport.objects.select_for_update().get(pk=provider_import.pk)
    if locked.state != ProviderImport.State.FAILED:
        raise imports.ImportRefused("This import has not failed: it is waiting, running or done.")
    record_event(verb="filtering.provider_log_retried", actor=actor, school=locked.school, target=locked,
                 request=request, detail={"attempts": locked.attempts, "failure": locked.failure})
    locked.state, locked.queued_at, locked.attempts, locked.failure = (ProviderImport.State.QUEUED, timezone.now(),
                                                                      0, "")
    locked.save(update_fields=["state", "queued_at", "attempts", "failure"])
    enqueue_after_commit(_import_task(), locked.pk, what=f"Provider import {locked.pk}")
    return locked


# ---------------------------------------------------------------- from the provider's logs to an incident

def _incident_category_code(provider_category: str) -> str:
    words = provider_category.lower()
    if any(w in words for w in ("extrem", "terror", "radical", "hate")):
        return "radicalisation"
    if any(w in words for w in ("porn", "adult")):
        return "deliberate_access"
    return "other"


def open_incident_from_flag(*, school: School, actor: User, user_ref: str, category: str, attempts: int,
                            last_seen: datetime, request: HttpRequest | None = None) -> int:
    """One click from a flag in the provider log to a case for the safeguarding team. Returns the case's id (this
    app links to the case; it does not read it)."""
    require(rights.can_open_case_from_flag(actor, school), "Only the safeguarding team opens a case from a flag.")
    categories = incident_selectors.categories_of(school)
    incident_category = (categories.filter(code=_incident_category_code(category)).first()
                         or categories.filter(code="other").first() or categories.first())
    if incident_category is None:
        raise RuleBroken("The school has no incident categories in use.")
    incident = incident_services.report_incident(
        school=school, reporter=actor, occurred_at=last_seen, location=incident_selectors.Location.IN_SCHOOL,
        category=incident_category, device=incident_selectors.Device.SCHOOL,
        network=incident_selectors.Network.SCHOOL, platform="Filtering provider log",
        description=(f"The filtering provider blocked {attempts} attempts by the user “{user_ref}” to reach "
                     f"sites in the category “{category}” in one week. Opened from the provider log."),
        immediate_risk=False, possibly_illegal=incident_selectors.Illegal.NOT_SURE, request=request,
    )
    return incident.pk


def record_log_export(*, school: School, actor: User, request: HttpRequest | None = None) -> None:
    require(rights.can_read_oversight(actor, school), "You cannot export the filtering change log.")
    record_event(verb="filtering.log_exported", actor=actor, school=school, request=request)
