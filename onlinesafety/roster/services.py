"""Every write of the roster import: the dry run, confirming, the worker's apply, retrying and discarding, the
unattended imports (a dropped file, the MIS's API) and the school's roster settings.

A person's services check their right (``can_import_roster``) again behind the view's check. ``run_queued_apply``
(the worker's job), ``look_after_imports`` (every five minutes) and ``import_unattended`` (the command, the nightly
task) are the system's own and have no actor.

The dry run reads the file once, straight from the upload (20,000 rows at most), and keeps only the normalised rows
it needs, with the keys of its bad lines (so the people on them are left as they are, never marked as left);
nothing on the roster is written until a person confirms (or, unattended, unless it passes the leavers' limit and
has no duplicate, nor, for a full export, any bad line). Reading is done outside any transaction: only saving the
dry run is one. The MIS's API is read by a worker (``start_fetch`` -> ``run_fetch``), never while a web request
waits. Applying is one transaction: a failure anywhere leaves the roster as it was, and the import says "failed:
try again".
"""

import copy
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from celery import Task
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.utils import load_backend
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.jobs import enqueue_after_commit, enqueue_now
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Membership, School
from onlinesafety.schools.rights import is_site_admin
from onlinesafety.schools.roles import Role
from onlinesafety.schools.selectors import users_with_roles

from . import fields, presets
from .adapters import ProviderError, adapter_for, provider_adapter
from .models import IMPORTABLE_STAFF_ROLES, Kind, RosterImport, RosterSettings, SavedMapping, Source, Status
from .parsing import MAX_ROWS, ImportRefused, MappingNeeded, RawRow, check_file, csv_rows
from .rights import can_import_roster
from .selectors import saved_mapping, settings_of
from .sync import SYNCS, sync_parent_access, today_in

logger = logging.getLogger(__name__)

PREVIEW_LIFETIME = timedelta(days=1)
# An import still waiting this long after it was queued (the broker was down) is handed to a worker again.
REQUEUE_AFTER = timedelta(minutes=2)
# An import applying with no progress for this long has stopped (the worker died): it is marked failed.
STUCK_AFTER = timedelta(minutes=15)
# A read of the MIS's API still going this long after it started has stopped (its own budget is a minute).
FETCH_STUCK_AFTER = timedelta(minutes=5)
MAX_BAD_LINES = 200
AUTO, SAVED, BY_HAND, API = "auto", "saved", "by_hand", "api"
COLUMN_CHOICES = (AUTO, SAVED, BY_HAND, *presets.BY_CODE)
ADMINISTRATORS_ONLY = "Only the headteacher, the trust's administrators or the site administrator import the roster."
SITE_ADMIN_CONNECTS = ("Only the site administrator connects a school to Wonde (or changes its Wonde school id), once "
                       "the school has approved this product's access in Wonde.")
KEYS_IN_WORDS = {Kind.PUPILS: "MIS id or UPN", Kind.CONTACTS: "contact id", Kind.STAFF: "MIS id or email address"}
PEOPLE_IN_WORDS = {Kind.PUPILS: "pupils on the roster, they are among those marked as left",
                   Kind.CONTACTS: "contacts on record, their links are among those removed",
                   Kind.STAFF: "members of staff, they are among those whose membership ends"}


# ---------------------------------------------------------------- the columns

def choose_mapping(*, school: School, kind: Kind, columns: str, header: list[str],
                   mapping: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """(what was used, field -> column) for this file; ``MappingNeeded`` if the choice does not fit it."""
    if columns not in COLUMN_CHOICES:
        raise ImportRefused("Choose which columns to use.", field="columns")
    saved = saved_mapping(school, kind)
    if columns == BY_HAND or (mapping and columns != SAVED):
        return BY_HAND, _check_mapping(kind, mapping or {}, header, "Choose the column that holds {missing}.")
    if columns == SAVED:
        if saved is None:
            raise MappingNeeded("The school has no saved columns for this kind of file yet: choose them below.",
                                header, presets.guess(kind, header))
        return SAVED, _check_mapping(
            kind, saved, header, "The school's saved columns do not fit this file: it has no column for {missing}. "
                                 "Choose the columns below.",
            "The school's saved columns do not fit this file: it has no column called “{column}”.")
    if columns == AUTO:
        if saved is not None and _fits(kind, saved, header):
            return SAVED, _check_mapping(kind, saved, header, "")
        best = presets.best_preset(kind, header)
        if best is None:
            raise MappingNeeded("We could not tell which columns hold what. Choose them below.", header,
                                presets.guess(kind, header))
        return best
    chosen = presets.preset_mapping(columns, kind, header)
    lacking = fields.missing(kind, chosen)
    if lacking:
        raise MappingNeeded(f"This is not the usual {presets.BY_CODE[columns].label} export of "
                            f"{Kind(kind).label.lower()}: it has no column for {_words(lacking)}. Choose the "
                            "columns below.", header, {**presets.guess(kind, header), **chosen})
    return columns, chosen


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _fits(kind: Kind, mapping: dict[str, str], header: list[str]) -> bool:
    present = {column.casefold() for column in header}
    return all(column.casefold() in present for column in mapping.values() if column) and not fields.missing(
        kind, mapping)


def _check_mapping(kind: Kind, mapping: dict[str, str], header: list[str], lacking_message: str,
                   absent_message: str = "There is no column called “{column}” in this file.") -> dict[str, str]:
    """Each chosen column is one of the file's (matched without regard to case); every field needed is chosen."""
    columns = {column.casefold(): column for column in header}
    known = set(fields.field_names(kind))
    chosen: dict[str, str] = {}
    for name, column in mapping.items():
        if name not in known or not column:
            continue
        if column.casefold() not in columns:
            raise MappingNeeded(absent_message.format(column=column[:60]) + " Choose the columns below.", header,
                                presets.guess(kind, header))
        chosen[name] = columns[column.casefold()]
    lacking = fields.missing(kind, chosen)
    if lacking:
        raise MappingNeeded(lacking_message.format(missing=_words(lacking)), header,
                            {**presets.guess(kind, header), **chosen})
    return chosen


# ---------------------------------------------------------------- the dry run

def _read(kind: Kind, raw_rows: Iterable[RawRow], context: fields.Context,
          what: str = "The file") -> tuple[list[fields.Row], list[list[Any]], list[fields.Row]]:
    """(the rows read, the bad lines [line, why], the keys the bad lines still carry). Stops reading, and refuses
    the whole file, at its ``MAX_ROWS + 1``-th row."""
    rows: list[fields.Row] = []
    bad: list[list[Any]] = []
    keys: list[fields.Row] = []
    try:
        for count, raw in enumerate(raw_rows, start=1):
            if count > MAX_ROWS:
                raise ImportRefused(f"{what} has more than {MAX_ROWS:,} rows, so nothing was imported: an export of "
                                    "a school's pupils, contacts or staff is far smaller. Check that it is the right "
                                    "file, or export it in parts.")
            try:
                rows.append(fields.normalise(kind, raw, context))
            except fields.BadRow as why:
                bad.append([raw.line, str(why)])
                if (key := fields.key_of(kind, raw)) is not None:
                    keys.append(key)
    finally:
        close = getattr(raw_rows, "close", None)
        if close is not None:  # a file refused part-way: let go of it now
            close()
    return rows, bad, keys


def _check_staff_role(kind: Kind, staff_role: Role | None) -> str:
    if kind == Kind.STAFF:
        if staff_role not in IMPORTABLE_STAFF_ROLES:
            raise ImportRefused("Choose the role the new members of staff will have.", field="staff_role")
        return str(staff_role)
    return ""


def preview_file(*, school: School, actor: User | None, kind: Kind, binary: IO[bytes], size: int,
                 original_name: str, columns: str = AUTO, mapping: dict[str, str] | None = None,
                 is_full_export: bool = False, staff_role: Role | None = None, save_mapping: bool = False,
                 source: Source = Source.UPLOAD, request: HttpRequest | None = None) -> RosterImport:
    """The dry run of an export: check the file, read and check every row, compare them with the roster, and keep
    the result as an import "ready to check" with the rows it needs. The roster itself is not touched. Raises
    ``ImportRefused`` (``MappingNeeded`` for the columns) and writes nothing for a file that cannot be imported."""
    if actor is not None or source == Source.UPLOAD:
        require(actor is not None and can_import_roster(actor, school), ADMINISTRATORS_ONLY)
    role = _check_staff_role(kind, staff_role)
    checked = check_file(binary, size)
    used, chosen = choose_mapping(school=school, kind=kind, columns=columns, header=checked.header, mapping=mapping)
    dry = _dry_run(school=school, kind=kind, raw_rows=csv_rows(binary, checked, chosen), full=is_full_export,
                   staff_role=role, source=source)
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            school=school, kind=kind, source=source, started_by=actor, original_name=original_name[:200],
            file_sha256=checked.sha256, encoding=checked.encoding, is_full_export=is_full_export, staff_role=role,
            columns=used, mapping=chosen, save_mapping=save_mapping, expires_at=timezone.now() + PREVIEW_LIFETIME,
            **dry.fields())
        _record_dry_run(roster_import, actor, request)
    return roster_import


@dataclass
class _DryRun:
    """What a dry run found, ready to be kept on its import."""

    total: int
    summary: dict[str, Any]
    details: dict[str, Any]
    bad_lines: list[list[Any]]
    staged: list[fields.Row]

    def fields(self) -> dict[str, Any]:
        return {"total": self.total, "summary": self.summary, "details": self.details, "bad_lines": self.bad_lines,
                "staged": self.staged}


def _dry_run(*, school: School, kind: Kind, raw_rows: Iterator[RawRow], full: bool, staff_role: str,
             source: Source) -> _DryRun:
    """Read every row and compare them with the roster, in memory; nothing is written (and no transaction is held
    open while a file or the provider is read). Raises ``ImportRefused``."""
    roster_settings = settings_of(school)
    context = fields.Context(urn=school.urn, dfe_number=roster_settings.dfe_number, today=today_in(school))
    what = "Wonde's answer" if source == Source.API else "The file"
    rows, bad, keys = _read(kind, raw_rows, context, what)
    if not rows:
        if not bad:
            raise ImportRefused("The file has a header row but no rows under it." if source != Source.API else
                                "Wonde gave no records of this kind for the school, so nothing was imported.")
        first_line, why = bad[0]
        raise ImportRefused(f"None of the {len(bad)} rows could be read, so nothing was imported. The first, on "
                            f"line {first_line}: {why}. Check that the columns chosen are the right ones.",
                            field="columns" if source == Source.UPLOAD else "file")
    sync = SYNCS[kind](school, rows + keys, full=full, today=context.today, staff_role=staff_role)
    plan = sync.plan()
    read = len(rows) + len(bad)
    keyless = len(bad) - len(keys)
    bad = sorted(bad + plan.bad)
    summary = {**plan.counts(), "rows": read, "bad": len(bad), "population": sync.population()}
    details = sync.details(plan, _name_of(kind))
    details["duplicates"] = plan.duplicates[:MAX_BAD_LINES]
    if full and keyless:
        lines = f"{keyless} bad line{'s' if keyless != 1 else ''}"
        details["notes"].append(
            f"{lines} carr{'y' if keyless != 1 else 'ies'} no {KEYS_IN_WORDS[kind]} that can be read, so we cannot "
            f"tell whom {'they name' if keyless != 1 else 'it names'}: if they are {PEOPLE_IN_WORDS[kind]}. Correct "
            "the lines in the MIS and export the file again first.")
    if context.dfe_unchecked:
        details["notes"].append("The file has a DfE number column, but the school's DfE number is not recorded on "
                                "the roster settings page, so it was not checked.")
    return _DryRun(total=len(rows), summary=summary, details=details, bad_lines=bad[:MAX_BAD_LINES],
                   staged=rows + keys)


def _record_dry_run(roster_import: RosterImport, actor: User | None, request: HttpRequest | None) -> None:
    summary = roster_import.summary
    record_event(verb="roster.uploaded", actor=actor, school=roster_import.school, target=roster_import,
                 request=request, detail={"kind": str(roster_import.kind), "source": str(roster_import.source),
                                          "full": roster_import.is_full_export,
                                          **{key: summary.get(key, 0) for key in ("rows", "add", "change", "leave",
                                                                                    "duplicates", "bad", "kept")}})


# ---------------------------------------------------------------- the MIS's API, read by a worker

def _fetch_task() -> Task:
    from .tasks import fetch_roster_import

    return fetch_roster_import


def _new_fetch(school: School, actor: User | None, kind: Kind, request: HttpRequest | None) -> RosterImport:
    """The import record a worker fills from the provider (status "fetching"): the page polls it."""
    adapter = adapter_for(school)
    if adapter is None:
        raise RuleBroken("This school is not connected to an MIS data provider.")
    role = ""
    if kind == Kind.STAFF:
        role = settings_of(school).api_staff_role
        if not role:
            raise RuleBroken("Choose the role for new staff from the API on the roster settings page first.")
    now = timezone.now()
    roster_import = RosterImport.objects.create(
        school=school, kind=kind, source=Source.API, started_by=actor, original_name=f"{adapter.name} API",
        is_full_export=True, staff_role=role, columns=API, mapping={}, status=Status.FETCHING, queued_at=now,
        expires_at=now + PREVIEW_LIFETIME)
    record_event(verb="roster.fetch_requested", actor=actor, school=school, target=roster_import, request=request,
                 detail={"kind": str(kind)})
    return roster_import


@transaction.atomic
def start_fetch(*, school: School, actor: User, kind: Kind, request: HttpRequest | None = None) -> RosterImport:
    """A person asks for a dry run of the MIS's API: a worker reads the provider (the page shows how it is going,
    then the dry run, or why the provider could not be read). The request never waits on the provider."""
    require(can_import_roster(actor, school), ADMINISTRATORS_ONLY)
    roster_import = _new_fetch(school, actor, kind, request)
    enqueue_after_commit(_fetch_task(), roster_import.pk, what=f"Roster fetch {roster_import.pk}")
    return roster_import


def preview_from_provider(*, school: School, actor: User | None, kind: Kind,
                          request: HttpRequest | None = None) -> RosterImport:
    """The dry run of the MIS's API in this process (the nightly task, already on a worker; the tests): the same
    steps as ``start_fetch`` and its job. The provider gives everyone, so it is a full export. Raises
    ``ProviderError`` when the provider could not be read (the reason is kept on the failed import too)."""
    if actor is not None:
        require(can_import_roster(actor, school), ADMINISTRATORS_ONLY)
    with transaction.atomic():
        roster_import = _new_fetch(school, actor, kind, request)
    done = run_fetch(roster_import.pk)
    assert done is not None, "just made, so claimed here"
    if done.status == Status.FAILED:
        raise ProviderError(done.failure)
    return done


def run_fetch(import_id: int) -> RosterImport | None:
    """The worker's job (the system's): claim the fetching import (a conditional update, so a duplicate delivery
    finds nothing to claim), read the provider outside any transaction (within the adapter's time budget), make the
    dry run and keep it. Never raises: what went wrong is kept on the import as its failure (the provider's reason
    in plain words; an unexpected error by its type only, logged by id)."""
    now = timezone.now()
    claimed = RosterImport.objects.filter(pk=import_id, status=Status.FETCHING, started_at__isnull=True).update(
        started_at=now, last_progress_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    roster_import = RosterImport.objects.select_related("school", "started_by").get(pk=import_id)
    try:
        adapter = adapter_for(roster_import.school)
        if adapter is None:
            raise RuleBroken("This school is no longer connected to an MIS data provider.")
        dry = _dry_run(school=roster_import.school, kind=Kind(roster_import.kind),
                       raw_rows=adapter.records(roster_import.kind), full=True, staff_role=roster_import.staff_role,
                       source=Source.API)
    except RuleBroken as why:  # the provider's answer, or the rows: the reason names no one
        _fail_fetch(import_id, str(why))
    except Exception as error:
        logger.error("Roster fetch %s failed (%s); nothing was imported", import_id, type(error).__name__)
        _fail_fetch(import_id, f"It stopped before the end ({type(error).__name__}), so nothing was imported.")
    else:
        with transaction.atomic():
            now = timezone.now()
            if RosterImport.objects.filter(pk=import_id, status=Status.FETCHING).update(
                    status=Status.PREVIEWED, expires_at=now + PREVIEW_LIFETIME, last_progress_at=now,
                    **dry.fields()):
                roster_import.refresh_from_db()
                _record_dry_run(roster_import, roster_import.started_by, None)
    return RosterImport.objects.get(pk=import_id)


def _fail_fetch(import_id: int, why: str) -> None:
    with transaction.atomic():
        if RosterImport.objects.filter(pk=import_id, status=Status.FETCHING).update(
                status=Status.FAILED, failure=why[:1000], finished_at=timezone.now()):
            roster_import = RosterImport.objects.select_related("school").get(pk=import_id)
            record_event(verb="roster.fetch_failed", school=roster_import.school, target=roster_import,
                         detail={"kind": roster_import.kind})


def record_failed_import(*, school: School, kind: Kind, source: Source, why: str,
                         staff_role: str = "") -> RosterImport:
    """An unattended import that stopped on something unexpected, kept as a failed import on the school's roster page
    (the reason in plain words, never the error's own, which may quote data)."""
    now = timezone.now()
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            school=school, kind=kind, source=source, status=Status.FAILED, failure=why[:1000], finished_at=now,
            expires_at=now + PREVIEW_LIFETIME, staff_role=(staff_role or Role.STAFF) if kind == Kind.STAFF else "")
        record_event(verb="roster.failed", school=school, target=roster_import, detail={"kind": str(kind)})
    return roster_import


def _name_of(kind: Kind) -> Any:
    if kind == Kind.PUPILS:
        return lambda row: f"{row.get('preferred_first_name') or row['first_name']} " \
                           f"{row.get('preferred_last_name') or row['last_name']}"
    return lambda row: row["full_name"]


# ---------------------------------------------------------------- confirming, and the worker

def _apply_task() -> Task:
    from .tasks import apply_roster_import

    return apply_roster_import


@transaction.atomic
def confirm_import(*, roster_import: RosterImport, actor: User, request: HttpRequest | None = None) -> RosterImport:
    """The person has checked the dry run: queue it for a worker, which applies it once this commits (or, with
    the broker down, once ``look_after_imports`` hands it over). Confirming twice applies once."""
    locked, queued = _confirm(roster_import, actor, request)
    if queued:
        enqueue_after_commit(_apply_task(), locked.pk, what=f"Roster import {locked.pk}")
    return locked


def apply_confirmed_now(*, roster_import: RosterImport, actor: User,
                        request: HttpRequest | None = None) -> RosterImport:
    """Confirm and apply in this process rather than on a worker (the demo, the benchmark): the same steps."""
    with transaction.atomic():
        locked, queued = _confirm(roster_import, actor, request)
    if queued:
        run_queued_apply(locked.pk)
    locked.refresh_from_db()
    return locked


def _confirm(roster_import: RosterImport, actor: User, request: HttpRequest | None) -> tuple[RosterImport, bool]:
    require(can_import_roster(actor, roster_import.school), ADMINISTRATORS_ONLY)
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if locked.status in (Status.QUEUED, Status.APPLYING, Status.APPLIED):
        return locked, False
    _require_waiting(locked, Status.PREVIEWED)
    locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
    _queue(locked)
    record_event(verb="roster.confirmed", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"kind": locked.kind, "rows": locked.total})
    return locked, True


def _require_waiting(roster_import: RosterImport, *statuses: Status) -> None:
    if roster_import.status not in statuses:
        raise RuleBroken({
            Status.DISCARDED: "This import was discarded. Upload the file again.",
            Status.EXPIRED: "This dry run is more than a day old and has expired. Upload the file again.",
            Status.FAILED: "This import failed. Try it again from its page.",
            Status.PREVIEWED: "This import has not been confirmed yet.",
        }.get(Status(roster_import.status), "This import has already been applied."))
    if roster_import.expires_at <= timezone.now() or roster_import.staged is None:
        raise RuleBroken("This dry run is more than a day old and has expired. Upload the file again: the roster "
                         "may have changed since.")


def _queue(locked: RosterImport) -> None:
    locked.status, locked.queued_at, locked.failure = Status.QUEUED, timezone.now(), ""
    locked.progress = 0
    locked.save(update_fields=["status", "queued_at", "failure", "progress", "confirmed_by", "confirmed_at"])


@transaction.atomic
def retry_import(*, roster_import: RosterImport, actor: User, request: HttpRequest | None = None) -> RosterImport:
    """Try a failed import again (its rows are kept until the dry run expires)."""
    require(can_import_roster(actor, roster_import.school), ADMINISTRATORS_ONLY)
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if locked.status in (Status.FETCHING, Status.QUEUED, Status.APPLYING, Status.APPLIED):
        return locked
    if locked.fetch_failed and locked.source == Source.API:  # the provider could not be read: read it again
        if adapter_for(locked.school) is None:
            raise RuleBroken("This school is no longer connected to an MIS data provider.")
        now = timezone.now()
        locked.status, locked.failure, locked.started_at, locked.queued_at = Status.FETCHING, "", None, now
        locked.finished_at, locked.expires_at = None, now + PREVIEW_LIFETIME
        locked.save(update_fields=["status", "failure", "started_at", "queued_at", "finished_at", "expires_at"])
        record_event(verb="roster.retried", actor=actor, school=locked.school, target=locked, request=request,
                     detail={"kind": locked.kind, "attempts": locked.attempts})
        enqueue_after_commit(_fetch_task(), locked.pk, what=f"Roster fetch {locked.pk}")
        return locked
    if locked.fetch_failed:
        raise RuleBroken("This import stopped before its dry run, so there is nothing to try again: import the file "
                         "again.")
    _require_waiting(locked, Status.FAILED)
    locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
    _queue(locked)
    record_event(verb="roster.retried", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"kind": locked.kind, "attempts": locked.attempts})
    enqueue_after_commit(_apply_task(), locked.pk, what=f"Roster import {locked.pk}")
    return locked


@transaction.atomic
def discard_import(*, roster_import: RosterImport, actor: User, request: HttpRequest | None = None) -> RosterImport:
    """Throw a dry run (or a failed import) away: its rows are cleared; nothing on the roster changes."""
    require(can_import_roster(actor, roster_import.school), ADMINISTRATORS_ONLY)
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if locked.status == Status.DISCARDED:
        return locked
    if locked.status not in (Status.PREVIEWED, Status.FAILED):
        raise RuleBroken("Only an import that is waiting to be confirmed, or that failed, can be discarded.")
    locked.status, locked.staged, locked.details, locked.finished_at = Status.DISCARDED, None, {}, timezone.now()
    locked.save(update_fields=["status", "staged", "details", "finished_at"])
    record_event(verb="roster.discarded", actor=actor, school=locked.school, target=locked, request=request,
                 detail={"kind": locked.kind})
    return locked


class _Progress:
    """Writes the import's progress where the page that polls can see it. The apply is one transaction, so on
    PostgreSQL progress goes through a second connection of its own (autocommit, at most once a second); on
    SQLite (one writer at a time) it is written only before and after."""

    def __init__(self, import_id: int) -> None:
        self.import_id, self.last = import_id, 0.0
        self.side: Any = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            backend = load_backend(connection.settings_dict["ENGINE"])
            self.side = backend.DatabaseWrapper(copy.deepcopy(connection.settings_dict), alias="roster-progress")

    def __call__(self, done: int) -> None:
        now = timezone.now().timestamp()
        if self.side is None or now - self.last < 1:
            return
        self.last = now
        with self.side.cursor() as cursor:
            cursor.execute("UPDATE roster_rosterimport SET progress = %s, last_progress_at = %s "
                           "WHERE id = %s AND status = %s", [done, timezone.now(), self.import_id, Status.APPLYING])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


class _Abandoned(Exception):
    """The import was marked failed (it looked stuck) while it was still applying: roll it back."""


def run_queued_apply(import_id: int) -> RosterImport | None:
    """The worker's job (the system's, no actor): claim the queued import (queued -> applying, a conditional update,
    so a duplicate delivery finds nothing to claim) and apply it in one transaction. Never raises: a failure marks
    the import failed (nothing on the roster changed) and is logged by id."""
    now = timezone.now()
    claimed = RosterImport.objects.filter(pk=import_id, status=Status.QUEUED).update(
        status=Status.APPLYING, started_at=now, last_progress_at=now, progress=0)
    if not claimed:
        return None
    roster_import = RosterImport.objects.select_related("school", "confirmed_by", "started_by").get(pk=import_id)
    RosterImport.objects.filter(pk=import_id).update(attempts=roster_import.attempts + 1)
    progress = _Progress(import_id)
    try:
        return _apply(roster_import, progress)
    except Exception as error:  # the transaction rolled back: the roster is as it was
        logger.error("Roster import %s failed (%s); nothing was changed", import_id, type(error).__name__)
        why = ("It stopped while it was applying and nothing was changed: it looked stuck, or another import "
               "changed it meanwhile." if isinstance(error, _Abandoned) else
               f"It stopped before the end ({type(error).__name__}), so nothing was changed.")
        _fail(import_id, why)
        return RosterImport.objects.get(pk=import_id)
    finally:
        progress.close()


def _apply(roster_import: RosterImport, progress: _Progress) -> RosterImport:
    school = roster_import.school
    actor = roster_import.confirmed_by
    with transaction.atomic():
        lock_for_update(school)  # one import at a time per school: the second waits, then sees the first's work
        sync = SYNCS[roster_import.kind](school, roster_import.staged or [], full=roster_import.is_full_export,
                                         today=today_in(school), staff_role=roster_import.staff_role)
        counts = sync.apply(progress)
        for pk, user_id, role in sync.ended_memberships:  # one by one, as a person's are: the people pages show them
            record_event(verb="membership.ended", actor=actor, school=school, target=Membership(pk=pk),
                         detail={"role": role, "user_id": user_id, "roster_import": roster_import.pk})
        given, ended = sync_parent_access(school)
        counts.update(parent_access_given=given, parent_access_ended=ended)
        if roster_import.save_mapping and roster_import.mapping:
            SavedMapping.objects.update_or_create(school=school, kind=roster_import.kind,
                                                  defaults={"mapping": roster_import.mapping, "saved_by": actor})
        finished = RosterImport.objects.filter(pk=roster_import.pk, status=Status.APPLYING).update(
            status=Status.APPLIED, applied=counts, staged=None, details=_applied_details(roster_import),
            finished_at=timezone.now(), progress=roster_import.total, last_progress_at=timezone.now())
        if not finished:
            raise _Abandoned
        record_event(verb="roster.applied", actor=actor, school=school, target=roster_import,
                     detail={"kind": roster_import.kind, **{key: counts.get(key, 0) for key in (
                         "add", "change", "leave", "unchanged", "duplicates", "parent_access_given",
                         "parent_access_ended")}})
    return RosterImport.objects.get(pk=roster_import.pk)


def _applied_details(roster_import: RosterImport) -> dict[str, Any]:
    """What stays on an applied import's page: the notes, the duplicates (line and reason), never names."""
    details = roster_import.details or {}
    return {"notes": details.get("notes", []), "duplicates": details.get("duplicates", [])}


def _fail(import_id: int, why: str) -> None:
    with transaction.atomic():
        failed = RosterImport.objects.filter(pk=import_id, status=Status.APPLYING).update(
            status=Status.FAILED, failure=why, finished_at=timezone.now())
        if failed:
            roster_import = RosterImport.objects.select_related("school").get(pk=import_id)
            record_event(verb="roster.failed", school=roster_import.school, target=roster_import,
                         detail={"kind": roster_import.kind, "rows": roster_import.total})


def look_after_imports(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic task (the system's, no actor), every five minutes: hand imports still queued (or a read of the
    MIS's API not yet started) after two minutes to a worker again (the broker was down); mark failed an import
    applying with no progress for 15 minutes (its worker died: the database rolled its transaction back), or a read
    of the API going for five; expire dry runs (and failed imports) a day old and clear their rows."""
    now = now or timezone.now()
    waiting = list(RosterImport.objects.filter(status=Status.QUEUED, queued_at__lte=now - REQUEUE_AFTER)
                   .order_by("pk").values_list("pk", flat=True))
    sent = sum(enqueue_now(_apply_task(), pk, what=f"Roster import {pk}") for pk in waiting)
    unread = list(RosterImport.objects.filter(status=Status.FETCHING, started_at__isnull=True,
                                              queued_at__lte=now - REQUEUE_AFTER).order_by("pk")
                  .values_list("pk", flat=True))
    sent += sum(enqueue_now(_fetch_task(), pk, what=f"Roster fetch {pk}") for pk in unread)
    stuck = list(RosterImport.objects.filter(status=Status.APPLYING, last_progress_at__lte=now - STUCK_AFTER)
                 .values_list("pk", flat=True))
    for pk in stuck:
        _fail(pk, "It stopped without finishing (the worker may have restarted), so nothing was changed.")
    stuck_reading = list(RosterImport.objects.filter(status=Status.FETCHING, started_at__isnull=False,
                                                     last_progress_at__lte=now - FETCH_STUCK_AFTER)
                         .values_list("pk", flat=True))
    for pk in stuck_reading:
        _fail_fetch(pk, "It stopped while it was reading the MIS's API (the worker may have restarted), so nothing "
                        "was imported. Try again.")
    stuck += stuck_reading
    expired = 0
    for roster_import in RosterImport.objects.filter(status__in=[Status.PREVIEWED, Status.FAILED],
                                                     expires_at__lte=now).select_related("school"):
        with transaction.atomic():
            if RosterImport.objects.filter(pk=roster_import.pk, status=roster_import.status).update(
                    status=Status.EXPIRED, staged=None, details={}, finished_at=now):
                expired += 1
                record_event(verb="roster.expired", school=roster_import.school, target=roster_import,
                             detail={"kind": roster_import.kind})
    return {"requeued": sent, "failed": len(stuck), "expired": expired}


# ---------------------------------------------------------------- unattended imports

@dataclass
class Outcome:
    roster_import: RosterImport
    held: str = ""  # why it waits for a person ("" once applied)

    @property
    def applied(self) -> bool:
        return self.roster_import.status == Status.APPLIED


def hold_reason(roster_import: RosterImport) -> str:
    """Why an unattended import must wait for a person: too many leavers (a truncated export must never mark a
    school's pupils as left), any duplicate, or, in a full export, any bad line (whoever it names is left as they are,
    but a person must look: a bad line with no key that can be read may be someone marked as left)."""
    summary = roster_import.summary
    limit = settings.ROSTER_MAX_LEAVERS_PERCENT
    leaving, population = summary.get("leave", 0), summary.get("population", 0)
    reasons = []
    if leaving and leaving * 100 > limit * population:
        words = {Kind.PUPILS: "pupils as left", Kind.CONTACTS: "contact links as removed",
                 Kind.STAFF: "members of staff as left"}[Kind(roster_import.kind)]
        reasons.append(f"it would mark {leaving} of {population} {words} ({leaving * 100 // max(population, 1)}%, "
                       f"more than the {limit}% an unattended import may)")
    if summary.get("duplicates"):
        reasons.append(f"it has {summary['duplicates']} duplicate row{'s' if summary['duplicates'] != 1 else ''}, "
                       "which a person must look at")
    if roster_import.is_full_export and summary.get("bad"):
        reasons.append(f"it is a full export with {summary['bad']} bad line{'s' if summary['bad'] != 1 else ''}, "
                       "which a person must look at (nobody on them is marked as left)")
    return "; ".join(reasons)


def import_unattended(*, school: School, kind: Kind, binary: IO[bytes] | None = None, size: int = 0,
                      original_name: str = "", is_full_export: bool = False, staff_role: Role | None = None,
                      columns: str = AUTO, from_provider: bool = False) -> Outcome:
    """A dropped file (or the MIS's API) imported with no one to confirm it: the same dry run, then applied at once,
    unless ``hold_reason`` keeps it as a dry run for a person to confirm on the roster page. Raises
    ``ImportRefused`` (or ``ProviderError``) for what cannot be imported, writing nothing."""
    if from_provider:
        roster_import = preview_from_provider(school=school, actor=None, kind=kind)
    else:
        assert binary is not None, "a file, unless it comes from the provider"
        roster_import = preview_file(school=school, actor=None, kind=kind, binary=binary, size=size,
                                     original_name=original_name, columns=columns, is_full_export=is_full_export,
                                     staff_role=staff_role, source=Source.FOLDER)
    reason = hold_reason(roster_import)
    if reason:
        with transaction.atomic():
            RosterImport.objects.filter(pk=roster_import.pk).update(held_reason=reason[:1000])
            record_event(verb="roster.held", school=school, target=roster_import,
                         detail={"kind": str(kind), "leave": roster_import.summary.get("leave", 0),
                                 "duplicates": roster_import.summary.get("duplicates", 0),
                                 "bad": roster_import.summary.get("bad", 0)})
            tell_headteachers(school, "A roster import is waiting for you",
                              f"An unattended import of {Kind(kind).label.lower()} was not applied: {reason}. "
                              "Check it and confirm or discard it within a day.",
                              reverse("roster:import", args=[school.slug, roster_import.pk]))
        roster_import.refresh_from_db()
        return Outcome(roster_import, reason)
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        _queue(locked)
    run_queued_apply(roster_import.pk)
    roster_import.refresh_from_db()
    return Outcome(roster_import)


def tell_headteachers(school: School, subject: str, text: str, path: str) -> None:
    """An email (through the outbox) to the school's headteachers: what happened and a link, never a name."""
    for user in users_with_roles(school, [Role.HEADTEACHER]):
        queue_email(to=user.email, subject=subject, kind="roster",
                    body=f"{text}\n\nSign in to see it: {absolute_url(path)}\n")


# ---------------------------------------------------------------- the school's roster settings

def save_roster_settings(*, school: School, actor: User, dfe_number: str, provider_school_id: str,
                         api_staff_role: Role | None, request: HttpRequest | None = None) -> RosterSettings:
    """The school's DfE number and role for new staff from the API (whoever administers the school), and its Wonde
    school id: only the site administrator sets or changes that (a trust or school could otherwise point its roster
    at another school's), never to another school's id, and only once Wonde's record of that id carries this
    school's URN (asked of Wonde before anything is saved, outside the transaction). Raises ``RuleBroken``."""
    require(can_import_roster(actor, school), ADMINISTRATORS_ONLY)
    if api_staff_role is not None and api_staff_role not in IMPORTABLE_STAFF_ROLES:
        raise RuleBroken("Choose one of the roles an import may give.")
    current = settings_of(school)
    connecting = provider_school_id != current.provider_school_id
    if connecting:
        require(is_site_admin(actor), SITE_ADMIN_CONNECTS)
    if connecting and provider_school_id:
        _check_provider_id(school, provider_school_id, dfe_number)
    with transaction.atomic():
        roster_settings, _ = RosterSettings.objects.select_for_update().get_or_create(school=school)
        if roster_settings.provider_school_id != current.provider_school_id:
            raise RuleBroken("The roster settings were changed by someone else meanwhile: check them and save again.")
        roster_settings.dfe_number, roster_settings.provider_school_id = dfe_number, provider_school_id
        roster_settings.api_staff_role = api_staff_role or ""
        roster_settings.updated_by = actor
        roster_settings.full_clean(validate_constraints=False)
        if provider_school_id and RosterSettings.objects.filter(provider_school_id=provider_school_id).exclude(
                school=school).exists():
            raise RuleBroken(ID_OF_ANOTHER_SCHOOL)
        try:
            with transaction.atomic():  # a savepoint: another school saving the same id at this very moment
                roster_settings.save()
        except IntegrityError:
            if not provider_school_id:
                raise
            raise RuleBroken(ID_OF_ANOTHER_SCHOOL) from None
        record_event(verb="roster.settings_changed", actor=actor, school=school, target=roster_settings,
                     request=request, detail={"dfe_number": bool(dfe_number), "provider": bool(provider_school_id),
                                              "provider_changed": connecting})
    return roster_settings


ID_OF_ANOTHER_SCHOOL = "This Wonde school id is already another school's on this service: each school has its own."


def _check_provider_id(school: School, provider_school_id: str, dfe_number: str) -> None:
    """The provider's record of this id must be this school (``Adapter.check_school``); raises ``RuleBroken``."""
    if RosterSettings.objects.filter(provider_school_id=provider_school_id).exclude(school=school).exists():
        raise RuleBroken(ID_OF_ANOTHER_SCHOOL)
    if not settings.WONDE_API_TOKEN:
        raise RuleBroken("This installation has no Wonde API token (WONDE_API_TOKEN), so the id cannot be checked "
                         "with Wonde.")
    provider_adapter(school, provider_school_id=provider_school_id, dfe_number=dfe_number).check_school()
