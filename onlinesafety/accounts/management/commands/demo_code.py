import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onlinesafety.accounts.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the demo authenticator app's current code (development and demonstrations only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_code is for the demo, not DJANGO_ENV=production.")
        code = format_hotp_value(hotp_value(DEMO_TOTP_KEY, int(time.time()) // app_settings.TOTP_PERIOD))
        self.stdout.write(f"{code}  (changes every {app_settings.TOTP_PERIOD} seconds)")
