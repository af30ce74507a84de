from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from onlinesafety.audit.services import record_event
from onlinesafety.schools.demo.seed import DEMO_LOGINS, DemoSeeder


class Command(BaseCommand):
    help = "Create the demo schools (oakfield and riverside) and their people. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo is for development and demonstrations, not DJANGO_ENV=production.")
        with transaction.atomic():
            result = DemoSeeder(settings.DEMO_PASSWORD).run()
            for path in settings.DEMO_SEEDERS:
                for what, count in import_string(path)().items():
                    result.add(what, count)
            if result.changed:
                record_event(verb="demo.seeded", detail=result.created)
        if result.changed:
            summary = ", ".join(f"{count} {what}" for what, count in result.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        if not options["quiet_logins"]:
            self.stdout.write("\nDemo logins (password: %s):" % settings.DEMO_PASSWORD)
            for email, who in DEMO_LOGINS:
                self.stdout.write(f"  {email:<28} {who}")
        for path in settings.DEMO_ANNOUNCERS:
            for line in import_string(path)():
                self.stdout.write(f"\n{line}")
