r"""Benchmark: an acceptable use campaign to a whole school's families, the reminders, and the coverage page.

    .venv/bin/python bench/aup_campaign_and_coverage.py [--pupils 2000] [--classes 70] [--requests 100]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench_aup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench_aup \
        .venv/bin/python bench/aup_campaign_and_coverage.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench_aup
    # add --tracemalloc for the Python heap peak of the campaign (slower: the times of that run are not the result)

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it an empty database
you can drop). One all-through school (Reception to Year 13, so all three pupil agreements are in play) with
--classes classes and --pupils pupils on roll, one parent each with parental responsibility (so 2,000 families,
2,000 children by default), and 133 staff, governors and visitors. The School signal adds the default agreements
and every one is published with aup.services.publish. People and pupils are bulk-created with unusable passwords
(no Argon2 hashing in the way of the memory figures).

Then, with the locmem email backend and Celery tasks run eagerly (the real path: outbox rows, then after the
commit one deliver_emails task per hundred, each sending through EmailMessage.send()):

1. start_campaign for the whole school (acceptable use), dated 9 days ago: wall time, split into issuing (the
   service call up to its commit) and delivering (the on_commit tasks, here in-process; in production a worker
   does this), query counts, and peak resident memory (ru_maxrss) before and after; with --tracemalloc, the
   Python heap peak.
2. About half of the children answered in the campaign's first week (bulk-created Signature rows: ~46% signed,
   ~4% declined) and 60% answered image consent; 90% of staff have signed the staff agreement.
3. remind_families at 8 days after the campaign (yesterday), run twice: the first reminds each family still to
   answer, the second must send nothing.
4. /aup/coverage/ as the Online Safety Lead through Django's test client (DEBUG off): query count, median and p95
   over --requests loads; and, for comparison, the campaign page, the first page of outstanding pupils, the
   technology register and the coverage CSV.
5. The coverage page's "Resend to every family still to answer" (resend_to_outstanding): a new campaign to the
   families of every child still outstanding.

Target (the issue): the campaign issued in under 30 s, the coverage page's p95 under 150 ms.
"""

import argparse
import logging
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import deque
from datetime import timedelta

from common import set_up_django, signed_in, time_pages  # bench/ is on the path when a script here runs

BATCH = 1000
# An all-through school: Reception to Year 13 (all three pupil agreements), the classes spread evenly.
YEAR_GROUPS = list(range(0, 14))
# (role, how many) of the adults: everyone but the parents.
ADULTS = [
    ("online_safety_lead", 1), ("headteacher", 1), ("dsl", 1), ("deputy_dsl", 2), ("technician", 3),
    ("staff", 103), ("governor", 12), ("visitor", 10),
]
DECLINE_REASONS = ["We would like to talk to the class teacher about the rules on group chats first.",
                   "We do not allow our child to use the internet without a parent beside them."]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=2000, help="pupils on roll, each with one parent")
    parser.add_argument("--classes", type=int, default=70)
    parser.add_argument("--requests", type=int, default=100, help="loads of the coverage page")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="trace Python allocations during the campaign (slows it down)")
    args = parser.parse_args()

    set_up_django("aup.sqlite3")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from aup import selectors, services
    from aup.documents import signed_text
    from aup.models import (
        AccountHolder,
        Agreement,
        Audience,
        Campaign,
        CampaignKind,
        Channel,
        Invitation,
        Outcome,
        Signature,
        SigningLink,
    )
    from onlinesafety import celery_app
    from onlinesafety.mail.models import OutboundEmail
    from onlinesafety.mail.tasks import deliver_emails
    from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil, School, SchoolClass
    from onlinesafety.tokens import sha256_of

    # The emails really go through the outbox and the delivery task, into django.core.mail.outbox.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    mail.outbox = []
    for name in ("onlinesafety.mail", "celery", "kombu"):  # a line per email and per task otherwise
        logging.getLogger(name).setLevel(logging.ERROR)

    call_command("migrate", verbosity=0)
    if School.objects.exists():
        sys.exit("The database is not empty: give DATABASE_URL an empty database the script may fill.")
    User = get_user_model()
    rng = random.Random(2026)

    # ------------------------------------------------------------ the school
    started = time.perf_counter()
    school = School.objects.create(name="Bench Academy", slug="bench", urn="999999")  # signal adds agreements
    classes = SchoolClass.objects.bulk_create([
        SchoolClass(school=school, name=f"{'R' if year == 0 else f'Y{year}'} {chr(65 + n // len(YEAR_GROUPS))}",
                    year_group=year)
        for n, year in ((n, YEAR_GROUPS[n % len(YEAR_GROUPS)]) for n in range(args.classes))
    ])
    pupils = Pupil.objects.bulk_create(
        [Pupil(school=school, first_name=f"First{n}", last_name=f"Surname{n % 997}", date_of_birth="2015-01-01",
               year_group=classes[n % len(classes)].year_group, school_class=classes[n % len(classes)])
         for n in range(args.pupils)],
        batch_size=BATCH,
    )
    adult_roles = [role for role, count in ADULTS for _ in range(count)]
    adults = User.objects.bulk_create(
        [User(email=f"{role}{n}@bench.example", full_name=f"Adult {n}", password="!")
         for n, role in enumerate(adult_roles)],
        batch_size=BATCH,
    )
    parents = User.objects.bulk_create(
        [User(email=f"parent{n}@home.example", full_name=f"Parent {n}", password="!") for n in range(args.pupils)],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(user=user, school=school, role=role) for user, role in zip(adults, adult_roles, strict=True)]
        + [Membership(user=parent, school=school, role="parent") for parent in parents],
        batch_size=BATCH,
    )
    contacts = Contact.objects.bulk_create(
        [Contact(school=school, user=parent, full_name=parent.full_name, email=parent.email) for parent in parents],
        batch_size=BATCH,
    )
    ParentLink.objects.bulk_create(
        [ParentLink(contact=contact, parent=parent, pupil=pupil, relationship="mother" if n % 2 else "father")
         for n, (contact, parent, pupil) in enumerate(zip(contacts, parents, pupils, strict=True))],
        batch_size=BATCH,
    )
    osl = adults[0]
    AccountHolder.objects.bulk_create([AccountHolder(school=school, user=user, accounts="Instagram", added_by=osl)
                                       for user in adults[1:3]])
    # The timeline: agreements published 10 days ago, the campaign 9 days ago, answers in its first week, the
    # reminders yesterday (day 8); the pages and the resend are today.
    campaign_at = timezone.now() - timedelta(days=9)
    published_at = campaign_at - timedelta(days=1)
    for agreement in Agreement.objects.filter(school=school).order_by("pk"):
        services.publish(agreement=agreement, actor=osl, change_summary="First version.", now=published_at)
    round_ = selectors.current_round(school)
    assert round_.ready(CampaignKind.AGREEMENT) and round_.ready(CampaignKind.IMAGES)
    # 90% of those who sign the staff agreement have signed it (the Online Safety Lead among them).
    staff_version = round_.versions[Audience.STAFF]
    staff_hash = sha256_of(signed_text(staff_version))
    signers = list(selectors.people_who_sign(school, Audience.STAFF))
    Signature.objects.bulk_create([
        Signature(school=school, audience=Audience.STAFF, version=staff_version, user=user, channel=Channel.IN_APP,
                  typed_name=user.full_name, signed_at=published_at + timedelta(hours=1), text_sha256=staff_hash)
        for user in signers if user == osl or rng.random() < 0.9
    ])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them in production
    print(f"{connection.vendor}: created {args.pupils} pupils in {len(classes)} classes, {len(parents)} parents "
          f"(one child each), {len(adults)} staff, governors and visitors; {Agreement.objects.count()} agreements "
          f"published in {time.perf_counter() - started:.1f} s; peak_rss={peak_rss_mb():.0f} MB")

    # ------------------------------------------------------------ measuring the delivery inside the campaign
    # CaptureQueriesContext reads connection.queries_log, which keeps only the last 9000 queries by default.
    connection.queries_log = deque(maxlen=10_000_000)
    delivery = {"seconds": 0.0, "queries": 0, "tasks": 0}
    publish_batch = deliver_emails.apply_async

    def timed_publish_batch(*args, **kwargs):
        before = len(connection.queries_log)
        start = time.perf_counter()
        publish_batch(*args, **kwargs)  # eager: runs deliver_emails here, after the commit
        delivery["seconds"] += time.perf_counter() - start
        delivery["queries"] += len(connection.queries_log) - before
        delivery["tasks"] += 1

    deliver_emails.apply_async = timed_publish_batch

    def reset_delivery():
        delivery.update(seconds=0.0, queries=0, tasks=0)
        mail.outbox = []

    # ------------------------------------------------------------ 1. the campaign
    outbox_before = OutboundEmail.objects.count()
    reset_delivery()
    rss_before = peak_rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        campaign = services.start_campaign(school=school, actor=osl, kind=CampaignKind.AGREEMENT,
                                           cohort=Campaign.Cohort.WHOLE_SCHOOL, now=campaign_at)
        total = time.perf_counter() - start
    heap_peak = None
    if args.tracemalloc:
        heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    queued = OutboundEmail.objects.count() - outbox_before
    unsent = OutboundEmail.objects.filter(sent_at__isnull=True).count()
    assert campaign.families == args.pupils and queued == args.pupils, (campaign.families, queued)
    assert len(mail.outbox) == args.pupils and unsent == 0, (len(mail.outbox), unsent)
    assert SigningLink.objects.filter(invitation__campaign=campaign).count() == args.pupils
    issue_queries = len(queries) - delivery["queries"]
    print(f"campaign     families={campaign.families}  pupils={campaign.pupils}  outbox={queued}  "
          f"delivered={len(mail.outbox)}  total={total:5.1f} s")
    print(f"  issue      {total - delivery['seconds']:5.1f} s  queries={issue_queries}")
    print(f"  delivery   {delivery['seconds']:5.1f} s  queries={delivery['queries']}  tasks={delivery['tasks']}")
    print(f"  peak_rss   {rss_before:.0f} MB before, {peak_rss_mb():.0f} MB after"
          + (f"; Python heap peak during the campaign {heap_peak:.1f} MB (tracemalloc)" if heap_peak else ""))
    mail.outbox = []

    # ------------------------------------------------------------ 2. about half of the families answer
    invitations = dict(Invitation.objects.filter(campaign=campaign).values_list("parent_id", "pk"))
    parent_of = dict(ParentLink.objects.filter(pupil__school=school).values_list("pupil_id", "parent_id"))
    home, images = round_.home, round_.images
    hashes = {}
    answers, counts = [], {"signed": 0, "declined": 0, "images": 0}
    for pupil in pupils:
        pupil_version = round_.pupil_version(pupil.year_group)
        parent_id = parent_of[pupil.pk]
        when = campaign_at + timedelta(minutes=rng.randint(30, 7 * 24 * 60 - 30))
        roll = rng.random()
        if roll < 0.5:
            outcome = Outcome.SIGNED if roll < 0.46 else Outcome.DECLINED
            key = pupil_version.pk
            if key not in hashes:
                hashes[key] = sha256_of(signed_text(home, pupil_version))
            answers.append(Signature(
                school=school, audience=Audience.PARENT, version=home, pupil_version=pupil_version, pupil=pupil,
                user_id=parent_id, invitation_id=invitations[parent_id], channel=Channel.LINK, outcome=outcome,
                typed_name=f"Parent {parent_id}", relationship="mother",
                discussed_with_child=True,
                decline_reason=DECLINE_REASONS[pupil.pk % 2] if outcome == Outcome.DECLINED else "",
                signed_at=when, text_sha256=hashes[key],
            ))
            counts[outcome] += 1
        if rng.random() < 0.6:
            uses = {field: rng.random() > 0.2 for field, _ in Signature.IMAGE_USES}
            answers.append(Signature(
                school=school, audience=Audience.IMAGE_CONSENT, version=images, pupil=pupil, user_id=parent_id,
                channel=Channel.IN_APP, typed_name=f"Parent {parent_id}", relationship="mother", signed_at=when,
                text_sha256=sha256_of(signed_text(images, None, uses)), **uses,
            ))
            counts["images"] += 1
    Signature.objects.bulk_create(answers, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"answers      signed={counts['signed']}  declined={counts['declined']}  "
          f"image consent={counts['images']}  (of {args.pupils} children)")

    # ------------------------------------------------------------ 3. the reminders, 8 days on
    def remind(label: str, when) -> int:
        reset_delivery()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            sent = services.remind_families(now=when)
            seconds = time.perf_counter() - start
        assert len(mail.outbox) == sent, (len(mail.outbox), sent)
        print(f"{label:<12} sent={sent:>5}  total={seconds:5.1f} s  (delivery {delivery['seconds']:4.1f} s)  "
              f"queries={len(queries):>6} (delivery {delivery['queries']})  peak_rss={peak_rss_mb():.0f} MB")
        mail.outbox = []
        return sent

    reminded = remind("reminders", campaign_at + timedelta(days=8))
    assert reminded == args.pupils - counts["signed"] - counts["declined"], reminded
    assert remind("again", campaign_at + timedelta(days=8)) == 0, "a rerun on the same day must send nothing"

    # ------------------------------------------------------------ 4. the pages
    client = signed_in(osl)
    urls = ["/aup/coverage/", f"/aup/campaigns/{campaign.pk}/", "/aup/coverage/outstanding/?kind=agreement",
            "/aup/registers/technology/"]
    response = client.get(urls[0])
    assert response.status_code == 200 and b"Y13 A" in response.content
    time_pages(client, [(urls[0], urls[0], {})], args.requests)
    time_pages(client, [(url, url, {}) for url in urls[1:]], max(args.requests // 5, 1) * (len(urls) - 1))
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = client.get("/aup/coverage/export.csv")
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        timings.append((time.perf_counter() - start) * 1000)
    print(f"{'/aup/coverage/export.csv (' + str(lines) + ' lines)':<46} median={statistics.median(timings):6.1f} ms"
          f"  max={max(timings):6.1f} ms")

    # ------------------------------------------------------------ 5. the coverage page's "resend to every family"
    reset_delivery()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        resent = services.resend_to_outstanding(school=school, actor=osl, kind=CampaignKind.AGREEMENT)
        seconds = time.perf_counter() - start
    assert resent.families == reminded and len(mail.outbox) == reminded, (resent.families, len(mail.outbox))
    print(f"{'resend to every family still to answer':<46} families={resent.families}  total={seconds:5.1f} s  "
          f"(delivery {delivery['seconds']:4.1f} s)  queries={len(queries)} (delivery {delivery['queries']})")
    print(f"peak_rss={peak_rss_mb():.0f} MB for the whole process")


if __name__ == "__main__":
    main()
