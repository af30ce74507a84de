"""Benchmark: the incident triage dashboard against a school with a year of incidents.

    .venv/bin/python bench/triage_dashboard.py [--incidents 20000] [--requests 300]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/triage_dashboard.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it an empty database
you can drop), fills one school with 30 staff, 600 pupils and --incidents incidents spread over the last 365
days (every status, urgent cases, pupils linked, actions some of them overdue, a few pupils in 3+ cases in
30 days), then times --requests loads of /incidents/triage/ as the DSL (each queue, a category filter, the
last page of the open queue and the htmx refresh) through Django's test client, and reports the query count.
"""

import argparse
import math
import random
import sys
import time
from datetime import timedelta

from common import set_up_django, signed_in, time_pages  # bench/ is on the path when a script here runs

CATEGORY_WEIGHTS = {  # how often each default category comes up; the serious ones are rare
    "cyberbullying": 20, "online_hate": 4, "youth_imagery": 2, "sexual_abuse": 1, "indecent_images": 1,
    "radicalisation": 1, "deliberate_access": 14, "accidental_not_reported": 12, "filter_bypass": 16,
    "account_misuse": 10, "data_breach": 2, "copyright": 4, "device_misuse": 8, "harmful_ai": 5,
    "staff_conduct": 1, "other": 6,
}
REPORT_DELAYS = [timedelta(minutes=m) for m in (5, 20, 45, 90, 240, 1440)]  # occurred_at -> reported_at, by number


def pick_status(rng, age: timedelta) -> str:
    """Recent cases are still new or open; most older ones are closed."""
    r = rng.random()
    if age < timedelta(days=3):
        return "new" if r < 0.5 else "open" if r < 0.9 else "waiting"
    if age < timedelta(days=60):
        return "new" if r < 0.05 else "open" if r < 0.40 else "waiting" if r < 0.60 else "closed"
    return "new" if r < 0.02 else "open" if r < 0.10 else "waiting" if r < 0.15 else "closed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    set_up_django("triage.sqlite3")
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count, F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from incidents.models import (
        CaseAction,
        Device,
        Illegal,
        Incident,
        IncidentCategory,
        Level,
        Location,
        Network,
        Outcome,
        Status,
        Visibility,
    )
    from onlinesafety.schools.models import Pupil, School, SchoolClass
    from onlinesafety.schools.roles import DSL_TEAM, Role
    from tests.factories import member_of

    call_command("migrate", verbosity=0)
    if School.objects.exists():
        sys.exit("The database is not empty: give DATABASE_URL an empty database the script may fill.")
    rng = random.Random(2026)
    school = School.objects.create(name="Bench School", slug="bench", urn="999999")  # signal adds categories
    categories = list(IncidentCategory.objects.filter(school=school))
    category_weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
    staff_roles = [Role.DSL, Role.DEPUTY_DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD, Role.HEADTEACHER,
                   Role.TECHNICIAN, Role.TECHNICIAN] + [Role.STAFF] * 23  # the DSL (first) uses the dashboard
    people = [(member_of(school, role), role) for role in staff_roles]
    dsl = people[0][0]
    team = [user for user, role in people if role in DSL_TEAM]
    reporters = [user for user, role in people if role != Role.HEADTEACHER]
    staff = [user for user, role in people if role == Role.STAFF]
    classes = SchoolClass.objects.bulk_create(
        [SchoolClass(school=school, name=f"Class {n}", year_group=n % 7) for n in range(21)]
    )
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(school=school, first_name=f"First{n}", last_name=f"Surname{n % 397}", date_of_birth="2017-01-01",
                  year_group=classes[n % 21].year_group, school_class=classes[n % 21])
            for n in range(600)
        ]
    )
    pupil_ids = [p.pk for p in pupils]

    started = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    window_start = now - timedelta(days=30)  # the dashboard's "repeated pupil" window
    repeat_pupils = set(rng.sample(pupil_ids, 8))  # each put in 3+ cases in the last 30 days
    recent_links: dict[int, int] = {}
    recent_ids = []
    reported_times = sorted(now - timedelta(seconds=rng.uniform(600, 365 * 86400)) for _ in range(args.incidents))
    links, actions, n_links, n_actions = [], [], 0, 0
    with transaction.atomic():
        for batch_start in range(0, args.incidents, 2000):
            batch = []
            for number in range(batch_start + 1, min(batch_start + 2000, args.incidents) + 1):
                reported_at = reported_times[number - 1]
                status = pick_status(rng, now - reported_at)
                level = "" if status == Status.NEW else rng.choices(
                    [Level.INAPPROPRIATE, Level.ILLEGAL_NO_RISK, Level.ILLEGAL_IMMEDIATE_RISK], [85, 12, 3])[0]
                headteacher_only = rng.random() < 0.02
                assignee = None if status == Status.NEW else rng.choice(team)
                acknowledged_at = None
                if status != Status.NEW:
                    acknowledged_at = min(reported_at + timedelta(minutes=rng.uniform(5, 1200)), now)
                closed_at = None
                if status == Status.CLOSED:
                    closed_at = min(reported_at + timedelta(days=rng.uniform(1, 40)), now - timedelta(minutes=1))
                batch.append(Incident(
                    school=school, number=number, reported_by=rng.choice(reporters),
                    occurred_at=reported_at - REPORT_DELAYS[number % len(REPORT_DELAYS)],
                    location=rng.choice(Location.values), category=rng.choices(categories, category_weights)[0],
                    device=rng.choice(Device.values), network=rng.choice(Network.values),
                    description=f"Bench incident {number}: what happened, in a sentence or two.",
                    immediate_risk=level == Level.ILLEGAL_IMMEDIATE_RISK,
                    possibly_illegal=Illegal.YES if level.startswith("illegal") else rng.choice(
                        [Illegal.NO, Illegal.NOT_SURE]),
                    is_urgent=rng.random() < 0.05,
                    visibility=Visibility.HEADTEACHER if headteacher_only else Visibility.DSL_TEAM,
                    subject_of_allegation=rng.choice(staff) if headteacher_only else None,
                    status=status, level=level, acknowledged_at=acknowledged_at,
                    acknowledged_by=assignee, assigned_to=assignee,
                    outcome=rng.choice(Outcome.values) if status == Status.CLOSED else "", closed_at=closed_at,
                    version=1 if status == Status.NEW else rng.randint(2, 12),
                ))
            Incident.objects.bulk_create(batch)
            for incident in batch:
                # Pupils: 1 or 2 a case; in the last 30 days nobody but the repeat pupils is in more than 2.
                wanted = 1 if rng.random() < 0.7 else 2
                chosen = set()
                recent = incident.occurred_at >= window_start
                for _ in range(wanted * 4):
                    if len(chosen) == wanted:
                        break
                    pupil_id = rng.choice(pupil_ids)
                    if recent and (pupil_id in repeat_pupils or recent_links.get(pupil_id, 0) >= 2):
                        continue
                    chosen.add(pupil_id)
                if recent:
                    recent_ids.append(incident.pk)
                for pupil_id in chosen:
                    if recent:
                        recent_links[pupil_id] = recent_links.get(pupil_id, 0) + 1
                    links.append(Incident.pupils.through(incident_id=incident.pk, pupil_id=pupil_id))
                # Actions on a third of the cases in hand; about half of the past-due open ones not done.
                if incident.status != Status.NEW and rng.random() < 0.33:
                    reported_at = reported_times[incident.number - 1]
                    for _ in range(rng.randint(1, 2)):
                        due_on = (reported_at + timedelta(days=rng.randint(2, 14))).date()
                        done = incident.status == Status.CLOSED or (due_on < today and rng.random() < 0.5)
                        owner = rng.choice(team)
                        actions.append(CaseAction(
                            incident_id=incident.pk, description="Speak to the pupils and their parents",
                            owner=owner, created_by=owner, due_on=due_on,
                            done_at=min(reported_at + timedelta(days=rng.uniform(1, 14)), now)
                            if done else None,
                            done_by=owner if done else None,
                        ))
            n_links += len(links)
            n_actions += len(actions)
            Incident.pupils.through.objects.bulk_create(links)
            CaseAction.objects.bulk_create(actions)
            links, actions = [], []
        for pupil_id in repeat_pupils:  # the repeat pupils: 3 to 5 cases each in the last 30 days
            for incident_id in rng.sample(recent_ids, min(len(recent_ids), rng.randint(3, 5))):
                recent_links[pupil_id] = recent_links.get(pupil_id, 0) + 1
                links.append(Incident.pupils.through(incident_id=incident_id, pupil_id=pupil_id))
        n_links += len(links)
        Incident.pupils.through.objects.bulk_create(links)
        # reported_at is auto_now_add (bulk_create stamped "now"): one UPDATE per report delay sets it back.
        for bucket, delay in enumerate(REPORT_DELAYS):
            Incident.objects.filter(school=school).alias(bucket=Mod("number", len(REPORT_DELAYS))).filter(
                bucket=bucket
            ).update(reported_at=F("occurred_at") + delay)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them in production
    repeated = sum(1 for n in recent_links.values() if n >= 3)
    print(f"created {args.incidents} incidents, {n_links} pupil links, {n_actions} actions "
          f"({repeated} pupils in 3+ cases in 30 days) in {time.perf_counter() - started:.1f} s")

    visible = Incident.objects.filter(school=school, visibility=Visibility.DSL_TEAM)
    open_cases = visible.filter(status=Status.OPEN)
    busiest = open_cases.values("category").annotate(n=Count("pk")).order_by("-n")[0]["category"]
    last_page = max(1, math.ceil(open_cases.count() / 25))
    recently_closed = visible.filter(status=Status.CLOSED, closed_at__gte=now - timedelta(days=30)).count()
    print(f"queues as the DSL sees them: new={visible.filter(status=Status.NEW).count()} "
          f"open={open_cases.count()} waiting={visible.filter(status=Status.WAITING).count()} "
          f"closed (30 days)={recently_closed}")

    client = signed_in(dsl)
    urls = [
        ("/incidents/triage/?queue=new", {}),
        ("/incidents/triage/?queue=open", {}),
        ("/incidents/triage/?queue=waiting", {}),
        ("/incidents/triage/?queue=closed", {}),
        (f"/incidents/triage/?queue=open&category={busiest}", {}),
        (f"/incidents/triage/?queue=open&page={last_page}", {}),
        ("/incidents/triage/?queue=new", {"HTTP_HX_REQUEST": "true"}),
    ]
    time_pages(client, [(url + (" (htmx)" if headers else ""), url, headers) for url, headers in urls],
               args.requests)

if __name__ == "__main__":
    main()
