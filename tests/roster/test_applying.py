"""Applying an import: one transaction, a job that cannot stick, confirming twice applies once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster import services, sync
from onlinesafety.roster.models import RosterImport, Status
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import Pupil, SchoolClass
from tests.roster.helpers import apply, dry_run, pupils_csv, run

pytestmark = pytest.mark.django_db


def test_it_leaves_the_database_as_it_was_when_row_9000_of_10000_fails(oakfield, head, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    run(oakfield, head, "pupils", pupils_csv(50, klass="Elm"))
    before = (Pupil.objects.count(), SchoolClass.objects.count(), sorted(Pupil.objects.values_list("pk", "last_name")))
    changed = pupils_csv(10_000, klass="Cedar", surname="Changed")  # 50 changes, 9,950 new pupils, a new class
    roster_import = dry_run(oakfield, head, "pupils", changed, full=True)
    assert (roster_import.summary["add"], roster_import.summary["change"]) == (9_950, 50)
    made = 0
    real = sync.PupilSync._pupil_instance

    def failing(self, row):
        nonlocal made
        made += 1
        if made == 9_000:
            raise RuntimeError("the disk is full")
        return real(self, row)

    monkeypatch.setattr(sync.PupilSync, "_pupil_instance", failing)
    failed = apply(roster_import, head)
    assert made == 9_000  # 8,000 were already written in the transaction when it failed
    assert failed.status == Status.FAILED
    assert "nothing was changed" in failed.failure and "RuntimeError" in failed.failure
    assert "disk" not in failed.failure  # the error's own words (which may quote data) are never kept
    assert (Pupil.objects.count(), SchoolClass.objects.count(),
            sorted(Pupil.objects.values_list("pk", "last_name"))) == before
    assert failed.staged is not None  # kept, to try again
    assert AuditEvent.objects.filter(verb="roster.failed").count() == 1
    assert not AuditEvent.objects.filter(verb="roster.applied", object_id=str(roster_import.pk)).exists()

    monkeypatch.setattr(sync.PupilSync, "_pupil_instance", real)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly in tests
        services.retry_import(roster_import=failed, actor=head)
    failed.refresh_from_db()
    assert failed.status == Status.APPLIED
    assert Pupil.objects.filter(school=oakfield).count() == 10_000
    assert Pupil.objects.filter(last_name="Changed").count() == 10_000


def test_it_shows_failed_try_again_with_a_button(client, oakfield, head, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(3))
    monkeypatch.setattr(sync.PupilSync, "_pupil_instance", lambda self, row: 1 / 0)
    apply(roster_import, head)
    client.force_login(head)
    page = client.get(reverse("roster:import", args=[oakfield.slug, roster_import.pk])).content.decode()
    assert "failed: try again" in page
    assert reverse("roster:retry", args=[oakfield.slug, roster_import.pk]) in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:retry", args=[oakfield.slug, roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED and Pupil.objects.count() == 3


def test_it_applies_once_when_confirmed_twice(client, oakfield, head, django_capture_on_commit_callbacks):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(4))
    client.force_login(head)
    url = reverse("roster:confirm", args=[oakfield.slug, roster_import.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED
    assert Pupil.objects.count() == 4
    assert AuditEvent.objects.filter(verb="roster.confirmed").count() == 1
    assert AuditEvent.objects.filter(verb="roster.applied").count() == 1
    assert services.run_queued_apply(roster_import.pk) is None  # a duplicate delivery claims nothing


def test_it_waits_queued_when_the_broker_is_down_and_is_sent_again(oakfield, head, broker_down):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    services.confirm_import(roster_import=roster_import, actor=head)
    roster_import.refresh_from_db()
    assert roster_import.status == Status.QUEUED and Pupil.objects.count() == 0
    later = timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1)
    assert services.look_after_imports(now=later)["requeued"] == 0  # still down: it keeps waiting
    roster_import.refresh_from_db()
    assert roster_import.status == Status.QUEUED


def test_it_hands_a_waiting_import_to_a_worker_again(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    services.confirm_import(roster_import=roster_import, actor=head)  # its publish after commit never happens here
    assert services.look_after_imports()["requeued"] == 0  # not two minutes yet
    later = timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1)
    assert services.look_after_imports(now=later)["requeued"] == 1
    roster_import.refresh_from_db()
    assert roster_import.status == Status.APPLIED and Pupil.objects.count() == 2


def test_it_marks_failed_an_import_left_applying_with_no_progress(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.APPLYING, started_at=timezone.now(),
                                                            last_progress_at=timezone.now())
    assert services.look_after_imports()["failed"] == 0
    later = timezone.now() + services.STUCK_AFTER + datetime.timedelta(seconds=1)
    assert services.look_after_imports(now=later)["failed"] == 1
    roster_import.refresh_from_db()
    assert roster_import.status == Status.FAILED and "nothing was changed" in roster_import.failure


def test_it_rolls_back_an_apply_whose_import_was_marked_failed_meanwhile(oakfield, head, monkeypatch):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    real = sync.PupilSync.apply

    def slow(self, progress):
        counts = real(self, progress)
        RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.FAILED)  # the stuck-check fired
        return counts

    monkeypatch.setattr(sync.PupilSync, "apply", slow)
    apply(roster_import, head)
    assert Pupil.objects.count() == 0


def test_it_expires_a_dry_run_after_a_day_and_clears_its_rows(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    tomorrow = timezone.now() + services.PREVIEW_LIFETIME + datetime.timedelta(seconds=1)
    assert services.look_after_imports(now=timezone.now())["expired"] == 0
    assert services.look_after_imports(now=tomorrow)["expired"] == 1
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.staged, roster_import.details) == (Status.EXPIRED, None, {})
    with pytest.raises(RuleBroken, match="expired"):
        services.confirm_import(roster_import=roster_import, actor=head)
    assert Pupil.objects.count() == 0


def test_it_refuses_to_confirm_a_dry_run_older_than_a_day(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    RosterImport.objects.filter(pk=roster_import.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(RuleBroken, match="more than a day old"):
        services.confirm_import(roster_import=roster_import, actor=head)


def test_it_discards_a_dry_run_and_changes_nothing(client, oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    client.force_login(head)
    client.post(reverse("roster:discard", args=[oakfield.slug, roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == Status.DISCARDED and roster_import.staged is None
    client.post(reverse("roster:confirm", args=[oakfield.slug, roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == Status.DISCARDED and Pupil.objects.count() == 0


def test_it_polls_while_the_job_runs(client, oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(2))
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.APPLYING, progress=1, total=2)
    client.force_login(head)
    url = reverse("roster:import", args=[oakfield.slug, roster_import.pk])
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in part and "50%" in part and "<html" not in part
    RosterImport.objects.filter(pk=roster_import.pk).update(status=Status.APPLIED)
    assert 'hx-trigger' not in client.get(url, headers={"HX-Request": "true"}).content.decode()
