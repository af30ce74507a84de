import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from filtering import imports, services
from filtering.models import BlockedEvent, ProviderImport

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


def test_importing_the_same_rows_twice_adds_nothing(oakfield, people):
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


def test_the_mapping_step_needs_the_required_columns(client, oakfield, people, django_capture_on_commit_callbacks):
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


def test_an_oversized_field_is_one_bad_row_and_the_rest_still_import(oakfield, people):
    lines = [HEADER, f"{recent()},a,b,https://x.example/{'y' * 200_000},c,d",
             f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked",
             f"{recent(1)},ben.c,Year 6,https://b.example/,Social,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.rows_added, result.rows_bad, result.bad_lines[0][0]) == (2, 1, 2)


def test_nul_bytes_past_the_first_check_are_bad_rows_not_a_crash(oakfield, people):
    padding = [f"{recent()},user{n},Year 5,https://a.example/{n},Gaming,Blocked" for n in range(1500)]
    lines = [HEADER, *padding, f"{recent()},amy.b,G\x00,https://a.example/,Gaming,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.state, result.rows_added, result.rows_bad) == ("done", 1500, 1)


def test_line_numbers_count_lines_inside_quoted_fields(oakfield, people):
    lines = [HEADER, f'{recent()},amy.b,Year 5,https://a.example/,"c\r\nc2\r\nc3",Blocked', "bad,v,g,http://y/,c,d"]
    result = do_import(oakfield, people, csv_file(lines))
    assert result.bad_lines == [[5, result.bad_lines[0][1]]]


def test_a_crash_mid_import_marks_it_failed(oakfield, people):
    from unittest import mock

    with mock.patch("filtering.imports._save", side_effect=RuntimeError("database went away")):
        with pytest.raises(RuntimeError):
            do_import(oakfield, people, csv_file([HEADER, f"{recent()},a,b,https://x.example/,c,d"]))
    assert ProviderImport.objects.get().state == "failed"


def test_the_same_moment_written_two_ways_is_one_event(oakfield, people):
    lines = [HEADER, "2026-06-01 14:05:00,amy.b,Year 5,https://a.example/,Gaming,Blocked",
             "2026-06-01T13:05:00.000Z,amy.b,Year 5,https://a.example/,Gaming,Blocked"]
    result = do_import(oakfield, people, csv_file(lines))
    assert (result.rows_added, result.rows_duplicate) == (1, 1)


def test_a_flag_still_opens_a_case_when_the_category_was_retired(client, oakfield, people):
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
