"""Benchmark: the daily compliance reminder task (policies.reminders.send_due_reminders) over many schools.

    .venv/bin/python bench/daily_reminders.py [--schools 500] [--policies 20] [--duties 10]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench .venv/bin/python bench/daily_reminders.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it an empty database
you can drop), bulk-creates --schools schools (so the School post_save signals do not fire), each with 8 people
(headteacher, DSL, online safety lead, technician, a safeguarding governor, 3 staff), --policies policies whose
next review falls between 60 days ago and 400 days ahead, and --duties monthly or yearly duties due in a similar
spread. It then times three runs of send_due_reminders: the first (most reminders), an immediate rerun (must send
nothing) and the next day's run, with the reminders sent, outbox and ReminderSent rows, seconds, query count and
peak resident memory. Delivery is not enqueued (deliver_email.apply_async is patched to a no-op), so only
the outbox rows are written. Target: the daily run takes under 60 s for 500 schools.
"""

import argparse
import random
import resource
import time
import zoneinfo
from collections import deque
from datetime import timedelta
from unittest import mock

from common import set_up_django  # bench/ is on the path when a script here runs

BATCH = 1000
# (role, full name, is_safeguarding_governor) for the people of each school; staff own some policies.
PEOPLE = [
    ("headteacher", "Head Teacher", False),
    ("dsl", "Dee Esel", False),
    ("online_safety_lead", "Olive Lead", False),
    ("technician", "Tech Nician", False),
    ("governor", "Gov Safeguarding", True),
    ("staff", "Staff One", False),
    ("staff", "Staff Two", False),
    ("staff", "Staff Three", False),
]
POLICY_OWNER_ROLES = ["headteacher", "dsl", "online_safety_lead", "technician", "staff"]
DUTY_OWNER_ROLES = ["headteacher", "dsl", "online_safety_lead", "technician", "governor"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=500)
    parser.add_argument("--policies", type=int, default=20)
    parser.add_argument("--duties", type=int, default=10)
    args = parser.parse_args()

    set_up_django("reminders.sqlite3")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from onlinesafety.mail.models import OutboundEmail
    from onlinesafety.schools.models import Membership, School
    from policies.models import ApprovingBody, Duty, Policy, PolicyKind, Recurrence, ReminderSent
    from policies.reminders import send_due_reminders

    call_command("migrate", verbosity=0)
    User = get_user_model()
    rng = random.Random(20250101)
    now = timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo("Europe/London")).date()  # every school keeps the default zone
    kinds = list(PolicyKind)

    started = time.perf_counter()
    schools = School.objects.bulk_create(
        [School(name=f"Bench School {n}", slug=f"bench-{n}", urn=f"{100000 + n:06d}") for n in range(args.schools)],
        batch_size=BATCH,
    )
    users = User.objects.bulk_create(
        [
            User(email=f"{role}{i}@school{school.pk}.example", full_name=f"{name} {school.pk}", password="!")
            for school in schools
            for i, (role, name, _) in enumerate(PEOPLE)
        ],
        batch_size=BATCH,
    )
    memberships, policies, duties = [], [], []
    for s, school in enumerate(schools):
        staff = list(zip(users[s * len(PEOPLE):(s + 1) * len(PEOPLE)], PEOPLE))
        memberships += [
            Membership(user=user, school=school, role=role, is_safeguarding_governor=governor)
            for user, (role, _, governor) in staff
        ]
        owners = [(user, role) for user, (role, _, _) in staff if role in POLICY_OWNER_ROLES]
        for p in range(args.policies):
            owner, owner_role = owners[p % len(owners)]
            kind = kinds[p % len(kinds)]
            policies.append(Policy(
                school=school, title=f"{kind.label} policy {p + 1}", kind=kind, owner=owner, owner_role=owner_role,
                approving_body=ApprovingBody.GOVERNING_BODY if p % 3 else ApprovingBody.HEADTEACHER,
                review_cycle_months=12, next_review_on=today + timedelta(days=rng.randint(-60, 400)),
            ))
        for d in range(args.duties):
            monthly = d % 2 == 0
            due_on = today + timedelta(days=rng.randint(-60, 31 if monthly else 400))
            duties.append(Duty(
                school=school, title=f"Duty {d + 1}", owner_role=DUTY_OWNER_ROLES[d % len(DUTY_OWNER_ROLES)],
                recurrence=Recurrence.MONTHLY if monthly else Recurrence.YEARLY, next_due_on=due_on,
                anchor_day=due_on.day,
            ))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    Policy.objects.bulk_create(policies, batch_size=BATCH)
    Duty.objects.bulk_create(duties, batch_size=BATCH)
    print(f"{connection.vendor}: created {len(schools)} schools, {len(users)} people, {len(policies)} policies, "
          f"{len(duties)} duties in {time.perf_counter() - started:.1f} s")

    # CaptureQueriesContext reads connection.queries_log, which keeps only the last 9000 queries by default.
    connection.queries_log = deque(maxlen=10_000_000)

    def run(label: str, when) -> int:
        connection.queries_log.clear()
        with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"), \
                CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent = send_due_reminders(now=when)
            seconds = time.perf_counter() - started
        print(f"{label:<12} sent={sent:>5}  outbox={OutboundEmail.objects.count():>6}  "
              f"reminders_sent={ReminderSent.objects.count():>5}  {seconds:6.1f} s  queries={len(queries):>6}  "
              f"peak_rss={peak_rss_mb():.0f} MB")
        connection.queries_log.clear()
        return sent

    run("first run", now)
    assert run("rerun", now) == 0, "a rerun on the same day must send nothing"
    run("next day", now + timedelta(days=1))


if __name__ == "__main__":
    main()
