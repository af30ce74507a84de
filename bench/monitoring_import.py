"""Benchmark: importing a CSV of monitoring alerts (monitoring.services.run_import).

    .venv/bin/python bench/monitoring_import.py [--rows 100000]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/monitoring_import.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench

Streams a CSV of --rows alerts to var/bench/ (time, alert id, username, device, pupil id, category, severity, captured
text, screenshot: school-day times over the last four weeks, 1,200 pupils of whom four in five are named by their
MIS id, 20 categories with the sexual ones among them, risk low / medium / high 70 / 25 / 5), with about 0.1% bad
rows and 1% alerts sent twice. Builds one school (the 1,200 pupils, with MIS ids) and its DSL team, saves the file as
an import with its columns chosen (the copy into storage is not timed), and times run_import: alerts added,
duplicates, bad rows, seconds, alerts per second, peak resident memory and its growth. Then imports the same file
again, which must add nothing. Target: 100,000 alerts in under 30 s and under 200 MB on PostgreSQL.
"""

import argparse
import csv
import random
import resource
import time
from datetime import datetime, time as clock, timedelta

from common import ROOT, set_up_django  # bench/ is on the path when a script here runs

HEADER = ["Alert time", "Alert ID", "Username", "Device", "Pupil ID", "Category", "Severity", "Captured text",
          "Screenshot"]
MAPPING = {"time": "Alert time", "provider_reference": "Alert ID", "user": "Username", "device": "Device",
           "pupil_identifier": "Pupil ID", "category": "Category", "risk": "Severity",
           "captured_text": "Captured text", "screenshot_ref": "Screenshot"}
CATEGORIES = ["Bullying", "Self-harm", "Violence", "Adult content", "Gaming", "Hate speech", "Nudity (image)",
              "Proxy / VPN", "Radicalisation", "Drugs", "Profanity", "Grooming", "Sexual content", "Suicide",
              "Weapons", "Gambling", "Harassment", "Extremism", "Cyberbullying", "Eating disorders"]
PUPILS = 1200


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_csv(path, rows: int, rng: random.Random) -> dict:
    yesterday = datetime.now().date() - timedelta(days=1)
    days = [d for d in (yesterday - timedelta(days=n) for n in range(28, 0, -1)) if d.weekday() < 5]
    counts = {"rows": 0, "bad": 0, "duplicates": 0}
    recent: list[list[str]] = []
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for n in range(rows):
            chance = rng.random()
            day = days[n * len(days) // rows]
            at = datetime.combine(day, clock(8, 0)) + timedelta(seconds=rng.randrange(8 * 3600))
            pupil = rng.randrange(PUPILS)
            if chance < 0.001:
                row = ["first thing", f"B-{n}", f"p{pupil}", "LAPTOP", "", "Bullying", "high", "x", ""]
                counts["bad"] += 1
            elif chance < 0.011 and recent:
                row = rng.choice(recent)
                counts["duplicates"] += 1
            else:
                named = rng.random() < 0.8
                row = [at.strftime("%Y-%m-%d %H:%M:%S"), f"SW-{n:08d}", f"p{pupil:05d}@pupils.bench.example",
                       f"LAPTOP-{rng.randrange(300):03d}", f"BENCH{pupil:05d}" if named else "",
                       rng.choice(CATEGORIES), rng.choices(["low", "medium", "high"], [70, 25, 5])[0],
                       f"typed or searched: something worrying number {n}", f"capture-{n}.png"]
                recent.append(row)
                if len(recent) > 200:
                    del recent[:100]
            writer.writerow(row)
            counts["rows"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    set_up_django("monitoring_import.sqlite3")
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from monitoring import services
    from monitoring.models import MonitoringAlert, MonitoringImport
    from onlinesafety import csvimport
    from onlinesafety.schools.models import Membership, Pupil, School, SchoolClass
    from onlinesafety.schools.roles import Role

    path = ROOT / "var" / "bench" / f"monitoring_alerts_{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    written = write_csv(path, args.rows, random.Random(20261204))
    print(f"wrote {path.relative_to(ROOT)}: {written['rows']} rows ({written['bad']} bad, {written['duplicates']} "
          f"sent twice), {path.stat().st_size / 2**20:.0f} MB in {time.perf_counter() - started:.1f} s")

    call_command("migrate", verbosity=0)
    if School.objects.exists():
        raise SystemExit("The database is not empty: give DATABASE_URL an empty database the script may fill.")
    school = School.objects.create(name="Bench School", slug="bench", urn="999999")
    # The DSL team, made directly (the test factories and their fake names would cost 100 MB of the process).
    team = [get_user_model().objects.create(email=f"{role}@bench.example", full_name=role.title(), password="!")
            for role in (Role.DSL, Role.DEPUTY_DSL)]
    Membership.objects.bulk_create([Membership(user=user, school=school, role=role)
                                    for user, role in zip(team, (Role.DSL, Role.DEPUTY_DSL), strict=True)])
    dsl = team[0]
    classes = SchoolClass.objects.bulk_create([SchoolClass(school=school, name=f"Class {n}", year_group=7 + n % 5)
                                               for n in range(40)])
    Pupil.objects.bulk_create([Pupil(school=school, first_name=f"First{n}", last_name=f"Surname{n}",
                                     date_of_birth="2012-01-01", year_group=classes[n % 40].year_group,
                                     school_class=classes[n % 40], mis_id=f"BENCH{n:05d}") for n in range(PUPILS)])

    def new_import() -> MonitoringImport:
        with open(path, "rb") as binary:
            encoding = csvimport.detect_encoding(binary)
            header = csvimport.read_header(binary, encoding)
            binary.seek(0)
            return MonitoringImport.objects.create(
                school=school, uploaded_by=dsl, file=File(binary, name=path.name), original_name=path.name,
                encoding=encoding, header=header, mapping=MAPPING, state=MonitoringImport.State.RUNNING)

    def run(label: str) -> MonitoringImport:
        alert_import = new_import()
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        result = services.run_import(alert_import)
        seconds = time.perf_counter() - started
        rss_after = peak_rss_mb()
        print(f"{label:<7} read={result.rows_read}  added={result.rows_added}  duplicates={result.rows_duplicate}  "
              f"bad={result.rows_bad}  {seconds:.1f} s  {result.rows_read / seconds:,.0f} alerts/s  "
              f"peak_rss={rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB during the import)")
        alert_import.file.delete(save=False)
        return result

    print(f"{connection.vendor}: importing {written['rows']} alerts")
    first = run("first")
    stored = MonitoringAlert.objects.filter(school=school)
    print(f"alerts stored={stored.count()}  matched to a pupil={stored.filter(pupil__isnull=False).count()}  "
          f"capture withheld={stored.filter(content_withheld=True).count()}  "
          f"expected={written['rows'] - written['bad'] - written['duplicates']} (rows - bad - sent twice)")
    assert first.rows_bad == written["bad"]
    assert stored.count() == first.rows_added
    second = run("again")
    assert second.rows_added == 0, "importing the same file again must add nothing"


if __name__ == "__main__":
    main()
