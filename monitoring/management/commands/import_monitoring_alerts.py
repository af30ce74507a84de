"""A CSV of monitoring alerts the provider dropped: ``manage.py import_monitoring_alerts --school <slug> <file>``.

Each field takes the column named like it ("time", "category", "risk level", "pupil identifier" ...), or the
column given with ``--column field=Column name``. Alerts already imported (the same provider reference) add nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from monitoring import ingest, services
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import School


class Command(BaseCommand):
    help = "Import a CSV file of monitoring alerts for one school."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's slug.")
        parser.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN",
                            help=f"Which column holds a field (fields: {', '.join(ingest.FIELDS)}).")
        parser.add_argument("file")

    def handle(self, *args, **options):
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"There is no school with the slug {options['school']!r}.")
        mapping = None
        if options["column"]:
            pairs = [item.split("=", 1) for item in options["column"]]
            if any(len(pair) != 2 or pair[0] not in ingest.FIELDS for pair in pairs):
                raise CommandError(f"Give each column as FIELD=COLUMN, with FIELD one of {', '.join(ingest.FIELDS)}.")
            mapping = dict(pairs)
        try:
            done = services.import_dropped_file(school=school, path=options["file"], mapping=mapping)
        except FileNotFoundError:
            raise CommandError(f"There is no file {options['file']!r}.") from None
        except RuleBroken as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{done.rows_read} rows read, {done.rows_added} alerts added, {done.rows_duplicate} already "
                          f"imported, {done.rows_bad} bad.")
        for line, why in done.bad_lines[:20]:
            self.stdout.write(f"  line {line}: {why}")
