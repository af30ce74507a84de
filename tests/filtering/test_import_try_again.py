"""A failed provider import says why on its page and can be tried again; tries that stall are bounded."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from filtering import imports, services
from filtering.models import BlockedEvent, ProviderImport
from onlinesafety.audit.models import AuditEvent

from .test_import import MAPPING, ONE_ROW, csv_file

pytestmark = pytest.mark.django_db


def a_failed_import(school, people):
    upload = services.start_import(school=school, actor=people.technician, upload=csv_file(ONE_ROW))
    services.choose_columns(provider_import=upload, actor=people.technician, mapping=MAPPING)
    with mock.patch("filtering.imports._read_all", side_effect=OSError("disk gone")), pytest.raises(OSError):
        services.run_queued_import(upload.pk)  # the worker's part
    upload.refresh_from_db()
    return upload


def test_it_marks_an_import_that_stops_part_way_failed_with_the_kind_of_error(oakfield, people):
    failed = a_failed_import(oakfield, people)
    assert (failed.state, failed.failure) == (ProviderImport.State.FAILED, "OSError")


def test_it_offers_to_try_a_failed_import_again_and_then_imports_it(client, oakfield, people,
                                                                    django_capture_on_commit_callbacks):
    failed = a_failed_import(oakfield, people)
    client.force_login(people.technician)
    page = client.get(reverse("filtering:import", args=[failed.pk])).content.decode()
    assert "Failed: try again." in page and reverse("filtering:import_retry", args=[failed.pk]) in page
    assert "hx-trigger" not in page  # nothing polls an import that will not move by itself
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("filtering:import_retry", args=[failed.pk]))
    assert response.url == reverse("filtering:import", args=[failed.pk])
    failed.refresh_from_db()
    assert (failed.state, failed.rows_added, failed.failure) == (ProviderImport.State.DONE, 1, "")
    assert BlockedEvent.objects.count() == 1
    assert AuditEvent.objects.filter(verb="filtering.provider_log_retried", actor=people.technician).count() == 1


def test_it_refuses_to_try_again_an_import_that_has_not_failed(client, oakfield, people):
    upload = services.start_import(school=oakfield, actor=people.technician, upload=csv_file(ONE_ROW))
    client.force_login(people.technician)
    response = client.post(reverse("filtering:import_retry", args=[upload.pk]), follow=True)
    assert "This import has not failed" in response.content.decode()
    upload.refresh_from_db()
    assert upload.state == ProviderImport.State.UPLOADED


def test_it_fails_an_import_whose_worker_keeps_dying_and_says_so(client, oakfield, people):
    upload = services.start_import(school=oakfield, actor=people.technician, upload=csv_file(ONE_ROW))
    ProviderImport.objects.filter(pk=upload.pk).update(
        state=ProviderImport.State.RUNNING, mapping=MAPPING, attempts=services.MAX_IMPORT_ATTEMPTS,
        progress_at=timezone.now() - services.STALLED_AFTER - datetime.timedelta(seconds=1))
    assert services.requeue_waiting_imports() == 0
    upload.refresh_from_db()
    assert (upload.state, upload.failure) == (ProviderImport.State.FAILED, imports.WORKER_STOPPED)
    client.force_login(people.technician)
    assert "stopped too many times" in client.get(reverse("filtering:import", args=[upload.pk])).content.decode()
