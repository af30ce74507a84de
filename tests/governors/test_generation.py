"""Building reports: versions, idempotency, retries, the schedule and the email to governors."""

import datetime
import time
import zoneinfo
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from governors import services
from governors.models import TermReport
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import RuleBroken

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_it_builds_a_report_once_with_its_hash(known):
    report = services.request_report(school=known.school, term=known.summer, actor=known.people.head)
    assert (report.version, report.status) == (1, "queued")
    assert services.build(report.pk) is True
    report.refresh_from_db()
    import hashlib

    assert report.status == "ready" and report.sha256 == hashlib.sha256(report.file.read()).hexdigest()
    assert services.build(report.pk) is False  # run again, or retried after success: nothing more
    assert TermReport.objects.count() == 1
    assert AuditEvent.objects.filter(verb="governors.report_built").count() == 1


def test_it_makes_a_new_version_when_building_again_and_keeps_the_old(known):
    first = services.request_report(school=known.school, term=known.summer)
    services.build(first.pk)
    second = services.request_report(school=known.school, term=known.summer)
    services.build(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name and first.status == second.status == "ready"


def test_it_leaves_no_file_after_a_crash_and_finishes_on_a_retry(known):
    report = services.request_report(school=known.school, term=known.summer)
    with mock.patch("governors.services.render_pdf", side_effect=RuntimeError("out of memory")):
        assert services.build(report.pk) is False
    report.refresh_from_db()
    assert (report.status, report.file.name, report.sha256, report.failure) == ("failed", "", "", "RuntimeError")
    assert services.build(report.pk) is False  # a stray message never builds a failed report
    services.look_after_reports(now=timezone.now() + services.RETRY_FAILED_AFTER + datetime.timedelta(seconds=1))
    report.refresh_from_db()
    assert report.status == "ready" and report.attempts == 2 and report.failure == ""


def test_it_never_lets_a_failing_duplicate_run_touch_a_finished_report(known):
    report = services.request_report(school=known.school, term=known.summer)
    services.build(report.pk)
    report.refresh_from_db()
    finished = (report.status, report.file.name, report.sha256)
    TermReport.objects.filter(pk=report.pk).update(status="building")  # a second worker claimed it earlier
    services._still_building(report.pk).update(status="ready")  # and the first one finished meanwhile
    services._progress(report.pk, 40, "late progress")
    with mock.patch("governors.services.render_pdf", side_effect=RuntimeError("late failure")):
        TermReport.objects.filter(pk=report.pk).update(status="ready")
        assert services.build(report.pk) is False
    report.refresh_from_db()
    assert (report.status, report.file.name, report.sha256) == finished and report.step == "Ready"


def test_it_leaves_no_file_behind_after_a_failure_once_the_file_is_saved(known, tmp_path):
    from django.core.files.storage import default_storage

    report = services.request_report(school=known.school, term=known.summer)
    with mock.patch("governors.services._tell_governors", side_effect=RuntimeError("mail down")):
        assert services.build(report.pk) is False
    report.refresh_from_db()
    assert report.file.name == "" and report.status == "failed"  # never left "building"
    folder = f"governor-reports/{known.school.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []


def test_it_builds_again_a_report_whose_worker_was_killed_mid_build(known):
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    silent_since = timezone.now() - services.STALLED_AFTER - datetime.timedelta(seconds=1)
    TermReport.objects.filter(pk=report.pk).update(status="building", progress=75, attempts=1,
                                                   progress_at=silent_since)  # killed at 75 %
    assert services.look_after_reports() == 1  # every five minutes, not the next day
    report.refresh_from_db()
    assert report.status == "ready" and report.attempts == 2


def test_it_gives_up_on_a_build_that_keeps_stopping_and_offers_to_try_again(known):
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    TermReport.objects.filter(pk=report.pk).update(
        status="building", attempts=services.MAX_AUTOMATIC_ATTEMPTS,
        progress_at=timezone.now() - services.STALLED_AFTER - datetime.timedelta(seconds=1))
    assert services.look_after_reports() == 0
    report.refresh_from_db()
    assert (report.status, report.failure) == ("failed", "The worker stopped")
    assert AuditEvent.objects.filter(verb="governors.report_failed", object_id=str(report.pk)).exists()
    later = timezone.now() + datetime.timedelta(days=1)
    assert services.look_after_reports(now=later) == 0  # automatic tries are bounded: a person decides now


def test_it_fails_a_report_whose_file_cannot_be_stored_instead_of_leaving_it_building(known):
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=OSError("disk full")):
        for attempt in range(services.MAX_AUTOMATIC_ATTEMPTS):
            services.build(report.pk) if attempt == 0 else services.look_after_reports(
                now=timezone.now() + services.RETRY_FAILED_AFTER * (attempt + 1))
            report.refresh_from_db()
            assert (report.status, report.failure, report.attempts) == ("failed", "OSError", attempt + 1)
    assert services.look_after_reports(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_it_builds_once_when_the_message_is_delivered_twice(known):
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    TermReport.objects.filter(pk=report.pk).update(status="building", progress_at=timezone.now())  # one worker on it
    assert services.build(report.pk) is False  # the second delivery finds nothing to claim
    assert TermReport.objects.get(pk=report.pk).attempts == 0


def test_it_sends_governors_a_link_and_no_figures(known, people, django_capture_on_commit_callbacks):
    from django.core import mail

    report = services.request_report(school=known.school, term=known.summer)
    with django_capture_on_commit_callbacks(execute=True):
        services.build(report.pk)
    assert set(OutboundEmail.objects.filter(kind="governor_report").values_list("to", flat=True)) == {
        people.governor.email, people.chair.email}
    for email in mail.outbox:
        assert "/governors/reports/" in email.body
        assert "incident" not in email.body.lower() and "5" not in email.body


def test_it_builds_reports_only_for_terms_that_have_ended(known, oakfield):
    from tests.factories import TermFactory

    future = TermFactory(school=oakfield, name="Autumn 2099", starts_on=datetime.date(2099, 9, 1),
                         ends_on=datetime.date(2099, 12, 18))
    with pytest.raises(RuleBroken):
        services.request_report(school=oakfield, term=future)
    assert not TermReport.objects.exists()


def test_it_builds_each_report_on_schedule_the_day_after_term_ends(known, riverside):
    morning_after = datetime.datetime(2026, 7, 23, 5, 30, tzinfo=LONDON)
    with mock.patch("governors.tasks.build_report.apply_async"):
        assert services.generate_due_reports(now=morning_after) == 1
        assert services.generate_due_reports(now=morning_after) == 0  # the task run twice
        assert services.generate_due_reports(now=morning_after + datetime.timedelta(days=1)) == 0
        assert services.generate_due_reports(now=morning_after - datetime.timedelta(days=1)) == 0
        assert services.generate_due_reports(now=morning_after + datetime.timedelta(days=3)) == 0  # caught up
    report = TermReport.objects.get()
    assert (report.term, report.requested_by) == (known.summer, None)


def test_it_sends_a_report_left_queued_to_a_worker_again(known):
    with mock.patch("governors.tasks.build_report.apply_async") as enqueue:
        report = services.request_report(school=known.school, term=known.summer)
        assert services.look_after_reports() == 0  # just asked for: its own message is on its way
        TermReport.objects.filter(pk=report.pk).update(
            queued_at=report.queued_at - services.REQUEUE_AFTER - datetime.timedelta(seconds=1))
        assert services.look_after_reports() == 1
    assert enqueue.call_args_list[-1].kwargs["args"] == (report.pk,)


def test_it_holds_the_daily_run_in_the_beat_schedule(db):
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from onlinesafety import celery_app

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, app=celery_app, **entry)
    task = PeriodicTask.objects.get(task="onlinesafety.governors.tasks.generate_due_reports")
    assert (task.crontab.hour, task.crontab.minute) == ("5", "30")
    looking_after = PeriodicTask.objects.get(task="onlinesafety.governors.tasks.look_after_reports")
    assert (looking_after.interval.every, looking_after.interval.period) == (300, "seconds")


def test_it_polls_the_progress_fragment_until_ready(client, known, people):
    report = services.request_report(school=known.school, term=known.summer)
    client.force_login(people.head)
    TermReport.objects.filter(pk=report.pk).update(status="building", progress=55, step="Counting agreements")
    waiting = client.get(reverse("governors:progress", args=[report.pk])).content.decode()
    assert "hx-get" in waiting and "Counting agreements" in waiting and 'aria-valuenow="55"' in waiting
    TermReport.objects.filter(pk=report.pk).update(status="queued")
    services.build(report.pk)
    ready = client.get(reverse("governors:progress", args=[report.pk])).content.decode()
    assert "hx-get" not in ready and "Download PDF" in ready


def test_it_compares_with_last_term_as_it_was_reported(known):
    spring = services.request_report(school=known.school, term=known.spring)
    services.build(spring.pk)
    known.bob.year_group = 7  # moved up to secondary since
    known.bob.save()
    from governors import figures

    data = figures.collect(known.school, known.summer)
    assert data.previous_as_reported and data.previous.incidents["by_key_stage"] == {"KS2": 2}
    live = figures.figures_for_term(known.school, known.spring)
    assert live.incidents["by_key_stage"] == {"KS2": 1, "KS3": 1}
    assert [month.month for month, _ in data.previous.incidents["by_month"]] == [2, 3]


def test_it_keeps_a_report_queued_when_the_broker_is_down_and_builds_it_later(known, broker_down,
                                                                             django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(school=known.school, term=known.summer)
    assert time.monotonic() - started < 1  # the request is never held by the broker
    TermReport.objects.filter(pk=report.pk).update(queued_at=report.queued_at - datetime.timedelta(hours=2))
    assert services.look_after_reports() == 0  # its re-send, still with no broker, fails quietly too
    report.refresh_from_db()
    assert report.status == "queued"


def test_it_builds_a_report_sent_again_after_an_outage(known):
    with mock.patch("governors.tasks.build_report.apply_async", side_effect=ConnectionError("broker down")):
        report = services.request_report(school=known.school, term=known.summer)
    TermReport.objects.filter(pk=report.pk).update(queued_at=report.queued_at - datetime.timedelta(minutes=3))
    services.look_after_reports()  # the broker is back: tasks run inline in tests
    report.refresh_from_db()
    assert report.status == "ready" and report.file.name
