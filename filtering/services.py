"""Every write to filtering: change requests under two-person control, reverts, checks, reviews, imports."""

import unicodedata
import zoneinfo
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents import selectors as incident_selectors, services as incident_services
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.schools.roles import DSL_TEAM, Role
from onlinesafety.schools.selectors import roles_in, users_with_roles
from onlinesafety.weburl import WebAddress, parse_domain, parse_url
from policies.services import complete_duty_by_code

from . import imports
from .models import (
    AnnualReview,
    ChangeRequest,
    FilterCheck,
    FilteringSettings,
    LogEntry,
    ProviderImport,
    RevertReminder,
)

Status = ChangeRequest.Status
APPROVER_ROLES = DSL_TEAM | {Role.HEADTEACHER}
LATE_ESCALATION_DAYS = 2


class FilteringRuleBroken(ValueError):
    """The step is not allowed: wrong person, wrong moment, or bad dates."""


def max_unblock_days(school) -> int:
    settings = FilteringSettings.objects.filter(school=school).first()
    return settings.max_unblock_days if settings else FilteringSettings._meta.get_field("max_unblock_days").default


def _log(change, actor, step, note="", request=None, detail=None):
    LogEntry.objects.create(request=change, school=change.school, step=step, actor=actor, note=note)
    record_event(verb=f"filtering.{step}", actor=actor, school=change.school, target=change, request=request,
                 detail=detail or {})


def _email(users, subject, change, text):
    url = absolute_url(reverse("filtering:request", args=[change.pk]))
    for user in users:
        queue_email(to=user.email, subject=subject, kind="filtering", body=f"{text}\n\nSign in to see it: {url}\n")


def normalise_target(target_type, raw):
    if target_type == ChangeRequest.TargetType.URL:
        return parse_url(raw)
    if target_type == ChangeRequest.TargetType.DOMAIN:
        return parse_domain(raw)
    name = " ".join(raw.split())[:100]
    if not name or any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise FilteringRuleBroken("Name the filtering category in plain words.")
    return WebAddress(name.lower(), name)


def _check_period(change, today):
    if change.action == ChangeRequest.Action.BLOCK:
        change.is_temporary = False
    if not change.is_temporary:
        change.starts_on = change.ends_on = None
        return
    if not change.starts_on or not change.ends_on:
        raise FilteringRuleBroken("Give the period of study: a start and an end date.")
    if change.ends_on < change.starts_on:
        raise FilteringRuleBroken("The period ends before it starts.")
    if change.starts_on < today:
        raise FilteringRuleBroken("The period cannot start in the past.")
    longest = max_unblock_days(change.school)
    if (change.ends_on - change.starts_on).days + 1 > longest:
        raise FilteringRuleBroken(f"A temporary unblock can last at most {longest} days at this school.")


@transaction.atomic
def request_change(*, school, actor, action, target_type, target, user_group, reason, lesson="",
                   is_temporary=True, starts_on=None, ends_on=None, from_report=False, request=None) -> ChangeRequest:
    address = normalise_target(target_type, target)
    change = ChangeRequest(
        school=school, requested_by=actor, action=action, target_type=target_type, target=address.normalised,
        target_display=address.display, user_group=user_group, reason=reason, lesson=lesson,
        is_temporary=is_temporary, starts_on=starts_on, ends_on=ends_on, from_report=from_report,
    )
    _check_period(change, timezone.localdate())
    change.save()
    _log(change, actor, "requested", reason, request, {"action": action, "temporary": change.is_temporary})
    approvers = [u for u in users_with_roles(school, APPROVER_ROLES) if u.pk != actor.pk]
    _email(approvers, "A filtering change needs a decision", change,
           f"Someone has asked to {change.get_action_display().lower()} a site. It needs a risk assessment.")
    return change



def _require(change, *statuses):
    if change.status not in statuses:
        raise FilteringRuleBroken(f"This request is {change.get_status_display().lower()}: that step is not open.")


def _require_period_not_over(change):
    if change.is_temporary and change.ends_on < timezone.localdate():
        raise FilteringRuleBroken("The period of study is over. Ask again with new dates.")


def _require_approver(change, actor):
    roles = roles_in(actor, change.school)
    if Role.TECHNICIAN in roles:
        raise FilteringRuleBroken("A technician carries out changes and may not approve them.")
    if not roles & APPROVER_ROLES:
        raise FilteringRuleBroken("Only the safeguarding team or the headteacher can decide on a change.")
    if actor.pk == change.requested_by_id:
        raise FilteringRuleBroken("Someone other than the person who asked must decide.")


@transaction.atomic
def approve(*, change, actor, educational_benefit, risks, supervision, note="", request=None) -> ChangeRequest:
    lock_for_update(change)
    _require(change, Status.REQUESTED)
    _require_approver(change, actor)
    _require_period_not_over(change)
    if not (educational_benefit.strip() and risks.strip() and supervision.strip()):
        raise FilteringRuleBroken("Record the risk assessment: the educational benefit, the risks and the supervision.")
    change.status, change.decided_by, change.decided_at = Status.APPROVED, actor, timezone.now()
    change.educational_benefit, change.risks, change.supervision, change.decision_note = (
        educational_benefit, risks, supervision, note)
    change.save()
    _log(change, actor, "approved", note or "Risk assessed and approved.", request)
    _email(users_with_roles(change.school, [Role.TECHNICIAN]), "A filtering change to make", change,
           "An approved filtering change is waiting for you to carry it out.")
    return change


@transaction.atomic
def reject(*, change, actor, note, request=None) -> ChangeRequest:
    lock_for_update(change)
    _require(change, Status.REQUESTED)
    _require_approver(change, actor)
    if not note.strip():
        raise FilteringRuleBroken("Say why the request is refused.")
    change.status, change.decided_by, change.decided_at, change.decision_note = (
        Status.REJECTED, actor, timezone.now(), note)
    change.save()
    _log(change, actor, "rejected", note, request)
    _email([change.requested_by], "Your filtering request was refused", change, "Your filtering request was refused.")
    return change


def _require_technician(change, actor):
    if Role.TECHNICIAN not in roles_in(actor, change.school):
        raise FilteringRuleBroken("Only a technician records changes made in the filtering system.")


@transaction.atomic
def implement(*, change, actor, provider_reference, request=None) -> ChangeRequest:
    lock_for_update(change)
    _require(change, Status.APPROVED)
    _require_technician(change, actor)
    _require_period_not_over(change)
    change.status, change.implemented_by, change.implemented_at = Status.ACTIVE, actor, timezone.now()
    change.provider_reference = provider_reference
    change.save()
    _log(change, actor, "implemented", f"Provider reference {provider_reference}".strip(), request)
    return change


@transaction.atomic
def revert(*, change, actor, reference="", request=None) -> ChangeRequest:
    lock_for_update(change)
    _require(change, Status.ACTIVE, Status.REVERT_DUE)
    if not change.is_temporary:
        raise FilteringRuleBroken("Only a temporary unblock is reverted.")
    _require_technician(change, actor)
    change.status, change.reverted_by, change.reverted_at = Status.REVERTED, actor, timezone.now()
    change.revert_reference = reference
    change.save()
    late = _days_late(change, timezone.localdate())
    _log(change, actor, "reverted", f"Reverted{f', {late} days late' if late else ''}. {reference}".strip(), request,
         {"days_late": late})
    return change


def _days_late(change, today) -> int:
    """0 on the first day after the period (the revert is due), 1 the day after, and so on."""
    return max((today - change.ends_on).days - 1, 0)


def _reminder_once(change, threshold) -> bool:
    """True the first time (change, threshold) is claimed; the row is the guard against sending twice."""
    _, created = RevertReminder.objects.get_or_create(request=change, threshold=threshold)
    return created


def process_reverts(*, now=None) -> int:
    """Move ended temporary unblocks to 'revert due' and remind the technicians daily until reverted;
    more than two days late, tell the safeguarding team once. Each reminder is sent once, however often this runs."""
    now = now or timezone.now()
    sent = 0
    due = ChangeRequest.objects.filter(is_temporary=True, status__in=[Status.ACTIVE, Status.REVERT_DUE])
    for change in due.select_related("school").order_by("pk"):
        today = timezone.localtime(now, _zone(change.school)).date()
        if today <= change.ends_on:
            continue
        days_late = _days_late(change, today)
        with transaction.atomic():
            lock_for_update(change)
            if change.status not in (Status.ACTIVE, Status.REVERT_DUE):  # reverted meanwhile
                continue
            if change.status == Status.ACTIVE:
                change.status = Status.REVERT_DUE
                change.save(update_fields=["status"])
                _log(change, None, "revert_due", f"The period ended on {change.ends_on:%d %B %Y}.")
            if _reminder_once(change, f"late-{days_late}"):
                _email(users_with_roles(change.school, [Role.TECHNICIAN]), "A temporary unblock must be reverted",
                       change, "The period of a temporary unblock has ended. Please put the block back.")
                sent += 1
            if days_late > LATE_ESCALATION_DAYS and _reminder_once(change, "escalated"):
                _log(change, None, "escalated", f"Still not reverted, {days_late} days late.")
                _email(users_with_roles(change.school, DSL_TEAM), "A temporary unblock has not been reverted",
                       change, "A temporary unblock is more than two days past its end and is still in place.")
                sent += 1
    return sent


def _zone(school):
    return zoneinfo.ZoneInfo(school.timezone)


# ---------------------------------------------------------------- checks and the annual review

@transaction.atomic
def record_check(*, school, actor, request=None, **fields) -> FilterCheck:
    check = FilterCheck.objects.create(school=school, checked_by=actor, **fields)
    record_event(verb="filtering.check_recorded", actor=actor, school=school, target=check, request=request,
                 detail={"failed": len(check.failed)})
    complete_duty_by_code(school=school, code="filtering_check", actor=actor, completed_on=check.checked_on,
                          notes="Filtering check logged.", request=request)
    return check


@transaction.atomic
def record_review(*, school, actor, request=None, **fields) -> AnnualReview:
    review = AnnualReview.objects.create(school=school, recorded_by=actor, **fields)
    record_event(verb="filtering.review_recorded", actor=actor, school=school, target=review, request=request)
    return review


@transaction.atomic
def sign_off_review(*, review, actor, request=None) -> AnnualReview:
    if actor.pk != review.governor_id:
        raise FilteringRuleBroken("The governor named on the review signs it off.")
    if review.signed_off_at:
        raise FilteringRuleBroken("This review is already signed off.")
    review.signed_off_at = timezone.now()
    review.save(update_fields=["signed_off_at"])
    record_event(verb="filtering.review_signed_off", actor=actor, school=review.school, target=review,
                 request=request)
    complete_duty_by_code(school=review.school, code="filtering_monitoring_review", actor=actor,
                          completed_on=timezone.localdate(), notes="Annual review signed off.", request=request)
    return review


UNBLOCK_FROM_REPORT_DAYS = 28


def report_site(*, school, actor, url, problem, description, request=None) -> ChangeRequest:
    """A site that should be blocked becomes a block request; one that is needed, a temporary unblock request."""
    if problem == "reachable":
        return request_change(school=school, actor=actor, action=ChangeRequest.Action.BLOCK,
                              target_type=ChangeRequest.TargetType.URL, target=url, user_group="everyone",
                              reason=description, is_temporary=False, from_report=True, request=request)
    today = timezone.localdate()
    days = min(UNBLOCK_FROM_REPORT_DAYS, max_unblock_days(school))
    return request_change(school=school, actor=actor, action=ChangeRequest.Action.UNBLOCK,
                          target_type=ChangeRequest.TargetType.URL, target=url, user_group="all_pupils",
                          reason=description, is_temporary=True, starts_on=today,
                          ends_on=today + timedelta(days=days - 1), from_report=True, request=request)


# ---------------------------------------------------------------- provider log import

MAX_IMPORT_BYTES = 500 * 1024 * 1024


@transaction.atomic
def start_import(*, school, actor, upload, request=None) -> ProviderImport:
    """Keep the uploaded CSV (checked: text, with a header row) and wait for the column mapping."""
    if upload.size > MAX_IMPORT_BYTES:
        raise imports.ImportRefused("The file is larger than 500 MB. Export a shorter period.")
    upload.seek(0)
    if b"\x00" in upload.read(65536):
        raise imports.ImportRefused("That is not a CSV file.")
    encoding = imports.detect_encoding(upload)
    header = imports.read_header(upload, encoding)
    upload.seek(0)
    provider_import = ProviderImport.objects.create(
        school=school, uploaded_by=actor, file=upload, original_name=upload.name[:200], encoding=encoding,
        header=header,
    )
    record_event(verb="filtering.provider_log_uploaded", actor=actor, school=school, target=provider_import,
                 request=request, detail={"bytes": upload.size, "encoding": encoding})
    return provider_import


@transaction.atomic
def choose_columns(*, provider_import, actor, mapping, request=None) -> ProviderImport:
    """Save the column mapping and hand the import to a worker."""
    locked = ProviderImport.objects.select_for_update().get(pk=provider_import.pk)
    if locked.state != ProviderImport.State.UPLOADED:
        raise imports.ImportRefused("This file has already been imported.")
    imports.check_mapping(mapping, locked.header)
    locked.mapping, locked.state = mapping, ProviderImport.State.RUNNING
    locked.save(update_fields=["mapping", "state"])
    record_event(verb="filtering.provider_log_mapped", actor=actor, school=locked.school, target=locked,
                 request=request, detail={"mapping": mapping})
    transaction.on_commit(lambda: _enqueue_import(locked.pk))
    return locked


def _enqueue_import(import_id):
    from .tasks import import_provider_log

    import_provider_log.delay(import_id)


# ---------------------------------------------------------------- from the provider's logs to an incident

def _incident_category_code(provider_category: str) -> str:
    words = provider_category.lower()
    if any(w in words for w in ("extrem", "terror", "radical", "hate")):
        return "radicalisation"
    if any(w in words for w in ("porn", "adult")):
        return "deliberate_access"
    return "other"


def open_incident_from_flag(*, school, actor, user_ref, category, attempts, last_seen, request=None):
    """One click from a flag in the provider log to a case for the safeguarding team."""
    categories = incident_selectors.categories_of(school)
    incident_category = (categories.filter(code=_incident_category_code(category)).first()
                         or categories.filter(code="other").first() or categories.first())
    if incident_category is None:
        raise FilteringRuleBroken("The school has no incident categories in use.")
    fields = {
        "occurred_at": last_seen, "location": "in_school", "category": incident_category,
        "device": "school", "network": "school", "platform": "Filtering provider log",
        "description": (f"The filtering provider blocked {attempts} attempts by the user “{user_ref}” to reach "
                        f"sites in the category “{category}” in one week. Opened from the provider log."),
        "immediate_risk": False, "possibly_illegal": "not_sure",
    }
    return incident_services.report_incident(school=school, reporter=actor, fields=fields, request=request)


def record_log_export(*, school, actor, request=None) -> None:
    record_event(verb="filtering.log_exported", actor=actor, school=school, request=request)
