"""manage.py clear_rate_limits --address ADDRESS

Lifts the lockout of a network that opened too many links that do not work, and resets its counts on the
signed-out pages (``onlinesafety.ratelimit``), e.g. a school office whose address was locked out. The same as the
"Unlock" action on the audit trail's admin; audited as ``ratelimit.cleared``.
"""

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onlinesafety import ratelimit


class Command(BaseCommand):
    help = "Unlock a network locked out by the rate limits on the link pages, and reset its counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", required=True,
                            help="The client address (an IPv6 address unlocks its /64), as in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"].strip()
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise CommandError(f"{address!r} is not an IP address.") from None
        ratelimit.clear_network(address, how="command")
        self.stdout.write(f"Unlocked {ratelimit.network_of(address)}.")
