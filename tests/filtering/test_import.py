import datetime
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filtering import imports, services, tasks
from filtering.models import BlockedEvent, ProviderImport
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed

pytestmark = pytest.mark.django_db

MAPPING = {"time": "Timestamp", "user": "Username", "user_group": "Group", "url": "URL", "category": "Category",
           "action": "Action"}


def csv_file(lines, encoding="utf-8", bom=False, name="export.csv"):
    text = "\r\n".join(lines) + "\r\n"
    data = text.encode(encoding)
    if bom:
        data = "\ufeff".encode() + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


HEADER = "Timestamp,Username,Group,URL,Category,Action"


def recent(days_ago=2, hour=10):
    return (timezone.localtime() - datetime.timedelta(days=days_ago)).replace(hour=hour).strftime("%Y-%m-%d %H:%M:%S")


def do_import(school, people, upload):
    with_file = services.start_import(school=school, actor=people.technician, upload=upload)
    services.choose_columns(provider_import=with_file, actor=people.technician, mapping=MAPPING)
    with_file.refresh_from_db()
    return imports.run_import(with_file)


def test_it_keeps_good_rows_and_reports_bad_ones_by_line(oakfield, people):
    upload = csv_file([HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked",
                       "yesterday-ish,amy.b,Year 5,https://a.example/,Gaming,Blocked",
                       f"{recent()},,Year 5,https://a.example/,Gaming,Blocked",
                       f"{recent()},ben.c,Year 6",
                       f"{recent(1)},ben.c,Year 6,https://b.example/,Social,Blocked"])
    result = do_import(oakfield, people, upload)
    assert (result.rows_read, result.rows_added, result.rows_bad) == (5, 2, 3)
    assert [line for line, _ in result.bad_lines] == [3, 4, 5]
    assert "time" in result.bad_lines[0][1]


def test_it_adds_nothing_when_the_same_rows_are_imported_twice(oakfield, people):
    lines = [HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked",
             f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked"]  # the same event twice in one file
    first = do_import(oakfield, people, csv_file(lines))
    second = do_import(oakfield, people, csv_file(lines))
    assert (first.rows_added, first.rows_duplicate) == (1, 1)
    assert (second.rows_added, second.rows_duplicate) == (0, 2)
    assert BlockedEvent.objects.count() == 1


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("latin-1", False)])
def test_it_reads_utf8_with_a_bom_and_latin1(oakfield, people, encoding, bom):
    upload = csv_file([HEADER, f"{recent()},zoë.ñ,Année 5,https://a.example/,Jeux,Bloqué"], encoding, bom)
    result = do_import(oakfield, people, upload)
    assert result.rows_added == 1
    event = BlockedEvent.objects.get()
    assert (event.user_ref, event.action) == ("zoë.ñ", "Bloqué")
    assert result.header[0] == "Timestamp"  # no byte-order mark left in the first column name


def test_it_refuses_a_file_that_is_not_csv_or_has_no_header(client, people):
    client.force_login(people.technician)
    binary = SimpleUploadedFile("x.csv", b"\x00\x01\x02PK", content_type="text/csv")
    assert "not a CSV file" in client.post(reverse("filtering:imports"), {"file": binary}).content.decode()
    empty = SimpleUploadedFile("x.csv", b"\r\n\r\n", content_type="text/csv")
    assert "no header row" in client.post(reverse("filtering:imports"), {"file": empty}).content.decode()
    assert ProviderImport.objects.count() == 0


def test_it_needs_the_required_columns_at_the_mapping_step(client, oakfield, people,
                                                           django_capture_on_commit_callbacks):
    client.force_login(people.technician)
    client.post(reverse("filtering:imports"), {"file": csv_file([HEADER, f"{recent()},a,b,https://x.example/,c,d"])})
    provider_import = ProviderImport.objects.get()
    page = client.get(reverse("filtering:import", args=[provider_import.pk])).content.decode()
    assert "Which column holds what?" in page and 'value="Timestamp" selected' in page
    response = client.post(reverse("filtering:import", args=[provider_import.pk]),
                           {"time": "", "user": "Username", "url": "URL", "category": "Category"})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task runs inline in the tests
        client.post(reverse("filtering:import", args=[provider_import.pk]), MAPPING)
    assert "1 added" in client.get(reverse("filtering:import", args=[provider_import.pk])).content.decode()
    assert client.post(reverse("filtering:import", args=[provider_import.pk]), MAPPING).status_code == 400


def test_it_summarises_and_flags_repeated_serious_attempts_and_opens_a_case(client, oakfield, people):
    from incidents.models import Incident

    lines = [HEADER] + [f"{recent(2, hour)},leo.n,Year 6,https://sh.example/{hour},Self-Harm,Blocked"
                        for hour in (9, 10, 11)] + [f"{recent()},amy.b,Year 5,https://g.example/,Gaming,Blocked"]
    do_import(oakfield, people, csv_file(lines))
    client.force_login(people.dsl)
    page = client.get(reverse("filtering:imports"))
    summary = page.context["summary"]
    assert summary["total"] == 4
    assert {row["category"]: row["n"] for row in summary["by_category"]} == {"Self-Harm": 3, "Gaming": 1}
    flag = summary["flags"][0]
    assert (flag["user_ref"], flag["n"]) == ("leo.n", 3)
    response = client.post(reverse("filtering:flag_to_incident"), {
        "user_ref": "leo.n", "category": "Self-Harm", "week": flag["week"].date().isoformat()})
    incident = Incident.objects.get()
    assert response.url == reverse("incidents:case", args=[incident.pk])
    assert "leo.n" in incident.description and incident.reported_by == people.dsl
    client.force_login(people.technician)  # the technician sees the flags but opens no cases
    assert client.post(reverse("filtering:flag_to_incident"), {"user_ref": "leo.n"}).status_code == 403


def test_it_counts_an_oversized_field_as_one_bad_row_and_imports_the_rest(oakfield, people):
    lines = [HEADER, f"{recent()},a,b,https://x.example/{'y' * 200_000},c,d",
             f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked",
             f"{recent(1)},ben.c,Year 6,https://b.example/,Social,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.rows_added, result.rows_bad, result.bad_lines[0][0]) == (2, 1, 2)


def test_it_treats_nul_bytes_past_the_first_check_as_bad_rows_not_a_crash(oakfield, people):
    padding = [f"{recent()},user{n},Year 5,https://a.example/{n},Gaming,Blocked" for n in range(1500)]
    lines = [HEADER, *padding, f"{recent()},amy.b,G\x00,https://a.example/,Gaming,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.state, result.rows_added, result.rows_bad) == ("done", 1500, 1)


def test_it_counts_lines_inside_quoted_fields_in_line_numbers(oakfield, people):
    lines = [HEADER, f'{recent()},amy.b,Year 5,https://a.example/,"c\r\nc2\r\nc3",Blocked', "bad,v,g,http://y/,c,d"]
    result = do_import(oakfield, people, csv_file(lines))
    assert result.bad_lines == [[5, result.bad_lines[0][1]]]


def test_it_marks_an_import_failed_when_it_crashes_midway(oakfield, people):
    from unittest import mock

    with mock.patch("filtering.imports._save", side_effect=RuntimeError("database went away")):
        with pytest.raises(RuntimeError):
            do_import(oakfield, people, csv_file([HEADER, f"{recent()},a,b,https://x.example/,c,d"]))
    assert ProviderImport.objects.get().state == "failed"


def test_it_takes_the_same_moment_written_two_ways_as_one_event(oakfield, people):
    lines = [HEADER, "2026-06-01 14:05:00,amy.b,Year 5,https://a.example/,Gaming,Blocked",
             "2026-06-01T13:05:00.000Z,amy.b,Year 5,https://a.example/,Gaming,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.rows_added, result.rows_duplicate) == (1, 1)


def test_it_still_opens_a_case_from_a_flag_when_the_category_was_retired(client, oakfield, people):
    from incidents.models import Incident, IncidentCategory

    IncidentCategory.objects.filter(school=oakfield, code="deliberate_access").update(is_active=False)
    lines = [HEADER] + [f"{recent(2, hour)},kai.m,Year 6,https://p.example/{hour},Pornography,Blocked"
                        for hour in (9, 10, 11)]
    do_import(oakfield, people, csv_file(lines))
    client.force_login(people.dsl)
    flag = client.get(reverse("filtering:imports")).context["summary"]["flags"][0]
    client.post(reverse("filtering:flag_to_incident"), {"user_ref": "kai.m", "category": "Pornography",
                                                        "week": flag["week"].date().isoformat()})
    assert Incident.objects.get().category.code == "other"


# ---------------------------------------------------------------- the worker, and the broker being down

ONE_ROW = [HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked"]


def test_it_waits_for_a_worker_when_the_broker_is_down_and_the_periodic_task_sends_it_again(
        client, people, broker_down, django_capture_on_commit_callbacks):
    from onlinesafety import celery_app

    client.force_login(people.technician)
    client.post(reverse("filtering:imports"), {"file": csv_file(ONE_ROW)})
    provider_import = ProviderImport.objects.get()
    url = reverse("filtering:import", args=[provider_import.pk])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, MAPPING)
    assert time.monotonic() - started < 1  # the request is never held by the broker
    assert (response.status_code, response.url) == (302, url)
    provider_import.refresh_from_db()
    assert provider_import.state == ProviderImport.State.QUEUED
    for page in (client.get(url), client.get(url, headers={"HX-Request": "true"})):  # the page and its fragment
        text = page.content.decode()
        assert "Waiting for a worker" in text and 'hx-trigger="every 2s"' in text
    assert tasks.requeue_waiting_imports() == 0  # queued just now: not yet sent again
    assert BlockedEvent.objects.count() == 0

    celery_app.conf.task_always_eager = True  # the broker is back (tasks run inline in the tests)
    ProviderImport.objects.filter(pk=provider_import.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=2))
    assert tasks.requeue_waiting_imports() == 1
    provider_import.refresh_from_db()
    assert (provider_import.state, provider_import.rows_added) == (ProviderImport.State.DONE, 1)
    assert tasks.requeue_waiting_imports() == 0
    assert BlockedEvent.objects.count() == 1
    assert "1 added" in client.get(url).content.decode()


def test_it_imports_once_however_often_the_task_is_delivered(oakfield, people):
    upload = services.start_import(school=oakfield, actor=people.technician, upload=csv_file(ONE_ROW))
    services.choose_columns(provider_import=upload, actor=people.technician, mapping=MAPPING)
    assert tasks.import_provider_log(upload.pk) == 1
    assert tasks.import_provider_log(upload.pk) == 0
    upload.refresh_from_db()
    assert (upload.state, upload.rows_added, BlockedEvent.objects.count()) == (ProviderImport.State.DONE, 1, 1)


def test_it_takes_an_import_on_again_when_its_worker_died_part_way(oakfield, people):
    """A worker killed mid-import (out of memory, a restart) leaves it running with no sign of life: after a
    quarter of an hour the periodic task sends it again and the next worker finishes it; one that stalls three
    times is marked failed rather than left "importing" for ever."""
    upload = services.start_import(school=oakfield, actor=people.technician, upload=csv_file(ONE_ROW))
    services.choose_columns(provider_import=upload, actor=people.technician, mapping=MAPPING)
    with mock.patch("filtering.imports.run_import", side_effect=SystemExit("the worker was killed")), \
            pytest.raises(SystemExit):
        tasks.import_provider_log(upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == (ProviderImport.State.RUNNING, 1)
    assert tasks.import_provider_log(upload.pk) == 0  # redelivered at once: the other worker may still be busy
    assert tasks.requeue_waiting_imports() == 0
    ProviderImport.objects.filter(pk=upload.pk).update(progress_at=timezone.now() - datetime.timedelta(minutes=16))
    assert tasks.requeue_waiting_imports() == 1
    upload.refresh_from_db()
    assert (upload.state, upload.rows_added, upload.attempts) == (ProviderImport.State.DONE, 1, 2)

    again = services.start_import(school=oakfield, actor=people.technician, upload=csv_file(ONE_ROW))
    services.choose_columns(provider_import=again, actor=people.technician, mapping=MAPPING)
    ProviderImport.objects.filter(pk=again.pk).update(state=ProviderImport.State.RUNNING, attempts=3,
                                                      progress_at=timezone.now() - datetime.timedelta(hours=1))
    assert tasks.requeue_waiting_imports() == 0
    again.refresh_from_db()
    assert again.state == ProviderImport.State.FAILED


def test_it_lets_only_the_provider_log_readers_import(oakfield, people):
    with pytest.raises(NotAllowed):
        services.start_import(school=oakfield, actor=people.head, upload=csv_file(ONE_ROW))
    assert ProviderImport.objects.count() == 0


def test_it_refuses_a_csv_the_uploads_folder_cannot_store_and_keeps_nothing(client, people, settings, monkeypatch):
    from tests.failing_storage import fail_storage, files_under

    tried = fail_storage(monkeypatch)
    client.force_login(people.technician)
    response = client.post(reverse("filtering:imports"),
                           {"file": csv_file([HEADER, f"{recent()},a,b,https://x.example/,c,d"])})
    assert response.status_code == 400 and len(tried) == 1
    assert "The file was not stored" in response.content.decode()
    assert ProviderImport.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []  # not even the part of it the storage wrote
    assert not AuditEvent.objects.filter(verb="filtering.provider_log_uploaded").exists()
