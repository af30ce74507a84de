"""Reads of the roster imports, scoped to the school and the person asking."""

from django.db.models import QuerySet
from django.http import Http404

from onlinesafety.accounts.models import Person
from onlinesafety.jobs import FailedJob
from onlinesafety.schools.models import School

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
