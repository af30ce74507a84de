"""Reads of the roster imports, scoped to the school and the person asking."""

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.http import Http404

from onlinesafety.accounts.models import Person
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import Pupil, School

from .models import Kind, RosterImport, RosterSettings, SavedMapping, Status
from .rights import can_import_roster


def imports_of(user: Person, school: School) -> QuerySet[RosterImport]:
    """The school's imports, newest first, for a person who administers it (none for anyone else)."""
    imports = RosterImport.objects.filter(school=school).select_related("started_by", "confirmed_by")
    return imports if can_import_roster(user, school) else imports.none()


def get_import_for_user(user: Person, school: School, import_id: int) -> RosterImport:
    """One import of this school, or 404 (another school's import is answered like one that does not exist)."""
    found = imports_of(user, school).defer("staged").filter(pk=import_id).first()
    if found is None:
        raise Http404("No such import.")
    return found


def saved_mappings(school: School) -> dict[str, SavedMapping]:
    return {m.kind: m for m in SavedMapping.objects.filter(school=school).select_related("saved_by")}


def saved_mapping(school: School, kind: Kind) -> dict[str, str] | None:
    return SavedMapping.objects.filter(school=school, kind=kind).values_list("mapping", flat=True).first()


def settings_of(school: School) -> RosterSettings:
    """The school's roster settings (unsaved defaults if it has none yet)."""
    return RosterSettings.objects.filter(school=school).first() or RosterSettings(school=school)


def failed_roster_imports(limit: int) -> list[FailedJob]:
    """Failed roster imports of every school, for the site administrator's list of failed jobs (one query)."""
    failed = RosterImport.objects.filter(status=Status.FAILED).select_related("school").order_by(
        "-finished_at", "-pk")[:limit]
    return [FailedJob(kind=f"Roster import ({item.get_kind_display().lower()})", record=f"import {item.pk}",
                      school=item.school.name, failed_at=item.finished_at, attempts=item.attempts,
                      reason=item.failure[:200] or "Unknown",
                      retried_by="The headteacher, on the school's roster page")
            for item in failed]


KEYS_LOOKED_UP = 400


def _identifier_keys(value: str) -> list[str]:
    local = value.split("@", 1)[0]
    return list(dict.fromkeys((value, value.upper(), local, local.upper())))


class Matched(NamedTuple):
    """The pupil an identifier names, and whether (and when) they left: ``left_on`` is the roster's leaving date
    (None while on roll, or for a pupil off roll whose leaving date is not known)."""

    pk: int
    is_on_roll: bool
    left_on: date | None

    def was_on_roll(self, day: date) -> bool:
        """Whether the pupil was still at the school on ``day`` (a pupil off roll with no leaving date: never)."""
        return self.is_on_roll or (self.left_on is not None and day <= self.left_on)


def pupil_ids_by_identifier(school: School, identifiers: Iterable[str]) -> dict[str, int]:
    """``pupils_by_identifier``, the pupil's id only."""
    return {identifier: matched.pk for identifier, matched in pupils_by_identifier(school, identifiers).items()}


def pupils_by_identifier(school: School, identifiers: Iterable[str]) -> dict[str, Matched]:
    """For identifiers another system holds for pupils (a monitoring alert's pupil id or username), the pupil each
    names, by the MIS's keys: the MIS id, else the UPN (upper case), else a username whose part before any "@" is
    the MIS id (in any case), with whether and when they left (a key shared by a pupil on roll and a leaver names
    the pupil on roll). An identifier that names no pupil of this school is absent. One query, whatever the
    number."""
    wanted: dict[str, set[str]] = {}
    for identifier in identifiers:
        value = identifier.strip()
        if not value:
            continue
        for key in _identifier_keys(value):
            wanted.setdefault(key, set()).add(identifier)
    if not wanted:
        return {}
    keys = list(wanted)
    pupils = Pupil.objects.filter(school=school).exclude(mis_id="", upn="")
    # A few keys are looked up; many (a batch of an import) cost less as every pupil's keys, read once.
    rows = (pupils.filter(Q(mis_id__in=keys) | Q(upn__in=keys)) if len(keys) <= KEYS_LOOKED_UP else pupils
            ).order_by("is_on_roll", "pk").values_list("pk", "mis_id", "upn", "is_on_roll", "left_on")
    by_key: dict[str, Matched] = {}
    for pk, mis_id, upn, is_on_roll, left_on in rows:  # leavers first: a pupil on roll with the same key wins
        for key in (upn, mis_id):  # the MIS id wins over a UPN that happens to be spelt the same
            if key:
                by_key[key] = Matched(pk, is_on_roll, left_on)
    found: dict[str, Matched] = {}
    for identifier in {i for group in wanted.values() for i in group}:
        value = identifier.strip()
        for key in _identifier_keys(value):
            if key in by_key:
                found[identifier] = by_key[key]
                break
    return found
