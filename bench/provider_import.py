"""Benchmark: importing a provider's CSV of blocked-access events (filtering.imports.run_import).

    .venv/bin/python bench/provider_import.py [--rows 1000000] [--tracemalloc]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/provider_import.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench

Streams a CSV of --rows rows to var/bench/ (Timestamp,Username,Group,URL,Category,Action: school-day times over
the last 12 weeks, ~2,000 users in Year 3..Year 6 and Staff, ~5,000 hosts, 15 categories), with about 0.1% bad
rows (a time that cannot be read, missing fields) and about 1% exact duplicates of a recent row. Builds a
throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set), one school and one technician, and
saves the file to the default storage as a ProviderImport ready to run, as the app does once the columns are
chosen (the copy into storage is not timed). It then times run_import: rows added, duplicates, bad rows, seconds,
rows per second, peak resident memory and its growth during the import (--tracemalloc also reports the peak of
Python allocations, but slows the import). Last it imports the same file again, which must add nothing.
The stored copies are deleted at the end; the generated CSV is left in var/bench/ (delete it by hand).
Target: a million rows in under 60 s and under 200 MB on PostgreSQL.
"""

import argparse
import csv
import random
import resource
import time
import tracemalloc
from datetime import datetime, time as clock, timedelta

from common import ROOT, set_up_django  # bench/ is on the path when a script here runs

MAPPING = {"time": "Timestamp", "user": "Username", "user_group": "Group", "url": "URL", "category": "Category",
           "action": "Action"}
HEADER = ["Timestamp", "Username", "Group", "URL", "Category", "Action"]
GROUPS = ["Year 3", "Year 4", "Year 5", "Year 6", "Staff"]
# (category, weight): most blocks are everyday distractions, a few are the ones the safeguarding team looks at.
CATEGORIES = [
    ("Gaming", 22), ("Social Networking", 20), ("Streaming Media", 12), ("Chat and Instant Messaging", 8),
    ("Advertising", 8), ("Shopping", 6), ("Proxy Avoidance", 5), ("Gambling", 4), ("Dating", 3),
    ("Malware and Hacking", 3), ("Violence", 3), ("Pornography", 2), ("Drugs", 2), ("Self-Harm", 1),
    ("Extremism", 1),
]
WORDS = ["play", "games", "chat", "clips", "free", "best", "world", "zone", "hub", "online", "fun", "hot", "live",
         "tube", "social", "city", "kids", "pro", "unblocked", "secret"]
TLDS = [".com", ".co.uk", ".net", ".io", ".org", ".tv", ".gg", ".xyz"]
PATHS = ["/", "/index.html", "/play", "/watch", "/login", "/search?q=", "/video/", "/game/", "/chat/room/"]
FIRST_NAMES = ["amy", "ben", "chloe", "dan", "ella", "finn", "grace", "harry", "isla", "jack", "kai", "lily", "max",
               "noah", "olivia", "poppy", "ruby", "sam", "theo", "zara"]
DAY_START, DAY_END = clock(7, 30), clock(17, 0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_csv(path, rows: int, rng: random.Random) -> dict:
    """Stream the export to path, a school day at a time; returns how many rows were written, bad and duplicated."""
    users = [(f"{rng.choice(FIRST_NAMES)}.{n:04d}", "Staff" if n % 10 == 0 else rng.choice(GROUPS[:4]))
             for n in range(2000)]
    hosts = [f"{rng.choice(WORDS)}{rng.choice(WORDS)}{n}{rng.choice(TLDS)}" for n in range(5000)]
    categories, weights = zip(*CATEGORIES)
    host_category = {host: rng.choices(categories, weights)[0] for host in hosts}
    yesterday = datetime.now().date() - timedelta(days=1)
    days = [yesterday - timedelta(days=n) for n in range(12 * 7, 0, -1)]
    days = [day for day in days if day.weekday() < 5]
    seconds_in_day = (datetime.combine(yesterday, DAY_END) - datetime.combine(yesterday, DAY_START)).seconds
    counts = {"rows": 0, "bad": 0, "duplicates": 0}
    recent = []  # the last good rows, to copy as exact duplicates
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for d, day in enumerate(days):
            todo = rows * (d + 1) // len(days) - rows * d // len(days)
            opening = datetime.combine(day, DAY_START)
            for offset in sorted(rng.randrange(seconds_in_day) for _ in range(todo)):
                chance = rng.random()
                if chance < 0.0005:
                    row = ["yesterday at 10", *rng.choice(users), "https://example.com/", "Gaming", "blocked"]
                    counts["bad"] += 1
                elif chance < 0.001:
                    user, group = rng.choice(users)
                    row = [(opening + timedelta(seconds=offset)).strftime("%Y-%m-%d %H:%M:%S"), user, group]
                    counts["bad"] += 1
                elif chance < 0.011 and recent:
                    row = rng.choice(recent)
                    counts["duplicates"] += 1
                else:
                    user, group = rng.choice(users)
                    host = rng.choice(hosts)
                    path_ = rng.choice(PATHS)
                    if path_.endswith(("/", "=")) and path_ != "/":
                        path_ += str(rng.randrange(100000))
                    scheme = "https" if rng.random() < 0.9 else "http"
                    row = [(opening + timedelta(seconds=offset)).strftime("%Y-%m-%d %H:%M:%S"), user, group,
                           f"{scheme}://{host}{path_}", host_category[host], "blocked"]
                    recent.append(row)
                    if len(recent) > 200:
                        del recent[:100]
                writer.writerow(row)
                counts["rows"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's peak allocations (slow)")
    args = parser.parse_args()

    set_up_django("provider_import.sqlite3")
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    from filtering import imports
    from filtering.models import BlockedEvent, ProviderImport
    from onlinesafety.schools.models import School

    path = ROOT / "var" / "bench" / f"provider_log_{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    written = write_csv(path, args.rows, random.Random(20261123))
    print(f"wrote {path.relative_to(ROOT)}: {written['rows']} rows ({written['bad']} bad, "
          f"{written['duplicates']} exact duplicates), {path.stat().st_size / 2**20:.0f} MB "
          f"in {time.perf_counter() - started:.1f} s")

    call_command("migrate", verbosity=0)
    school = School.objects.create(name="Bench School", slug="bench", urn="999999")
    technician = get_user_model().objects.create(email="tech@bench.example", full_name="Tech Nician", password="!")

    def new_import() -> ProviderImport:
        with open(path, "rb") as binary:
            encoding = imports.detect_encoding(binary)
            header = imports.read_header(binary, encoding)
            binary.seek(0)
            return ProviderImport.objects.create(
                school=school, uploaded_by=technician, file=File(binary, name=path.name), original_name=path.name,
                encoding=encoding, header=header, mapping=MAPPING, state=ProviderImport.State.RUNNING,
            )

    def run(label: str) -> ProviderImport:
        provider_import = new_import()
        rss_before = peak_rss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        started = time.perf_counter()
        result = imports.run_import(provider_import)
        seconds = time.perf_counter() - started
        traced = ""
        if args.tracemalloc:
            traced = f"  tracemalloc peak={tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
            tracemalloc.stop()
        rss_after = peak_rss_mb()
        print(f"{label:<7} read={result.rows_read}  added={result.rows_added}  duplicates={result.rows_duplicate}  "
              f"bad={result.rows_bad}  {seconds:.1f} s  {result.rows_read / seconds:,.0f} rows/s  "
              f"peak_rss={rss_after:.0f} MB (+{rss_after - rss_before:.0f} MB during the import){traced}")
        provider_import.file.delete(save=False)  # the copy in storage
        return result

    print(f"{connection.vendor}: importing {written['rows']} rows")
    first = run("first")
    expected = written["rows"] - written["bad"] - written["duplicates"]
    stored = BlockedEvent.objects.filter(school=school).count()
    print(f"events stored={stored}  expected={expected} (rows - bad - duplicates)")
    assert first.rows_bad == written["bad"], "every bad row is counted as bad"
    assert stored == first.rows_added
    second = run("again")
    assert second.rows_added == 0, "importing the same file again must add nothing"
    print(f"again: added {second.rows_added} rows")


if __name__ == "__main__":
    main()
