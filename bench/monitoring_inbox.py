"""Benchmark: the monitoring alerts inbox against a school with 100,000 alerts.

    .venv/bin/python bench/monitoring_inbox.py [--alerts 100000] [--requests 300]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/monitoring_inbox.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it an empty database you
can drop), one school with 1,200 pupils (MIS ids) and its DSL team, and --alerts alerts over the last 12 weeks saved
through the app's own path (monitoring.ingest: four in five matched to a pupil, risk low / medium / high 70 / 25 / 5,
nine in ten of the older ones triaged), then times --requests loads of /monitoring/ as the DSL (the default list, each
status, high risk waiting, the last page of the dismissed ones, one alert's page) through Django's test client with
DEBUG off, as the other page benchmarks here do, and reports each page's query count.
Target: p95 under 100 ms on PostgreSQL.

With --http the pages (the first page, high risk, the deepest page that can be reached, one alert's page) are
loaded through gunicorn by --clients concurrent clients for --seconds each, beside /bare/ and /bare-db/
(bench/http_load.py). --reuse loads the pages from the bench school an earlier run left in DATABASE_URL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/monitoring_inbox.py \
        --http --clients 1,16 --seconds 10 [--reuse]
"""

import argparse
import math
import random
import time
from datetime import timedelta
from typing import Any

from common import set_up_django, signed_in, time_pages  # bench/ is on the path when a script here runs

CATEGORIES = ["Bullying", "Self-harm", "Violence", "Adult content", "Gaming", "Hate speech", "Nudity (image)",
              "Proxy / VPN", "Radicalisation", "Drugs", "Profanity", "Grooming"]
PUPILS = 1200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--http", action="store_true", help="through gunicorn under concurrent load")
    parser.add_argument("--clients", default="1,16", help="with --http: numbers of concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="with --http: how long each page is loaded")
    parser.add_argument("--reuse", action="store_true", help="use the bench school an earlier run left")
    args = parser.parse_args()

    set_up_django("monitoring_inbox.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from monitoring.models import AlertStatus, MonitoringAlert
    from monitoring.selectors import SHOWN_AT_MOST
    from monitoring.views import PER_PAGE
    from onlinesafety.schools.models import Membership, School
    from onlinesafety.schools.roles import Role

    call_command("migrate", verbosity=0)
    if args.reuse:
        school = School.objects.get(slug="bench")
        team = [Membership.objects.get(school=school, role=Role.DSL).user]
    elif School.objects.exists():
        raise SystemExit("The database is not empty: give DATABASE_URL an empty database the script may fill.")
    else:
        team = build(args.alerts, school := School.objects.create(name="Bench School", slug="bench", urn="999999"))
    counts = dict(MonitoringAlert.objects.filter(school=school).values_list("status").annotate(n=Count("pk")))
    one = MonitoringAlert.objects.filter(school=school, status=AlertStatus.NEW).order_by("-occurred_at").first()
    assert one is not None
    if args.http:
        from http_load import Page, measure

        deepest = SHOWN_AT_MOST // PER_PAGE  # the inbox pages through the newest 10,000 of a list
        rows = 'href="/monitoring/alerts/'  # the list holds alerts
        pages = [Page("`/monitoring/` (first page)", "/monitoring/", rows),
                 Page("`?risk=high`", "/monitoring/?risk=high", rows),
                 Page(f"`?page={deepest}` (the deepest)", f"/monitoring/?page={deepest}", rows),
                 Page("one alert's page", f"/monitoring/alerts/{one.pk}/", one.provider_reference)]
        print(f"{connection.vendor}: {sum(counts.values())} alerts {counts}")
        measure(pages, team[0], [int(n) for n in args.clients.split(",")], seconds=args.seconds)
        return

    client = signed_in(team[0])
    dismissed_pages = max(1, math.ceil(counts.get(AlertStatus.DISMISSED, 1) / PER_PAGE))
    urls = [
        "/monitoring/",
        "/monitoring/?status=new",
        "/monitoring/?status=new&risk=high",
        "/monitoring/?risk=high",
        "/monitoring/?status=dismissed",
        f"/monitoring/?status=dismissed&page={dismissed_pages}",
        f"/monitoring/alerts/{one.pk}/",
    ]
    print(f"{connection.vendor}: timing {args.requests} requests")
    time_pages(client, [(url, url, {}) for url in urls], args.requests)


def build(alert_count: int, school: Any) -> list[Any]:
    """The school's DSL team, pupils and ``alert_count`` alerts; returns the team (the DSL first)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from monitoring import ingest
    from monitoring.models import AlertStatus, Arrival, MonitoringAlert
    from onlinesafety.schools.models import Membership, Pupil, SchoolClass
    from onlinesafety.schools.roles import Role

    rng = random.Random(2026)
    team = [get_user_model().objects.create(email=f"{role}@bench.example", full_name=role.title(), password="!")
            for role in (Role.DSL, Role.DEPUTY_DSL)]
    Membership.objects.bulk_create([Membership(user=user, school=school, role=role)
                                    for user, role in zip(team, (Role.DSL, Role.DEPUTY_DSL), strict=True)])
    classes = SchoolClass.objects.bulk_create([SchoolClass(school=school, name=f"Class {n}", year_group=7 + n % 5)
                                               for n in range(40)])
    Pupil.objects.bulk_create([Pupil(school=school, first_name=f"First{n}", last_name=f"Surname{n}",
                                     date_of_birth="2012-01-01", year_group=classes[n % 40].year_group,
                                     school_class=classes[n % 40], mis_id=f"BENCH{n:05d}") for n in range(PUPILS)])

    started = time.perf_counter()
    now = timezone.now()
    zone = timezone.get_current_timezone()
    moments = sorted(now - timedelta(seconds=rng.uniform(60, 84 * 86400)) for _ in range(alert_count))
    for batch_start in range(0, alert_count, ingest.BATCH):
        alerts = []
        for n in range(batch_start, min(batch_start + ingest.BATCH, alert_count)):
            pupil = rng.randrange(PUPILS)
            alerts.append(ingest.read_alert({
                "time": moments[n], "provider_reference": f"SW-{n:08d}", "provider": "Bench monitoring",
                "user": f"p{pupil:05d}@pupils.bench.example", "device": f"LAPTOP-{rng.randrange(300):03d}",
                "pupil_identifier": f"BENCH{pupil:05d}" if rng.random() < 0.8 else "",
                "category": rng.choice(CATEGORIES), "risk": rng.choices(["low", "medium", "high"], [70, 25, 5])[0],
                "captured_text": f"typed or searched: something worrying number {n}",
                "screenshot_ref": f"capture-{n}.png"}, zone))
        ingest.save_alerts(school, alerts, arrival=Arrival.WEBHOOK)
    # Nine in ten of the alerts older than two days were triaged: most dismissed, some linked or made cases.
    older = MonitoringAlert.objects.filter(school=school, occurred_at__lt=now - timedelta(days=2))
    ids = list(older.values_list("pk", flat=True))
    triaged = rng.sample(ids, int(len(ids) * 0.9))
    for status, share in ((AlertStatus.DISMISSED, 0.85), (AlertStatus.LINKED, 0.10), (AlertStatus.CASE_OPENED, 0.05)):
        chosen, triaged = triaged[:int(len(triaged) * share) or 1], triaged[int(len(triaged) * share) or 1:]
        for start in range(0, len(chosen), 5000):
            MonitoringAlert.objects.filter(pk__in=chosen[start:start + 5000]).update(
                status=status, triaged_by=team[0], triaged_at=now,
                dismiss_reason="false_positive" if status == AlertStatus.DISMISSED else "")
        if not triaged:
            break
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE monitoring_monitoringalert")  # as autovacuum would have left it
    counts = dict(MonitoringAlert.objects.filter(school=school).values_list("status").annotate(n=Count("pk")))
    print(f"created {alert_count} alerts ({counts}) in {time.perf_counter() - started:.1f} s")
    return team


if __name__ == "__main__":
    main()
