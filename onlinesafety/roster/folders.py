"""Unattended imports: the files a school's MIS drops in ``ROSTER_DROP_FOLDER`` (one sub-folder per school, named
by its slug), and the schools connected to the MIS's API. Celery beat runs ``import_nightly`` once a night.

A file's name says what it holds: ``pupils.csv``, ``contacts.csv`` or ``staff-<role>.csv`` (the role the new members
of staff get: ``staff``, ``technician`` or ``visitor``), with ``-full`` after the kind when the export holds everyone
(``pupils-full.csv``, ``staff-full-staff.csv``): only then are people missing from it marked as left. Pupils are
imported before staff and contacts. A file the MIS may still be writing is left for the next night: one changed in
the last two minutes, or whose size or time changes between two looks. Symbolic links (a school's folder or a file)
are never followed, nor read. Each file is read into memory and deleted at once, whatever happens next; one that
cannot be imported is logged and audited (the reason, never a name), and one held for a person waits as a dry run
on the school's roster page. Whatever goes wrong for one school (or one file) is kept as a failed import on its
roster page, logged by the school's id only, and the next school goes on.
"""

import errno
import io
import logging
import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from onlinesafety.audit.services import record_event
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import Role

from . import services
from .adapters import adapter_for
from .models import Kind, RosterSettings, Source
from .parsing import MAX_BYTES

logger = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^(?P<kind>pupils|contacts|staff)(?P<full>-full)?(?:-(?P<role>staff|technician|visitor))?"
                       r"\.csv$", re.IGNORECASE)
ORDER = {Kind.PUPILS: 0, Kind.STAFF: 1, Kind.CONTACTS: 2}
SETTLED_AFTER = 120  # seconds since the file last changed before it is read: the MIS may still be writing it
STOPPED = "It stopped before the end ({error}), so nothing was changed. It is tried again tomorrow night."


@dataclass(frozen=True)
class DroppedFile:
    school: School
    path: Path
    kind: Kind
    is_full_export: bool
    staff_role: Role | None
    size: int = 0
    modified: int = 0  # st_mtime_ns when it was listed
    settled: bool = True  # False: changed in the last SETTLED_AFTER seconds, so left for the next run ("waiting")


def _settled(seen: os.stat_result, now: float) -> bool:
    return stat.S_ISREG(seen.st_mode) and now - seen.st_mtime >= SETTLED_AFTER


def dropped_files(root: Path, *, now: float | None = None) -> list[DroppedFile]:
    """The files waiting in the drop folder, pupils first in each school: regular files only (never a symbolic
    link, nor a school folder that is one). One changed in the last two minutes is listed as not ``settled``: it is
    left for the next run, and counted as waiting."""
    now = time.time() if now is None else now
    found: list[DroppedFile] = []
    schools = {school.slug: school for school in School.objects.all()}
    for folder in sorted(root.iterdir()):
        if folder.is_symlink() or not folder.is_dir():
            if folder.is_symlink():
                logger.warning("Roster drop folder %s is a symbolic link; not followed", folder.name)
            continue
        school = schools.get(folder.name)
        if school is None:
            logger.warning("Roster drop folder %s matches no school's slug; left alone", folder.name)
            continue
        for path in sorted(folder.iterdir()):
            match = FILE_NAME.match(path.name)
            if match is None:
                continue
            seen = path.lstat()
            if stat.S_ISLNK(seen.st_mode):
                logger.warning("Roster file %s for school %s is a symbolic link; not followed", path.name, school.pk)
                continue
            if not stat.S_ISREG(seen.st_mode):
                continue
            settled = _settled(seen, now)
            if not settled:
                logger.info("Roster file %s for school %s changed in the last two minutes; left for the next run",
                            path.name, school.pk)
            kind = Kind(match["kind"].lower())
            role = Role(match["role"].lower()) if match["role"] else None
            found.append(DroppedFile(school, path, kind, bool(match["full"]), role, seen.st_size, seen.st_mtime_ns,
                                     settled))
    return sorted(found, key=lambda dropped: (dropped.school.slug, ORDER[dropped.kind], dropped.path.name))


def _refused(school: School, kind: Kind, source: str, why: str) -> None:
    logger.warning("Roster %s import (%s) for school %s refused; the reason is in the audit trail", kind, source,
                   school.pk)
    with transaction.atomic():
        record_event(verb="roster.refused", school=school, detail={"kind": str(kind), "source": source,
                                                                   "reason": why[:400]})
        services.tell_headteachers(school, "An overnight roster import could not be read",
                                   f"The overnight import of {kind.label.lower()} was not imported, and nothing "
                                   f"changed: {why}", reverse("roster:home", args=[school.slug]))


def _read_settled(dropped: DroppedFile) -> bytes | None:
    """The file's bytes, opened without following a symbolic link; None if it changed since it was listed (the MIS
    is still writing it: it is read on the next run)."""
    try:
        descriptor = os.open(dropped.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:
            logger.warning("Roster file %s for school %s became a symbolic link; not followed", dropped.path.name,
                           dropped.school.pk)
        else:  # gone meanwhile, or not readable (its permissions): said, so that it is not left unseen for ever
            logger.warning("Roster file %s for school %s could not be opened (%s); left for the next run",
                           dropped.path.name, dropped.school.pk, type(error).__name__)
        return None
    with os.fdopen(descriptor, "rb") as binary:
        seen = os.fstat(descriptor)
        if not stat.S_ISREG(seen.st_mode) or (seen.st_size, seen.st_mtime_ns) != (dropped.size, dropped.modified):
            logger.info("Roster file %s for school %s is still changing; left for the next run", dropped.path.name,
                        dropped.school.pk)
            return None
        content = binary.read(MAX_BYTES + 1) if seen.st_size <= MAX_BYTES else b""
    return content


def import_dropped(dropped: DroppedFile) -> str:
    """Read and delete one dropped file, then import it; returns "applied", "held", "refused" or "waiting" (still
    being written: left for the next run)."""
    if not dropped.settled:
        return "waiting"
    content = _read_settled(dropped)
    if content is None:
        return "waiting"
    size = dropped.size
    dropped.path.unlink(missing_ok=True)
    if dropped.kind == Kind.STAFF and dropped.staff_role is None:
        _refused(dropped.school, dropped.kind, "folder", "A staff file's name must say the role new staff get, for "
                                                         "example staff-full-staff.csv.")
        return "refused"
    try:
        outcome = services.import_unattended(
            school=dropped.school, kind=dropped.kind, binary=io.BytesIO(content), size=size,
            original_name=dropped.path.name, is_full_export=dropped.is_full_export, staff_role=dropped.staff_role)
    except RuleBroken as why:
        _refused(dropped.school, dropped.kind, "folder", str(why))
        return "refused"
    return "applied" if outcome.applied else "held"


def _failed(school: School, kind: Kind, source: Source, error: Exception, staff_role: str = "") -> None:
    logger.error("Roster %s import (%s) for school %s stopped (%s); the next goes on", kind, source, school.pk,
                 type(error).__name__)
    try:
        services.record_failed_import(school=school, kind=kind, source=source,
                                      why=STOPPED.format(error=type(error).__name__), staff_role=staff_role)
    except Exception as again:  # the database itself: logged, and the next school still goes on
        logger.error("Roster failure for school %s could not be recorded (%s)", school.pk, type(again).__name__)


def import_nightly() -> dict[str, int]:
    """Every school's dropped files, then every school connected to the MIS's API. One school's trouble never stops
    the next school: it is kept on that school's roster page (a failed import) and logged by the school's id."""
    counts = {"applied": 0, "held": 0, "refused": 0, "failed": 0, "waiting": 0}
    root = settings.ROSTER_DROP_FOLDER
    if root and Path(root).is_dir():
        try:
            waiting = dropped_files(Path(root))
        except OSError as error:
            logger.error("Roster drop folder could not be listed (%s)", type(error).__name__)
            waiting = []
        for dropped in waiting:
            try:
                counts[import_dropped(dropped)] += 1
            except Exception as error:
                _failed(dropped.school, dropped.kind, Source.FOLDER, error, str(dropped.staff_role or ""))
                counts["failed"] += 1
    connected = RosterSettings.objects.exclude(provider_school_id="").select_related("school").order_by("pk")
    for roster_settings in connected:  # in a fixed order, so that one night's log reads like the next
        school = roster_settings.school
        kinds = [Kind.PUPILS, Kind.CONTACTS] + ([Kind.STAFF] if roster_settings.api_staff_role else [])
        kind = kinds[0]
        try:
            if adapter_for(school) is None:
                continue
            for kind in kinds:
                try:
                    outcome = services.import_unattended(school=school, kind=kind, from_provider=True)
                except RuleBroken as why:  # the provider's reason (kept on the failed import too)
                    _refused(school, kind, "api", str(why))
                    counts["refused"] += 1
                    break  # the school's other kinds would meet the same: one message, tomorrow another try
                counts["applied" if outcome.applied else "held"] += 1
        except Exception as error:
            _failed(school, kind, Source.API, error, roster_settings.api_staff_role)
            counts["failed"] += 1
    return counts
