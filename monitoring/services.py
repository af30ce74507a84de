"""Every write of the monitoring app. Each checks the actor's right again, then the alert's state (``RuleBroken``),
then writes in one transaction with its audit event."""

import csv
import logging
import secrets
import zoneinfo
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import IO, Any

from celery import Task
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from incidents import selectors as incident_selectors, services as incident_services
from onlinesafety import csvimport
from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.csvimport import ImportRefused
from onlinesafety.jobs import enqueue_after_commit, enqueue_now
from onlinesafety.mail.services import absolute_url, notify
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import DSL_TEAM
from onlinesafety.schools.selectors import users_with_roles
from onlinesafety.uploads import store_file

from . import ingest, rights
from .models import AlertStatus, Arrival, DismissReason, MonitoringAlert, MonitoringImport, MonitoringSettings

logger = logging.getLogger(__name__)

TEAM_ONLY = "Only the safeguarding team works with monitoring alerts."
MAX_IMPORT_BYTES = 200 * 1024 * 1024
MAX_BAD_LINES_KEPT = 100
REQUEUE_AFTER = timedelta(minutes=2)
STALLED_AFTER = timedelta(minutes=15)
MAX_IMPORT_ATTEMPTS = 3
MAX_WEBHOOK_ALERTS = 1000
MAX_WEBHOOK_BYTES = 10 * 1024 * 1024  # 1,000 alerts of a few KB each


# ---------------------------------------------------------------- telling the team of high-risk alerts

def tell_team_of_high_risk(school: School, count: int) -> int:
    """An urgent in-app alert and an email to each of the DSL team, at once: how many high-risk alerts arrived.
    Neither names the pupil nor says what the alert was (the inbox does, to the team, signed in)."""
    if count <= 0:
        return 0
    url = reverse("monitoring:inbox") + "?risk=high&status=new"
    what = "1 new high-risk monitoring alert" if count == 1 else f"{count} new high-risk monitoring alerts"
    message = f"Urgent: {what} to triage now."
    body = (f"{message}\n\nSign in to see them: {absolute_url(url)}\n\n"
            "This email names no one. Please do not forward it.")
    return notify(users=users_with_roles(school, DSL_TEAM), school=school, message=message, url=url, is_urgent=True,
                  email_subject=f"Urgent monitoring alert ({school.name})", email_body=body,
                  kind="monitoring_high_risk")


# ---------------------------------------------------------------- the webhook's secret

def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def set_new_secret(*, school: School, actor: User, request: HttpRequest | None = None) -> MonitoringSettings:
    """A new webhook secret (the first, or one replacing the old, which stops working at once)."""
    require(rights.can_manage_webhook(actor, school), TEAM_ONLY)
    existing = MonitoringSettings.objects.select_for_update().filter(school=school).first()
    settings = existing or MonitoringSettings(school=school)
    settings.webhook_secret, settings.secret_set_at, settings.secret_set_by = _new_secret(), timezone.now(), actor
    settings.save()
    record_event(verb="monitoring.webhook_secret_set", actor=actor, school=school, target=settings, request=request,
                 detail={"replaced": existing is not None})
    return settings


def record_secret_viewed(*, school: School, actor: User, request: HttpRequest | None = None) -> None:
    require(rights.can_manage_webhook(actor, school), TEAM_ONLY)
    record_event(verb="monitoring.webhook_secret_viewed", actor=actor, school=school, request=request)


# ---------------------------------------------------------------- alerts from the webhook

def receive_alerts(*, school: School, payloads: list[Mapping[str, Any]]) -> ingest.Saved:
    """The provider's alerts (already checked by ``ingest.read_alert``'s rules as they are read here): the system's
    write, no actor. Raises ``ValueError`` naming the first alert that cannot be read; then nothing is saved."""
    zone = zoneinfo.ZoneInfo(school.timezone)
    alerts = []
    for position, payload in enumerate(payloads, start=1):
        try:
            alerts.append(ingest.read_alert(webhook_fields(payload), zone))
        except ValueError as error:
            raise ValueError(f"alert {position}: {error}") from None
    with transaction.atomic():
        saved = ingest.save_alerts(school, alerts, arrival=Arrival.WEBHOOK)
        record_event(verb="monitoring.alerts_received", school=school,
                     detail={"received": len(alerts), "added": saved.added, "duplicate": saved.duplicate,
                             "high_risk": saved.high_risk_added})
        tell_team_of_high_risk(school, saved.high_risk_added)
    return saved


# The webhook's JSON keys, with the other spellings providers use.
WEBHOOK_KEYS = {
    "time": ("time", "timestamp", "occurred_at"),
    "provider_reference": ("provider_reference", "reference", "id", "alert_id"),
    "user": ("user", "username"),
    "device": ("device", "device_name"),
    "pupil_identifier": ("pupil_identifier", "pupil_id", "mis_id", "upn"),
    "category": ("category",),
    "risk": ("risk_level", "risk", "severity"),
    "captured_text": ("captured_text", "text"),
    "screenshot_ref": ("screenshot_reference", "screenshot_ref", "screenshot"),
    "provider": ("provider", "source"),
}


def webhook_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError("each alert must be a JSON object")
    fields: dict[str, Any] = {}
    for name, keys in WEBHOOK_KEYS.items():
        for key in keys:
            value = payload.get(key)
            if value not in (None, ""):
                if isinstance(value, (dict, list)):
                    raise ValueError(f"{key!r} must be text or a number")
                fields[name] = value
                break
    return fields


# ---------------------------------------------------------------- a CSV of alerts

def _check_csv(upload: IO[bytes], size: int) -> tuple[str, list[str]]:
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused("The file is larger than 200 MB. Export a shorter period.")
    csvimport.check_first_bytes(upload)
    encoding = csvimport.detect_encoding(upload)
    header = csvimport.read_header(upload, encoding)
    upload.seek(0)
    return encoding, header


@transaction.atomic
def start_import(*, school: School, actor: User, upload: UploadedFile,
                 request: HttpRequest | None = None) -> MonitoringImport:
    """Keep the uploaded CSV (checked: text, with a header row) and wait for the column mapping."""
    require(rights.can_import_alerts(actor, school), TEAM_ONLY)
    size = upload.size or 0
    encoding, header = _check_csv(upload, size)
    alert_import = MonitoringImport(school=school, uploaded_by=actor, original_name=(upload.name or "")[:200],
                                    encoding=encoding, header=header)
    _store(alert_import, upload, upload.name or "alerts.csv")
    record_event(verb="monitoring.import_uploaded", actor=actor, school=school, target=alert_import,
                 request=request, detail={"bytes": size, "encoding": encoding})
    return alert_import


def _store(alert_import: MonitoringImport, content: File, name: str) -> None:
    field, storage = alert_import.file.field, alert_import.file.storage
    alert_import.file.name = store_file(storage, field.generate_filename(alert_import, name), content,
                                        max_length=field.max_length)
    try:
        alert_import.save()
    except Exception:
        storage.delete(alert_import.file.name)
        raise


@transaction.atomic
def choose_columns(*, alert_import: MonitoringImport, actor: User, mapping: dict[str, str],
                   request: HttpRequest | None = None) -> MonitoringImport:
    """Save the column mapping and queue the import for a worker."""
    require(rights.can_import_alerts(actor, alert_import.school), TEAM_ONLY)
    locked = MonitoringImport.objects.select_for_update().get(pk=alert_import.pk)
    if locked.state != MonitoringImport.State.UPLOADED:
        raise ImportRefused("This file has already been imported.")
    csvimport.check_mapping(mapping, locked.header, ingest.FIELDS, ingest.REQUIRED)
    locked.mapping, locked.state, locked.queued_at = mapping, MonitoringImport.State.QUEUED, timezone.now()
    locked.save(update_fields=["mapping", "state", "queued_at"])
    record_event(verb="monitoring.import_mapped", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"mapping": mapping})
    enqueue_after_commit(_import_task(), locked.pk, what=f"Monitoring import {locked.pk}")
    return locked


def import_dropped_file(*, school: School, path: str, mapping: dict[str, str] | None = None) -> MonitoringImport:
    """A file the provider dropped (``manage.py import_monitoring_alerts``): the system's import, no actor, run at
    once. Without a mapping, each field takes the column named like it ("time", "risk level", ...) or as providers
    name it ("Pupil ID", "Severity", "Captured text", ...: ``ingest.guess_mapping``)."""
    with open(path, "rb") as binary:
        import os

        encoding, header = _check_csv(binary, os.fstat(binary.fileno()).st_size)
        mapping = mapping or ingest.guess_mapping(header)
        csvimport.check_mapping(mapping, header, ingest.FIELDS, ingest.REQUIRED)
        with transaction.atomic():
            alert_import = MonitoringImport(school=school, arrival=Arrival.FILE, original_name=os.path.basename(path),
                                            encoding=encoding, header=header, mapping=mapping,
                                            state=MonitoringImport.State.RUNNING, progress_at=timezone.now(),
                                            attempts=1)
            _store(alert_import, File(binary), os.path.basename(path))
            record_event(verb="monitoring.import_dropped", school=school, target=alert_import,
                         detail={"mapping": mapping})
    return run_import(alert_import)


def _import_task() -> Task:
    from .tasks import import_alerts

    return import_alerts


def _claimable(now: datetime) -> Q:
    stalled = Q(state=MonitoringImport.State.RUNNING, progress_at__lt=now - STALLED_AFTER)
    return (Q(state=MonitoringImport.State.QUEUED) | stalled) & Q(attempts__lt=MAX_IMPORT_ATTEMPTS)


def run_queued_import(import_id: int) -> int:
    """The worker's job: claim the import (a conditional update: a duplicate delivery finds nothing to claim) and
    import it. Returns the alerts added. Running it again is safe: the provider references are unique."""
    now = timezone.now()
    claimed = MonitoringImport.objects.filter(_claimable(now), pk=import_id).update(
        state=MonitoringImport.State.RUNNING, progress_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return 0
    alert_import = MonitoringImport.objects.select_related("school", "uploaded_by").get(pk=import_id)
    return run_import(alert_import).rows_added


def requeue_waiting_imports(*, now: datetime | None = None) -> int:
    """Every five minutes: hand to a worker again each import still queued (the broker was down) or gone silent;
    one that stalled too often is marked failed."""
    now = now or timezone.now()
    stalled = MonitoringImport.objects.filter(state=MonitoringImport.State.RUNNING,
                                              progress_at__lt=now - STALLED_AFTER)
    for given_up in stalled.filter(attempts__gte=MAX_IMPORT_ATTEMPTS).select_related("school", "uploaded_by"):
        if MonitoringImport.objects.filter(pk=given_up.pk, state=MonitoringImport.State.RUNNING).update(
                state=MonitoringImport.State.FAILED, finished_at=now, failure="The worker stopped"):
            record_event(verb="monitoring.import_failed", actor=given_up.uploaded_by, school=given_up.school,
                         target=given_up, detail={"reason": "stalled", "attempts": given_up.attempts})
    waiting = (MonitoringImport.objects.filter(_claimable(now))
               .exclude(state=MonitoringImport.State.QUEUED, queued_at__gt=now - REQUEUE_AFTER)
               .order_by("pk").values_list("pk", flat=True))
    return sum(enqueue_now(_import_task(), pk, what=f"Monitoring import {pk}") for pk in waiting)


@transaction.atomic
def retry_import(*, alert_import: MonitoringImport, actor: User,
                 request: HttpRequest | None = None) -> MonitoringImport:
    require(rights.can_import_alerts(actor, alert_import.school), TEAM_ONLY)
    locked = MonitoringImport.objects.select_for_update().get(pk=alert_import.pk)
    if locked.state != MonitoringImport.State.FAILED:
        raise ImportRefused("This import has not failed: it is waiting, running or done.")
    record_event(verb="monitoring.import_retried", actor=actor, school=locked.school, target=locked,
                 request=request, detail={"attempts": locked.attempts, "failure": locked.failure})
    locked.state, locked.queued_at, locked.attempts, locked.failure = (MonitoringImport.State.QUEUED, timezone.now(),
                                                                      0, "")
    locked.save(update_fields=["state", "queued_at", "attempts", "failure"])
    enqueue_after_commit(_import_task(), locked.pk, what=f"Monitoring import {locked.pk}")
    return locked


def run_import(alert_import: MonitoringImport) -> MonitoringImport:
    """Read every row in batches; keep the good ones, count and note the bad ones by their line. A failure part-way
    keeps what was saved and marks the import failed; the team is told of the high-risk alerts added either way."""
    counts = {"rows_read": 0, "rows_added": 0, "rows_duplicate": 0, "rows_bad": 0}
    bad_lines: list[list[int | str]] = []
    high_risk = [0]
    try:
        _read_all(alert_import, counts, bad_lines, high_risk)
    except Exception as error:
        _finish(alert_import, MonitoringImport.State.FAILED, counts, bad_lines, high_risk[0],
                failure=type(error).__name__)
        raise
    return _finish(alert_import, MonitoringImport.State.DONE, counts, bad_lines, high_risk[0])


def _read_all(alert_import: MonitoringImport, counts: dict[str, int], bad_lines: list[list[int | str]],
              high_risk: list[int]) -> None:
    school = alert_import.school
    zone = zoneinfo.ZoneInfo(school.timezone)
    columns = csvimport.check_mapping(alert_import.mapping, alert_import.header, ingest.FIELDS, ingest.REQUIRED)
    arrival = Arrival(alert_import.arrival)
    width = max(columns.values()) + 1
    batch: list[ingest.Alert] = []

    def save() -> None:
        saved = ingest.save_alerts(school, batch, arrival=arrival, source_id=alert_import.pk)
        counts["rows_added"] += saved.added
        counts["rows_duplicate"] += saved.duplicate
        high_risk[0] += saved.high_risk_added
        batch.clear()
        MonitoringImport.objects.filter(pk=alert_import.pk).update(progress_at=timezone.now(), **counts)

    with alert_import.file.open("rb") as binary:
        text = csvimport.text_of(binary, alert_import.encoding)
        reader = csv.reader(text)
        next(reader, None)  # the header
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                _note_bad(counts, bad_lines, line, f"not readable as CSV ({error})")
                continue
            if not any(cell.strip() for cell in row):
                continue
            counts["rows_read"] += 1
            if len(row) < width:
                _note_bad(counts, bad_lines, line, "the row has fewer columns than the header")
                continue
            try:
                batch.append(ingest.read_alert({name: row[index] for name, index in columns.items()}, zone))
            except ValueError as error:
                _note_bad(counts, bad_lines, line, str(error))
                continue
            if len(batch) >= ingest.BATCH:
                save()
        text.detach()
    if batch:
        save()


def _note_bad(counts: dict[str, int], bad_lines: list[list[int | str]], line: int, why: str) -> None:
    counts["rows_bad"] += 1
    if len(bad_lines) < MAX_BAD_LINES_KEPT:
        bad_lines.append([line, why])


def _finish(alert_import: MonitoringImport, state: str, counts: dict[str, int], bad_lines: list[list[int | str]],
            high_risk: int, failure: str = "") -> MonitoringImport:
    done = state == MonitoringImport.State.DONE
    stored = alert_import.file.name
    with transaction.atomic():
        # Done: the stored file goes (it may hold the capture of a possible sexual image that the alerts never
        # kept). Failed: it is kept, for "try again", until an attempt is done.
        MonitoringImport.objects.filter(pk=alert_import.pk).update(
            state=state, bad_lines=bad_lines, finished_at=timezone.now(), failure=failure[:100],
            **({"file": ""} if done else {}), **counts)
        if done and stored:
            storage = alert_import.file.storage
            transaction.on_commit(lambda: _delete_stored(storage, stored))
        alert_import.refresh_from_db()
        record_event(verb=f"monitoring.import_{'done' if done else 'failed'}", actor=alert_import.uploaded_by,
                     school=alert_import.school, target=alert_import, detail={**counts, "high_risk": high_risk})
        tell_team_of_high_risk(alert_import.school, high_risk)
    return alert_import


def _delete_stored(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:  # the row no longer names it: a leftover for the storage's own clean-up, not a failed import
        logger.warning("A finished monitoring import's file could not be deleted")


# ---------------------------------------------------------------- triage

def _lock_new(alert: MonitoringAlert, actor: User) -> MonitoringAlert:
    require(rights.can_triage_alerts(actor, alert.school), TEAM_ONLY)
    locked = MonitoringAlert.objects.select_for_update(of=("self",)).select_related("school", "pupil").get(pk=alert.pk)
    if locked.status != AlertStatus.NEW:
        raise RuleBroken(f"This alert has already been triaged ({locked.get_status_display().lower()}).")
    return locked


def _triaged(alert: MonitoringAlert, actor: User, status: AlertStatus, **changes: Any) -> None:
    alert.status, alert.triaged_by, alert.triaged_at = status, actor, timezone.now()
    for name, value in changes.items():
        setattr(alert, name, value)
    alert.save(update_fields=["status", "triaged_by", "triaged_at", *changes])


@transaction.atomic
def dismiss(*, alert: MonitoringAlert, actor: User, reason: DismissReason, note: str = "",
            request: HttpRequest | None = None) -> MonitoringAlert:
    note = " ".join(note.split())
    if reason == DismissReason.OTHER and not note:
        raise RuleBroken("Say why the alert is dismissed.")
    locked = _lock_new(alert, actor)
    _triaged(locked, actor, AlertStatus.DISMISSED, dismiss_reason=reason, dismiss_note=note[:300])
    record_event(verb="monitoring.alert_dismissed", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"reason": reason})
    return locked


def evidence_text(alert: MonitoringAlert) -> str:
    """What the case records of the alert: its metadata, and its captured text unless it was withheld."""
    lines = [
        f"Monitoring alert{f' from {alert.provider}' if alert.provider else ''} "
        f"(reference {alert.provider_reference[:80]}), {timezone.localtime(alert.occurred_at):%d %b %Y %H:%M}.",
        f"Category: {alert.category}. Risk: {alert.get_risk_display().lower()}.",
    ]
    who = ", ".join(part for part in (f"user {alert.user_ref}" if alert.user_ref else "",
                                      f"device {alert.device}" if alert.device else "",
                                      f"pupil identifier {alert.pupil_identifier}" if alert.pupil_identifier else "")
                    if part)
    if who:
        lines.append(f"Seen on: {who}.")
    if alert.content_withheld:
        lines.append("The capture was not kept: the alert may concern a sexual image of a child. Do not view, copy "
                     "or ask for the image.")
    else:
        if alert.captured_text:
            lines.append(f"Captured text: {alert.captured_text}")
        if alert.screenshot_ref:
            lines.append(f"Screenshot held by the provider: {alert.screenshot_ref}")
    return "\n".join(lines)


def _incident_category_code(category: str) -> str:
    words = category.lower()
    rules = (
        (("csam", "indecent", "iiioc", "child abuse"), "indecent_images"),
        (("groom", "exploit", "sextortion"), "sexual_abuse"),
        (("sex", "nud", "naked", "youth-produced"), "youth_imagery"),
        (("extrem", "terror", "radical"), "radicalisation"),
        (("hate", "racis", "homophob"), "online_hate"),
        (("bully", "harass"), "cyberbullying"),
        (("proxy", "vpn", "bypass"), "filter_bypass"),
        (("porn", "adult", "gambl", "drug", "weapon", "violen"), "deliberate_access"),
        ((" ai", "generative", "deepfake"), "harmful_ai"),
    )
    return next((code for words_of, code in rules if any(word in f" {words}" for word in words_of)), "other")


@transaction.atomic
def open_case(*, alert: MonitoringAlert, actor: User, request: HttpRequest | None = None) -> int:
    """One click from an alert to a case: the alert's details are the case's description (its evidence), the
    matched pupil is linked, the category follows the alert's where it maps, the level is left for the DSL. Returns
    the case's id (this app links to the case; it does not read it)."""
    locked = _lock_new(alert, actor)
    categories = incident_selectors.categories_of(locked.school)
    code = _incident_category_code(locked.category)
    category = (categories.filter(code=code).first() or incident_selectors.fallback_category(categories)
                or categories.first())
    if category is None:
        raise RuleBroken("The school has no incident categories in use.")
    serious = locked.content_withheld or code in ("indecent_images", "sexual_abuse", "radicalisation")
    incident = incident_services.report_incident(
        school=locked.school, reporter=actor, occurred_at=locked.occurred_at,
        location=incident_selectors.Location.NOT_KNOWN, category=category, description=evidence_text(locked),
        immediate_risk=False,
        possibly_illegal=incident_selectors.Illegal.NOT_SURE if serious else incident_selectors.Illegal.NO,
        device=incident_selectors.Device.SCHOOL, platform=f"Monitoring: {locked.provider or 'provider'}"[:100],
        pupils=[locked.pupil] if locked.pupil else [], request=request)
    _triaged(locked, actor, AlertStatus.CASE_OPENED, incident_id=incident.pk)
    record_event(verb="monitoring.case_opened", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"incident_id": incident.pk})
    return incident.pk


def parse_case_reference(reference: str) -> tuple[str, int] | None:
    """The prefix (upper case; "" if none was given) and the case number of a reference such as "OAKF-0007" (or
    just "7")."""
    prefix, _, digits = reference.strip().rpartition("-")
    digits = digits.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) < 9):
        return None
    return prefix.strip().upper(), int(digits)


@transaction.atomic
def link_to_case(*, alert: MonitoringAlert, actor: User, case_reference: str,
                 request: HttpRequest | None = None) -> int:
    """The alert is evidence on a case the person can work on: a note on the case's timeline says what it was."""
    parsed = parse_case_reference(case_reference)
    prefix = incident_selectors.reference_prefix(alert.school)
    if parsed is None:
        raise RuleBroken("Enter the case's reference, for example OAKF-0007.")
    given, number = parsed
    if given and given != prefix:
        raise RuleBroken(f"There is no case with that reference at this school: its case references begin "
                         f"{prefix}-.")
    locked = _lock_new(alert, actor)
    incident = incident_selectors.incidents_visible_to(actor, locked.school).filter(number=number).first()
    if incident is None:
        raise RuleBroken("There is no case with that reference that you can open.")
    access = incident_selectors.get_incident_for_user(actor, locked.school, incident.pk)
    if not access.work:
        raise RuleBroken("You cannot add to that case.")
    incident_services.add_note(incident=access.incident, actor=actor,
                               text="Evidence from the monitoring system:\n" + evidence_text(locked), request=request)
    _triaged(locked, actor, AlertStatus.LINKED, incident_id=incident.pk)
    record_event(verb="monitoring.alert_linked", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"incident_id": incident.pk})
    return incident.pk
