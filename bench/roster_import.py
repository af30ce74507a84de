r"""Benchmark: a large secondary's roster from its MIS (onlinesafety.roster), first and again unchanged.

    .venv/bin/python bench/roster_import.py [--pupils 2000] [--contacts 3500] [--staff 150] [--tracemalloc]
    # on PostgreSQL (a database of its own, dropped afterwards):
    createdb -h 127.0.0.1 -U postgres roster_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/roster_bench .venv/bin/python bench/roster_import.py
    dropdb -h 127.0.0.1 -U postgres roster_bench

Builds three SIMS-style CSV exports in memory: --pupils pupils in Years 7 to 13 (a tutor group of about 28 each,
UPNs, preferred names for 1 in 20, SEN status), --contacts contact rows (families of one to three children, one or
two carers each, 5% without an email, a grandparent now and then) and --staff staff (all with a work email). One
school (its defaults made by the School signals) and its headteacher, in a throw-away SQLite database under
var/bench/ or the DATABASE_URL given. Then, as the headteacher would in the browser, for pupils, staff and contacts
in that order, each as a full export: the dry run (services.preview_file: read, check, compare with the roster) and
the apply (services.apply_confirmed_now: the worker's one transaction, run here in the process), each timed with its
query count; the peak resident memory (ru_maxrss) after each; with --tracemalloc the Python heap's peak too (slower).
Then the same three files again, which must change nothing; last, the pupils a year on (everyone up a year and in
a new tutor group, Year 13 gone, a new Year 7): the changes, the leavers and their parents' access.

Targets (the issue): the first import under 30 s and 300 MB, the unchanged re-import under 10 s, on PostgreSQL.
"""

import argparse
import csv
import io
import random
import resource
import time
import tracemalloc
from datetime import date, timedelta

from common import set_up_django  # bench/ is on the path when a script here runs

FIRST = ["Oliver", "Amelia", "George", "Isla", "Noah", "Ava", "Arthur", "Mia", "Muhammad", "Ivy", "Leo", "Lily",
         "Harry", "Freya", "Oscar", "Florence", "Archie", "Willow", "Henry", "Grace", "Theo", "Sophia", "Jack",
         "Olivia", "Freddie", "Aisha", "Zain", "Priya", "Kacper", "Zofia", "Tomasz", "Chidi", "Amara", "Kwame"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson",
            "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Khan", "Ahmed", "Ali",
            "Nowak", "Kowalski", "Okafor", "Mensah", "Hughes", "Edwards", "Clarke", "Murphy", "O'Brien", "Singh"]
ADULTS = ["Sarah", "James", "Emma", "David", "Rachel", "Mark", "Aisha", "Imran", "Joanne", "Paul", "Claire", "Chris",
          "Nicola", "Steven", "Fatima", "Ahmed", "Laura", "Gareth", "Kerry", "Lee", "Agnieszka", "Piotr", "Ngozi"]
PUPILS_HEADER = ["Adno", "UPN", "Legal Surname", "Legal Forename", "Preferred Surname", "Preferred Forename", "Gender",
                 "DOB", "Year", "Reg", "SEN Status", "Admission Date", "Leaving Date", "URN"]
CONTACTS_HEADER = ["Contact ID", "Contact Surname", "Contact Forename", "Contact Email", "Relationship",
                   "Parental Responsibility", "Priority", "Adno"]
STAFF_HEADER = ["Staff Code", "Legal Surname", "Legal Forename", "Work Email", "Role"]
URN = "999123"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()  # SIMS writes a byte-order mark


def exports(pupils: int, contacts: int, staff: int, rng: random.Random) -> dict[str, bytes]:
    years = list(range(7, 14))
    pupil_rows, families = [], []
    adno = 10000
    while len(pupil_rows) < pupils:
        surname = rng.choice(SURNAMES)
        children = []
        for _ in range(min(rng.choices([1, 2, 3], [60, 32, 8])[0], pupils - len(pupil_rows))):
            year = rng.choice(years)
            born = date(2026 - 5 - year, 9, 1) + timedelta(days=rng.randrange(365))
            first = rng.choice(FIRST)
            adno += 1
            pupil_rows.append([str(adno), f"B{adno:012d}", surname, first, "", "Alfie" if adno % 20 == 0 else "",
                               rng.choice("MF"), f"{born:%d/%m/%Y}", f"Year {year}",
                               f"{year}{'ABCDEFGHIJK'[rng.randrange(min(11, 2 + pupils // 250))]}",
                               rng.choices(["N", "K", "E"], [84, 13, 3])[0], f"{date(2026 - year + 6, 9, 3):%d/%m/%Y}",
                               "", URN])
            children.append(str(adno))
        families.append((surname, children))
    contact_rows: list[list[str]] = []
    contact_id = 500000
    for surname, children in families:
        for priority, (relationship, adult) in enumerate(
                [("Mother", rng.choice(ADULTS))] + ([("Father", rng.choice(ADULTS))] if rng.random() < 0.55 else [])
                + ([("Grandmother", rng.choice(ADULTS))] if rng.random() < 0.05 else []), start=1):
            contact_id += 1
            email = "" if rng.random() < 0.05 else f"{adult}.{surname}.{contact_id}@families.bench".lower().replace(
                "'", "")
            for child in children:
                contact_rows.append([str(contact_id), surname, adult, email, relationship,
                                     "No" if relationship == "Grandmother" else "Yes", str(priority), child])
    everyone = [child for _, children in families for child in children]
    while len(contact_rows) < contacts:  # more carers (an aunt, a childminder) until the export has its rows
        contact_id += 1
        contact_rows.append([str(contact_id), rng.choice(SURNAMES), rng.choice(ADULTS),
                             f"carer.{contact_id}@families.bench", rng.choice(["Aunt", "Carer", "Other relative"]),
                             "No", "4", rng.choice(everyone)])
    contact_rows = contact_rows[:contacts]
    staff_rows = [[f"S{n:03d}", rng.choice(SURNAMES), rng.choice(ADULTS), f"staff{n}@bench.school",
                   rng.choice(["Teacher of English", "Teacher of Maths", "Teaching assistant", "Head of Year"])]
                  for n in range(staff)]
    # A year on: everyone moves up a year (a new tutor group), Year 13 has left, a new Year 7 arrives.
    moved_up = [[*row[:8], f"Year {int(row[8][5:]) + 1}", f"{int(row[8][5:]) + 1}{row[9][-1]}", *row[10:]]
                for row in pupil_rows if row[8] != "Year 13"]
    newcomers = [[str(900000 + n), f"C{900000 + n:012d}", rng.choice(SURNAMES), rng.choice(FIRST), "", "",
                  rng.choice("MF"), f"{date(2015, 9, 1) + timedelta(days=rng.randrange(365)):%d/%m/%Y}", "Year 7",
                  f"7{'ABCDEFGH'[n % 8]}", "N", "03/09/2027", "", URN] for n in range(pupils - len(moved_up))]
    return {"pupils": to_csv(PUPILS_HEADER, pupil_rows), "staff": to_csv(STAFF_HEADER, staff_rows),
            "contacts": to_csv(CONTACTS_HEADER, contact_rows), "next_year": to_csv(PUPILS_HEADER,
                                                                                   moved_up + newcomers)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=3500)
    parser.add_argument("--staff", type=int, default=150)
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's peak allocations (slow)")
    args = parser.parse_args()

    set_up_django("roster_import.sqlite3")
    import logging

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from onlinesafety.roster import services
    from onlinesafety.roster.models import Kind, Status
    from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil, School
    from onlinesafety.schools.roles import Role

    logging.getLogger("onlinesafety").setLevel(logging.WARNING)
    files = exports(args.pupils, args.contacts, args.staff, random.Random(20261201))
    print(f"{connection.vendor}: pupils {len(files['pupils']) // 1024} KB, contacts {len(files['contacts']) // 1024} "
          f"KB, staff {len(files['staff']) // 1024} KB")
    call_command("migrate", verbosity=0)
    school = School.objects.create(name="Bench Academy", slug="bench-academy", urn=URN, phase="secondary")
    head = get_user_model().objects.create(email="head@bench.school", full_name="Bench Head", password="!")
    Membership.objects.create(user=head, school=school, role=Role.HEADTEACHER)
    print(f"peak RSS after setting up: {peak_rss_mb():.0f} MB")

    def one(kind: str, label: str, data: bytes | None = None) -> tuple[float, dict[str, int]]:
        data = data or files[kind]
        if args.tracemalloc:
            tracemalloc.start()
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as dry_queries:
            dry_run = services.preview_file(
                school=school, actor=head, kind=Kind(kind), binary=io.BytesIO(data), size=len(data),
                original_name=f"{kind}.csv", columns="sims", is_full_export=True,
                staff_role=Role.STAFF if kind == "staff" else None)
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as apply_queries:
            applied = services.apply_confirmed_now(roster_import=dry_run, actor=head)
        apply_seconds = time.perf_counter() - started
        traced = ""
        if args.tracemalloc:
            traced = f", heap peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
            tracemalloc.stop()
        assert applied.status == Status.APPLIED, applied.failure
        counts = applied.applied
        print(f"{label:<9} {kind:<8} rows={dry_run.summary['rows']:>5}  add={counts['add']:>5}  "
              f"change={counts['change']:>4}  leave={counts['leave']:>3}  unchanged={counts['unchanged']:>5}  "
              f"dry run {dry_seconds:5.2f} s ({len(dry_queries)} queries)  apply {apply_seconds:5.2f} s "
              f"({len(apply_queries)} queries)  peak RSS {peak_rss_mb():.0f} MB{traced}")
        return dry_seconds + apply_seconds, counts

    for label in ("first", "again"):
        total = 0.0
        for kind in ("pupils", "staff", "contacts"):
            seconds, counts = one(kind, label)
            total += seconds
            if label == "again":
                assert (counts["add"], counts["change"], counts["leave"]) == (0, 0, 0), "unchanged: nothing to do"
        print(f"{label}: {total:.1f} s in all, peak RSS {peak_rss_mb():.0f} MB")
        if label == "again":
            seconds, counts = one("pupils", "a year on", files["next_year"])
            print(f"a year on: {seconds:.1f} s for the pupils (every one moved up a year, Year 13 left as a full "
                  f"export marks them, a new Year 7)")
        print(f"  on the roster: {Pupil.objects.filter(school=school).count()} pupils, "
              f"{Contact.objects.filter(school=school).count()} contacts "
              f"({Contact.objects.filter(school=school, user__isnull=True).count()} without an email), "
              f"{ParentLink.objects.filter(pupil__school=school).count()} links, "
              f"{Membership.objects.filter(school=school, role=Role.PARENT, is_active=True).count()} parent and "
              f"{Membership.objects.filter(school=school, role=Role.STAFF).count()} staff memberships")


if __name__ == "__main__":
    main()
