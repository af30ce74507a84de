"""What every benchmark here shares: a throw-away database and timing pages through the test client."""

import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def set_up_django(sqlite_name: str) -> None:
    """Use DATABASE_URL if set (an empty database the script may fill), else a fresh SQLite file in var/bench/."""
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        path = ROOT / "var" / "bench" / sqlite_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onlinesafety.settings")
    os.environ["DEBUG"] = "0"  # time the pages as production runs them
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # with DEBUG off the development key is refused

    import django

    django.setup()


def signed_in(user):
    """A test client signed in as ``user`` with both factors (as a member of staff whose role needs a second
    factor is, once they have given it: tests/conftest.py does the same for the test suite), past the one
    detour to their unsigned agreements that follows a sign-in (the pages then show a reminder instead)."""
    import time

    from django.test import Client

    from aup.middleware import SESSION_FLAG as AGREEMENTS_FIRST

    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.pop(AGREEMENTS_FIRST, None)  # the once-after-sign-in detour to unsigned agreements has been taken
    session.save()
    return client


def time_pages(client, pages: list[tuple], requests: int) -> None:
    """For each (label, url, headers) (a GET) or (label, url, headers, data) (a POST of data, as a search form is
    sent): the query count of one load, then median and p95 over the rest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for label, url, headers, *data in pages:
        def load(url=url, headers=headers, data=data):
            return client.post(url, data[0], **headers) if data else client.get(url, **headers)

        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            assert load().status_code == 200
        query_count = len(queries)
        timings = []
        for _ in range(max(requests // len(pages), 1)):
            start = time.perf_counter()
            response = load()
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        print(f"{label:<46} queries={query_count:>2}  median={statistics.median(timings):6.1f} ms  "
              f"p95={p95:6.1f} ms")
