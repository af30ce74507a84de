"""Faults found in review of issue 19's work: reports that migration 0002 leaves where nothing looks after them."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from governors import services
from governors.models import TermReport

pytestmark = pytest.mark.django_db


def test_it_does_not_leave_building_forever_a_report_whose_worker_died_before_the_upgrade(known):
    """A report left building by a killed worker under the old code has no progress_at (0002 adds it empty): neither
    build() (_claimable) nor look_after_reports (progress_at__lt) ever matches NULL, and "try again" needs failed."""
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    TermReport.objects.filter(pk=report.pk).update(status="building", progress=75, attempts=1, progress_at=None,
                                                   requested_at=timezone.now() - datetime.timedelta(days=2))
    services.look_after_reports(now=timezone.now() + datetime.timedelta(days=1))
    report.refresh_from_db()
    assert report.status != "building"


def test_it_tries_again_a_report_that_failed_before_the_upgrade(known):
    """The old code failed a report without setting finished_at; look_after_reports' finished_at__lt never matches
    NULL, so a report that failed once before the upgrade is never tried again automatically (the old daily run
    would have), though operations.md says a failed governor report is tried again up to three times."""
    with mock.patch("governors.tasks.build_report.apply_async"):
        report = services.request_report(school=known.school, term=known.summer)
    TermReport.objects.filter(pk=report.pk).update(status="failed", step="Failed", attempts=1, finished_at=None,
                                                   requested_at=timezone.now() - datetime.timedelta(days=2))
    services.look_after_reports(now=timezone.now() + datetime.timedelta(days=1))
    report.refresh_from_db()
    assert report.status == "ready"
