"""manage.py import_roster --school SLUG --kind pupils|contacts|staff [--full] [--role ROLE] FILE

An unattended import of an MIS export (for a file dropped by the MIS's scheduled export): the same checks and dry
run as the browser, then applied at once, unless it would mark more than ROSTER_MAX_LEAVERS_PERCENT of the records
as left or has any duplicate: then it waits on the school's roster page for a person to confirm, and the command
exits non-zero saying why. A file that cannot be imported writes nothing and exits non-zero.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from onlinesafety.mail.services import absolute_url
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import Role

from ... import services
from ...models import IMPORTABLE_STAFF_ROLES, Kind
from ...parsing import MAX_BYTES
from ...presets import BY_CODE


class Command(BaseCommand):
    help = "Import a school's pupils, contacts or staff from an MIS CSV export, without a person confirming."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--school", required=True, help="The school's slug.")
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--full", action="store_true",
                            help="The file holds everyone: mark those missing from it as left.")
        parser.add_argument("--role", choices=[role.value for role in IMPORTABLE_STAFF_ROLES],
                            help="For staff: the role new members of staff get (required for staff).")
        parser.add_argument("--columns", default=services.AUTO, choices=[services.AUTO, services.SAVED, *BY_CODE],
                            help="The school's saved columns, an MIS preset, or auto (saved, else the preset that "
                                 "fits).")
        parser.add_argument("file", help="The CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"No school has the slug {options['school']!r}.")
        kind = Kind(options["kind"])
        if kind == Kind.STAFF and not options["role"]:
            raise CommandError("Give --role for a staff import: the role new members of staff get.")
        if kind != Kind.STAFF and options["role"]:
            raise CommandError("--role is only for a staff import.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CommandError(f"Nothing was imported: the file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        try:
            with path.open("rb") as binary:
                outcome = services.import_unattended(
                    school=school, kind=kind, binary=binary, size=size, original_name=path.name,
                    is_full_export=options["full"], staff_role=Role(options["role"]) if options["role"] else None,
                    columns=options["columns"])
        except RuleBroken as why:
            raise CommandError(f"Nothing was imported: {why}") from None
        roster_import = outcome.roster_import
        page = absolute_url(reverse("roster:import", args=[school.slug, roster_import.pk]))
        if outcome.held:
            raise CommandError(f"Nothing was applied: {outcome.held}. The dry run waits for a person to confirm "
                               f"it at {page}")
        if not outcome.applied:
            raise CommandError(f"The import failed and nothing was changed: {roster_import.failure} See {page}")
        counts = roster_import.applied
        if not (counts.get("add") or counts.get("change") or counts.get("leave")):
            self.stdout.write(f"Nothing to change: the {counts.get('rows', 0)} rows match the roster. {page}")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Imported: {counts.get('add', 0)} added, {counts.get('change', 0)} changed, {counts.get('leave', 0)} "
            f"{'marked as left' if kind == Kind.PUPILS else 'removed or ended'}, {counts.get('unchanged', 0)} "
            f"unchanged, {roster_import.summary.get('bad', 0)} bad lines skipped. {page}"))
