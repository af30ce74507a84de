r"""Benchmark: the governors' termly report (figures and PDF) for a school with 5,000 incidents in the term, and
50 schools' reports built by two worker processes.

    VAR_DIR=/tmp/gov-bench .venv/bin/python bench/governor_reports.py [--incidents 5000] [--previous 3000]
        [--builds 5] [--schools 50] [--school-incidents 300] [--workers 2]
    # on PostgreSQL (an empty database the script may fill; drop it afterwards):
    createdb -h 127.0.0.1 -U postgres onlinesafety_bench_gov
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onlinesafety_bench_gov VAR_DIR=/tmp/gov-bench \
        .venv/bin/python bench/governor_reports.py
    dropdb -h 127.0.0.1 -U postgres onlinesafety_bench_gov

With no DATABASE_URL, a throw-away SQLite file $VAR_DIR/bench/governors.sqlite3 (VAR_DIR defaults to var/); the
PDFs are saved under $VAR_DIR/private-media/, so give the run a VAR_DIR of its own. Celery's broker is set to
memory:// for the run: the tasks the services queue (the build itself, the emails to governors) go nowhere, so
no worker elsewhere picks them up.

The script runs each step in a fresh Python process of its own, started from this small one (which never loads
Django), so each step's peak memory is its own: Linux carries ru_maxrss over from the parent through exec, and
a parent that had just created 8,000 incidents would mask the figure. The steps:

1. fill: one all-through school ("bench-one", Reception to Year 13, 1,400 pupils, 66 staff, 3 governors) with
   two finished terms of twelve weeks: --previous incidents in the earlier one and --incidents in the term
   being reported (it ended 8 days ago). Spread over the 16 default categories (weighted), the three locations,
   the term's months and school days; 1 to 3 pupils on 9 in 10 cases, a staff member on 2%, other adults on 5%,
   a headteacher-only allegation about staff on 1%; every status, acknowledged within hours, ~80% closed within
   40 days (some after the term ended), a referral on 5%. Policies, filtering and acceptable use are what the
   School signals give a new school (defaults, nothing published or checked). Then --schools smaller schools
   ("fleet-NN", alternately primary and secondary, 300 pupils, 26 staff, 3 governors) with --school-incidents
   incidents in the term and two thirds as many in the previous one, generated the same way. One report is
   asked for per school with services.request_report.
2. one: a fresh process (as a new worker) imports WeasyPrint, then times services.build(report_id) of
   bench-one's report: the first build in the process (fonts loaded on first use), then --builds more versions
   (request_report, then build). Each build is split into figures (figures.collect: the database queries and
   the medians), HTML (the template), WeasyPrint (HTML to PDF) and the rest (charts, tables, status updates,
   saving the file, the audit event, the governors' emails). Query count per build. Memory: VmHWM (the peak
   resident set, reset before each build through /proc/self/clear_refs) and ru_maxrss of the process; then one
   more build under tracemalloc for the Python heap peak (its time is not a result). Last term has no report
   so far, so these count both terms. Then last term's own report is built, and --builds more of this term's:
   now last term's figures come from its report (figures.reported_figures), the usual case from the second
   term on.
3. fleet: the --schools reports built by --workers processes forked from a process with Django set up (as a
   Celery prefork pool does; the parent closes its database connection before forking, so each worker opens its
   own), each calling services.build on its share of the report ids (every --workers-th); wall time from fork to
   the last report, per report, and each worker's peak RSS. Then the same again with one worker (a new version
   of each report) for comparison. On SQLite the two workers write to one file (short transactions, the
   settings' 20 s busy timeout); the production database is PostgreSQL.

Target (the issue): one report of a term with 5,000 incidents in under 3 s and under 300 MB.
"""

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import deque
from datetime import date, datetime, time as clock, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("fill", "one", "fleet")
BATCH = 1000
CATEGORY_WEIGHTS = {  # as in triage_dashboard.py: how often each default category comes up
    "cyberbullying": 20, "online_hate": 4, "youth_imagery": 2, "sexual_abuse": 1, "indecent_images": 1,
    "radicalisation": 1, "deliberate_access": 14, "accidental_not_reported": 12, "filter_bypass": 16,
    "account_misuse": 10, "data_breach": 2, "copyright": 4, "device_misuse": 8, "harmful_ai": 5,
    "staff_conduct": 1, "other": 6,
}
LOCATION_WEIGHTS = {"in_school": 45, "out_of_school": 35, "online_only": 20}
AGENCY_WEIGHTS = {"social_care": 30, "police_101": 15, "ceop": 8, "lado": 4, "iwf": 6, "prevent": 2,
                  "local_authority": 20, "helpline": 10, "technical": 4, "police_999": 1}
REPORT_DELAYS = [timedelta(minutes=m) for m in (5, 20, 45, 90, 240, 1440)]  # occurred_at -> reported_at
TERM_DAYS = 83  # twelve weeks
BIG_SLUG, FLEET_PREFIX = "bench-one", "fleet-"


# ---------------------------------------------------------------- memory

def status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    """Set VmHWM back to the current resident set (Linux 4.0+), so the next reading is the peak from now on."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def mb(kb: int) -> float:
    return kb / 1024


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------- the orchestrator (no Django in this process)

def orchestrate(argv: list[str], args) -> None:
    os.environ["CELERY_BROKER_URL"] = "memory://"  # the tasks the services queue go nowhere
    if "DATABASE_URL" not in os.environ:
        var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
        path = var_dir / "bench" / "governors.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    steps = ["fill", "one"] + (["fleet"] if args.schools else [])
    for step in steps:
        subprocess.run([sys.executable, __file__, *argv, "--step", step], check=True)


# ---------------------------------------------------------------- step 1: the data

def term_dates(today: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """(previous, reported): two twelve-week terms, a fortnight apart, the second ended 8 days ago."""
    ends = today - timedelta(days=8)
    starts = ends - timedelta(days=TERM_DAYS)
    previous_ends = starts - timedelta(days=15)
    return (previous_ends - timedelta(days=TERM_DAYS), previous_ends), (starts, ends)


def make_school(rng, n: int, slug: str, *, pupils: int, year_groups: list[int], staff: int,
                terms: list[tuple[date, date, int]]) -> dict:
    """A school through the School signals (its defaults), people, pupils and incidents in each term."""
    import zoneinfo

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import F
    from django.db.models.functions import Mod
    from django.utils import timezone

    from incidents.models import Illegal, Incident, IncidentCategory, Level, Outcome, Referral, Status, Visibility
    from onlinesafety.schools.models import Membership, Pupil, School, SchoolClass, Term
    from onlinesafety.schools.roles import Role

    User = get_user_model()
    school = School.objects.create(name=f"Bench School {n}", slug=slug, urn=f"{900000 + n}")
    zone = zoneinfo.ZoneInfo(school.timezone)
    roles = ([Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.DEPUTY_DSL, Role.ONLINE_SAFETY_LEAD, Role.TECHNICIAN]
             + [Role.STAFF] * staff + [Role.GOVERNOR] * 3)
    users = User.objects.bulk_create([User(email=f"{role}{k}@{slug}.example", full_name=f"{role} {k}", password="!")
                                      for k, role in enumerate(roles)])
    Membership.objects.bulk_create([Membership(user=user, school=school, role=role)
                                    for user, role in zip(users, roles, strict=True)])
    by_role = {}
    for user, role in zip(users, roles, strict=True):
        by_role.setdefault(role, []).append(user)
    team = by_role[Role.DSL] + by_role[Role.DEPUTY_DSL] + by_role[Role.ONLINE_SAFETY_LEAD]
    reporters = [user for user, role in zip(users, roles, strict=True) if role != Role.GOVERNOR]
    teachers = by_role[Role.STAFF]
    classes = SchoolClass.objects.bulk_create([SchoolClass(school=school, name=f"Year {y} {c}", year_group=y)
                                               for y in year_groups for c in "AB"])
    pupil_ids = [p.pk for p in Pupil.objects.bulk_create(
        [Pupil(school=school, first_name=f"First{k}", last_name=f"Surname{k % 397}", date_of_birth="2014-01-01",
               year_group=classes[k % len(classes)].year_group, school_class=classes[k % len(classes)])
         for k in range(pupils)], batch_size=BATCH)]
    categories = list(IncidentCategory.objects.filter(school=school))
    category_weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
    now = timezone.now()
    number = 0
    counts = {"incidents": 0, "pupil_links": 0, "staff_links": 0, "referrals": 0}
    made_terms = []
    with transaction.atomic():
        for index, (starts_on, ends_on, how_many) in enumerate(terms):
            made_terms.append(Term.objects.create(school=school, name=f"Term {index + 1}", starts_on=starts_on,
                                                  ends_on=ends_on))
            days = [starts_on + timedelta(days=d) for d in range((ends_on - starts_on).days + 1)]
            school_days = [d for d in days if d.weekday() < 5]
            weekends = [d for d in days if d.weekday() >= 5]
            reported_times = sorted(
                datetime.combine(rng.choice(school_days if rng.random() < 0.9 else weekends),
                                 clock(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=zone)
                for _ in range(how_many))
            last_term = index == len(terms) - 1
            for batch_start in range(0, how_many, BATCH):
                batch, wanted = [], {}
                for reported_at in reported_times[batch_start:batch_start + BATCH]:
                    number += 1
                    r = rng.random()
                    if r < 0.01:
                        status = Status.NEW
                    elif r < (0.80 if last_term else 0.97):
                        status = Status.CLOSED
                    else:
                        status = Status.OPEN if rng.random() < 0.7 else Status.WAITING
                    level = "" if status == Status.NEW else rng.choices(
                        [Level.INAPPROPRIATE, Level.ILLEGAL_NO_RISK, Level.ILLEGAL_IMMEDIATE_RISK], [85, 12, 3])[0]
                    acknowledged_at = None if status == Status.NEW else reported_at + timedelta(
                        hours=min(rng.expovariate(1 / 6), 200))
                    closed_at = None
                    if status == Status.CLOSED:
                        closed_at = min(acknowledged_at + timedelta(days=rng.uniform(0.2, 40)),
                                        now - timedelta(hours=1))
                    allegation = rng.random() < 0.01
                    batch.append(Incident(
                        school=school, number=number, reported_by=rng.choice(reporters),
                        occurred_at=reported_at - REPORT_DELAYS[number % len(REPORT_DELAYS)],
                        location=rng.choices(list(LOCATION_WEIGHTS), list(LOCATION_WEIGHTS.values()))[0],
                        category=rng.choices(categories, category_weights)[0],
                        other_people="An adult from outside the school" if rng.random() < 0.05 else "",
                        description=f"Bench incident {number}: what happened, in a sentence or two.",
                        immediate_risk=level == Level.ILLEGAL_IMMEDIATE_RISK,
                        possibly_illegal=Illegal.YES if level.startswith("illegal") and rng.random() < 0.7
                        else rng.choice([Illegal.NO, Illegal.NO, Illegal.NOT_SURE]),
                        is_urgent=level == Level.ILLEGAL_IMMEDIATE_RISK or rng.random() < 0.02,
                        visibility=Visibility.HEADTEACHER if allegation else Visibility.DSL_TEAM,
                        subject_of_allegation=rng.choice(teachers) if allegation else None,
                        status=status, level=level, acknowledged_at=acknowledged_at,
                        acknowledged_by=None if status == Status.NEW else rng.choice(team),
                        assigned_to=None if status == Status.NEW else rng.choice(team),
                        outcome=rng.choice(Outcome.values) if status == Status.CLOSED else "", closed_at=closed_at,
                    ))
                    wanted[number] = reported_at
                Incident.objects.bulk_create(batch)
                pupil_links, staff_links, referrals = [], [], []
                for incident in batch:
                    r = rng.random()
                    how_many_pupils = 0 if r < 0.1 else 1 if r < 0.8 else 2 if r < 0.95 else 3
                    for pupil_id in rng.sample(pupil_ids, how_many_pupils):
                        pupil_links.append(Incident.pupils.through(incident_id=incident.pk, pupil_id=pupil_id))
                    if rng.random() < 0.02:
                        staff_links.append(Incident.staff_involved.through(incident_id=incident.pk,
                                                                           user_id=rng.choice(teachers).pk))
                    if incident.status != Status.NEW and rng.random() < 0.05:
                        referred = wanted[incident.number].date() + timedelta(days=rng.randint(0, 3))
                        referrals.append(Referral(
                            incident=incident, referred_on=referred, recorded_by=rng.choice(team),
                            agency=rng.choices(list(AGENCY_WEIGHTS), list(AGENCY_WEIGHTS.values()))[0]))
                Incident.pupils.through.objects.bulk_create(pupil_links)
                Incident.staff_involved.through.objects.bulk_create(staff_links)
                Referral.objects.bulk_create(referrals)
                counts["pupil_links"] += len(pupil_links)
                counts["staff_links"] += len(staff_links)
                counts["referrals"] += len(referrals)
            counts["incidents"] += how_many
        # reported_at is auto_now_add (bulk_create stamped "now"): one UPDATE per report delay sets it back.
        for bucket, delay in enumerate(REPORT_DELAYS):
            Incident.objects.filter(school=school).alias(bucket=Mod("number", len(REPORT_DELAYS))).filter(
                bucket=bucket).update(reported_at=F("occurred_at") + delay)
    return {"school": school, "terms": made_terms, "dsl": by_role[Role.DSL][0], **counts}


def step_fill(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from governors import services
    from onlinesafety.schools.models import School

    call_command("migrate", verbosity=0)
    if School.objects.exists():
        sys.exit("The database is not empty: give DATABASE_URL an empty database the script may fill.")
    rng = random.Random(2026)
    (prev_start, prev_end), (start, end) = term_dates(timezone.localdate())
    started = time.perf_counter()
    big = make_school(rng, 0, BIG_SLUG, pupils=1400, year_groups=list(range(0, 14)), staff=60,
                      terms=[(prev_start, prev_end, args.previous), (start, end, args.incidents)])
    report = services.request_report(school=big["school"], term=big["terms"][-1], actor=big["dsl"])
    print(f"{connection.vendor}: {BIG_SLUG}: {args.previous} incidents in {prev_start}..{prev_end}, "
          f"{args.incidents} in {start}..{end} (the term reported); {big['pupil_links']} pupil links, "
          f"{big['staff_links']} staff links, {big['referrals']} referrals; 1,400 pupils; report {report.pk} "
          f"queued ({time.perf_counter() - started:.1f} s)")
    started = time.perf_counter()
    fleet = {"incidents": 0, "pupil_links": 0, "referrals": 0}
    for n in range(1, args.schools + 1):
        primary = n % 2 == 1
        made = make_school(rng, n, f"{FLEET_PREFIX}{n:02d}", pupils=300,
                           year_groups=list(range(0, 7)) if primary else list(range(7, 14)), staff=20,
                           terms=[(prev_start, prev_end, args.school_incidents * 2 // 3),
                                  (start, end, args.school_incidents)])
        services.request_report(school=made["school"], term=made["terms"][-1], actor=made["dsl"])
        for key in fleet:
            fleet[key] += made[key]
    if args.schools:
        print(f"{connection.vendor}: {args.schools} fleet schools: {fleet['incidents']} incidents "
              f"({args.school_incidents} a school in the term reported), {fleet['pupil_links']} pupil links, "
              f"{fleet['referrals']} referrals; {args.schools} reports queued "
              f"({time.perf_counter() - started:.1f} s)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them in production


# ---------------------------------------------------------------- step 2: one report, 5,000 incidents

def step_one(args) -> None:
    import tracemalloc

    from django.core.files.storage import default_storage
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import onlinesafety.pdf as pdf_module
    from governors import figures, services
    from governors.models import TermReport
    from incidents.models import Incident, Visibility
    from onlinesafety.reporting import ReportPeriod

    connection.queries_log = deque(maxlen=100_000)
    parts: dict[str, float] = {}
    part_queries: dict[str, int] = {}
    collected = []

    def timed(name, function, keep=None):
        def wrapper(*a, **kw):
            before, start = len(connection.queries_log), time.perf_counter()
            try:
                result = function(*a, **kw)
                if keep is not None:
                    keep.append(result)
                return result
            finally:
                parts[name] = parts.get(name, 0.0) + time.perf_counter() - start
                part_queries[name] = part_queries.get(name, 0) + len(connection.queries_log) - before
        return wrapper

    figures.collect = timed("figures", figures.collect, collected)  # services calls figures.collect
    services.render_pdf = timed("pdf", services.render_pdf)  # template + WeasyPrint
    pdf_module.render_to_string = timed("html", pdf_module.render_to_string)  # the template alone

    first = TermReport.objects.select_related("school", "term").get(school__slug=BIG_SLUG, version=1)
    school, term, actor = first.school, first.term, first.requested_by
    base_rss = status_kb("VmRSS")
    start = time.perf_counter()
    import weasyprint  # noqa: F401  (render_pdf imports it when first needed: a worker pays this once)
    import_seconds = time.perf_counter() - start
    print(f"{connection.vendor}: process with Django set up: RSS {mb(base_rss):.0f} MB; import weasyprint "
          f"{import_seconds:.2f} s, RSS {mb(status_kb('VmRSS')):.0f} MB")

    def build(report_id: int) -> dict:
        parts.clear()
        part_queries.clear()
        collected.clear()
        connection.queries_log.clear()
        reset = reset_peak()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            made = services.build(report_id)
            total = time.perf_counter() - start
        assert made, report_id
        report = TermReport.objects.get(pk=report_id)
        assert report.status == TermReport.Status.READY and report.size > 0
        with default_storage.open(report.file.name, "rb") as stored:
            pdf = stored.read()
        assert pdf.startswith(b"%PDF") and len(pdf) == report.size
        weasy = parts["pdf"] - parts["html"]
        return {"total": total, "figures": parts["figures"], "html": parts["html"], "weasyprint": weasy,
                "rest": total - parts["figures"] - parts["pdf"], "queries": len(queries),
                "figure_queries": part_queries["figures"], "size": report.size,
                "hwm": mb(status_kb("VmHWM")) if reset else None, "maxrss": max_rss_mb(),
                "rss": mb(status_kb("VmRSS"))}

    def line(label, r):
        return (f"{label:<22} total={r['total']:5.2f} s  figures={r['figures']:5.2f} s  html={r['html']:5.2f} s  "
                f"weasyprint={r['weasyprint']:5.2f} s  rest={r['rest']:5.2f} s  queries={r['queries']} "
                f"(figures {r['figure_queries']})  pdf={r['size'] / 1024:.0f} KB  "
                f"peak_rss={r['hwm']:.0f} MB  ru_maxrss={r['maxrss']:.0f} MB")

    cold = build(first.pk)
    data = collected[0]
    now, before = data.current.incidents, data.previous.incidents
    # The report leaves out allegations about staff (headteacher- or chair-only cases, 1% here).
    allegations = Incident.objects.filter(school=school).exclude(visibility=Visibility.DSL_TEAM)
    period = ReportPeriod.of_term(term)
    left_out = allegations.filter(reported_at__gte=period.start_at, reported_at__lt=period.end_at).count()
    assert now["total"] in (args.incidents, args.incidents - left_out), (now["total"], args.incidents, left_out)
    assert args.previous - allegations.count() <= before["total"] <= args.previous, before["total"]
    print(f"figures: this term {now['total']} incidents ({args.incidents} in the term, {left_out} allegations "
          f"about staff not counted; urgent {now['urgent']}, possibly illegal "
          f"{now['possibly_illegal']}, open at the end {now['open_at_end']}, pupils in 2+ {now['pupils_repeated']}, "
          f"{len(now['by_category'])} categories, {len(now['by_month'])} months, referrals "
          f"{sum(now['referrals'].values())}); last term {before['total']}; median hours to acknowledge "
          f"{data.current.median_hours_to_acknowledge}, days to close {data.current.median_days_to_close}")
    print(line("first build", cold))

    def summary(label, runs):
        for key in ("total", "figures", "html", "weasyprint", "rest"):
            values = sorted(r[key] for r in runs)
            print(f"  {label} {key:<11} median={statistics.median(values):5.2f} s  min={values[0]:5.2f} s  "
                  f"max={values[-1]:5.2f} s")
        after_each = ", ".join(f"{r['rss']:.0f}" for r in runs)
        print(f"  {label} queries={sorted({r['queries'] for r in runs})} (figures "
              f"{sorted({r['figure_queries'] for r in runs})})  peak_rss max={max(r['hwm'] for r in runs):.0f} MB "
              f"(RSS after each: {after_each} MB)  ru_maxrss={max_rss_mb():.0f} MB")

    def builds(of_term, times):
        return [build(services.request_report(school=school, term=of_term, actor=actor).pk) for _ in range(times)]

    summary(f"next {args.builds} builds", builds(term, args.builds))

    report = services.request_report(school=school, term=term, actor=actor)
    tracemalloc.start()
    traced = build(report.pk)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"under tracemalloc       Python heap peak {peak / 2**20:.1f} MB (still held after: "
          f"{current / 2**20:.1f} MB); build {traced['total']:.2f} s under tracing (not a result)")

    # Above, last term has no report, so both terms are counted. Once last term's report is built, its stored
    # figures are used instead (figures.reported_figures) and only this term is counted: the usual case.
    print(line("last term's own report", build(services.request_report(
        school=school, term=data.previous.term, actor=actor).pk)))
    summary(f"{args.builds} builds, last term's figures stored", builds(term, args.builds))


# ---------------------------------------------------------------- step 3: 50 schools, two workers

def worker(report_ids: list[int], results) -> None:
    import traceback

    from django.db import connections

    from governors import services

    # The parent closed its connection before forking, so nothing is inherited: this opens the worker's own.
    connections.close_all()
    reset_peak()
    started = time.perf_counter()
    times = []
    try:
        for report_id in report_ids:
            start = time.perf_counter()
            assert services.build(report_id), report_id
            times.append(time.perf_counter() - start)
    except BaseException:
        results.put({"pid": os.getpid(), "error": traceback.format_exc()})
        raise
    finally:
        connections.close_all()
    results.put({"pid": os.getpid(), "times": times, "seconds": time.perf_counter() - started,
                 "hwm": mb(status_kb("VmHWM"))})


def run_workers(report_ids: list[int], workers: int) -> dict:
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's socket
    context = multiprocessing.get_context("fork")  # as Celery's prefork pool: Django already set up
    results = context.Queue()
    start = time.perf_counter()
    processes = [context.Process(target=worker, args=(report_ids[k::workers], results)) for k in range(workers)]
    for process in processes:
        process.start()
    done = [results.get() for _ in processes]
    for process in processes:
        process.join()
    wall = time.perf_counter() - start
    errors = [r["error"] for r in done if "error" in r]
    if errors:
        sys.exit("A worker failed:\n" + "\n".join(errors))
    return {"wall": wall, "workers": done}


def step_fleet(args) -> None:
    from django.db import connection

    from governors import services
    from governors.models import TermReport

    fleet = TermReport.objects.filter(school__slug__startswith=FLEET_PREFIX)
    base_rss = mb(status_kb("VmRSS"))

    def show(label, ids, run):
        times = [t for w in run["workers"] for t in w["times"]]
        firsts = ", ".join(f"{w['times'][0]:.2f}" for w in run["workers"])
        peaks = ", ".join(f"{w['hwm']:.0f}" for w in run["workers"])
        print(f"{label:<22} reports={len(ids)}  wall={run['wall']:5.1f} s  per report: wall/reports="
              f"{run['wall'] / len(ids):.2f} s, build median={statistics.median(times):.2f} s "
              f"max={max(times):.2f} s (first in each worker {firsts} s)  peak_rss per worker={peaks} MB")

    ids = list(fleet.filter(status=TermReport.Status.QUEUED).order_by("pk").values_list("pk", flat=True))
    print(f"{connection.vendor}: parent process RSS {base_rss:.0f} MB (Django set up, WeasyPrint not imported)")
    run = run_workers(ids, args.workers)
    assert fleet.filter(pk__in=ids, status=TermReport.Status.READY).count() == len(ids)
    show(f"{args.workers} workers", ids, run)

    again = [services.request_report(school=r.school, term=r.term).pk
             for r in fleet.filter(pk__in=ids).select_related("school", "term").order_by("pk")]
    run = run_workers(again, 1)
    assert fleet.filter(pk__in=again, status=TermReport.Status.READY).count() == len(again)
    show("1 worker (comparison)", again, run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=5000, help="in the term reported, one school")
    parser.add_argument("--previous", type=int, default=3000, help="in the term before it")
    parser.add_argument("--builds", type=int, default=5, help="builds after the first, for the median")
    parser.add_argument("--schools", type=int, default=50, help="schools for the two-worker run (0: skip it)")
    parser.add_argument("--school-incidents", type=int, default=300, help="in the term reported, each school")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)  # a step, run by this script itself
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    if args.step is None:
        orchestrate(argv, args)
        return
    import logging

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import set_up_django

    set_up_django("governors.sqlite3")  # DATABASE_URL is set by the orchestrator, so this opens, never deletes
    for name in ("weasyprint", "fontTools", "celery", "kombu", "onlinesafety"):
        logging.getLogger(name).setLevel(logging.ERROR)
    {"fill": step_fill, "one": step_one, "fleet": step_fleet}[args.step](args)


if __name__ == "__main__":
    main()
