"""Unattended imports: the files a school's MIS drops in ``ROSTER_DROP_FOLDER`` (one sub-folder per school, named
by its slug), and the schools connected to the MIS's API. Celery beat runs ``import_nightly`` once a night.

A file's name says what it holds: ``pupils.csv``, ``contacts.csv`` or ``staff-<role>.csv`` (the role the new members
of staff get: ``staff``, ``technician`` or ``visitor``), with ``-full`` after the kind when the export holds everyone
(``pupils-full.csv``, ``staff-full-staff.csv``): only then are people missing from it marked as left. Pupils are
imported before staff and contacts. Each file is read into memory and deleted at once, whatever happens next; one
that cannot be imported is logged and audited (the reason, never a name), and one held for a person waits as a dry
run on the school's roster page.
"""

import io
import logging
import re
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
from .models import Kind, RosterSettings
from .parsing import MAX_BYTES

logger = logging.getLogger(__name__)

FILE_NAME = re.compile(r"^(?P<kind>pupils|contacts|staff)(?P<full>-full)?(?:-(?P<role>staff|technician|visitor))?"
                       r"\.csv$", re.IGNORECASE)
ORDER = {Kind.PUPILS: 0, Kind.STAFF: 1, Kind.CONTACTS: 2}


@dataclass(frozen=True)
class DroppedFile:
    school: School
    path: Path
    kind: Kind
    is_full_export: bool
    staff_role: Role | None


def dropped_files(root: Path) -> list[DroppedFile]:
    """The files waiting in the drop folder, pupils first in each school."""
    found: list[DroppedFile] = []
    schools = {school.slug: school for school in School.objects.all()}
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        school = schools.get(folder.name)
        if school is None:
            logger.warning("Roster drop folder %s matches no school's slug; left alone", folder.name)
            continue
        for path in sorted(folder.iterdir()):
            match = FILE_NAME.match(path.name)
            if not path.is_file() or match is None:
                continue
            kind = Kind(match["kind"].lower())
            role = Role(match["role"].lower()) if match["role"] else None
            found.append(DroppedFile(school, path, kind, bool(match["full"]), role))
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


def import_dropped(dropped: DroppedFile) -> str:
    """Read and delete one dropped file, then import it; returns "applied", "held" or "refused"."""
    size = dropped.path.stat().st_size
    content = dropped.path.read_bytes() if size <= MAX_BYTES else b""
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


def import_nightly() -> dict[str, int]:
    counts = {"applied": 0, "held": 0, "refused": 0}
    root = settings.ROSTER_DROP_FOLDER
    if root and Path(root).is_dir():
        for dropped in dropped_files(Path(root)):
            counts[import_dropped(dropped)] += 1
    for roster_settings in RosterSettings.objects.exclude(provider_school_id="").select_related("school"):
        school = roster_settings.school
        if adapter_for(school) is None:
            continue
        kinds = [Kind.PUPILS, Kind.CONTACTS] + ([Kind.STAFF] if roster_settings.api_staff_role else [])
        for kind in kinds:
            try:
                outcome = services.import_unattended(school=school, kind=kind, from_provider=True)
            except RuleBroken as why:
                _refused(school, kind, "api", str(why))
                counts["refused"] += 1
                continue
            counts["applied" if outcome.applied else "held"] += 1
    return counts
