"""Importing monitoring alerts from a CSV: the column mapping, bad rows by line, duplicates, a dropped file, and
10,000 alerts in one import."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from monitoring import services
from monitoring.models import AlertStatus, Arrival, MonitoringAlert, MonitoringImport, Risk
from onlinesafety.audit.models import AuditEvent
from onlinesafety.csvimport import ImportRefused
from onlinesafety.rules import NotAllowed

from .conftest import HEADER, MAPPING, csv_file, do_import, recent

pytestmark = pytest.mark.django_db


def test_it_imports_the_columns_the_person_chose_and_reports_bad_rows_by_line(oakfield, people, amy):
    result = do_import(oakfield, people.dsl, csv_file([
        HEADER,
        f"{recent()},P-1,amy.b,LAPTOP-3,MIS001,Bullying,High,you are not welcome,shot-1.png",
        f"{recent()},P-2,guest,LAPTOP-9,,Gaming,2,meet me later,",
        "soon,P-3,amy.b,LAPTOP-3,MIS001,Bullying,High,x,",
        f"{recent()},P-4,amy.b,LAPTOP-3,MIS001,Bullying,extreme,x,",
        f"{recent()},P-5,amy.b",
    ]))
    assert result.state == MonitoringImport.State.DONE
    assert (result.rows_read, result.rows_added, result.rows_bad) == (5, 2, 3)
    assert [line for line, _ in result.bad_lines] == [4, 5, 6]
    assert "time" in result.bad_lines[0][1] and "risk level" in result.bad_lines[1][1]
    first = MonitoringAlert.objects.get(provider_reference="P-1")
    assert (first.risk, first.category, first.captured_text, first.pupil) == (Risk.HIGH, "Bullying",
                                                                             "you are not welcome", amy)
    assert first.status == AlertStatus.NEW and first.arrival == Arrival.UPLOAD
    assert MonitoringAlert.objects.get(provider_reference="P-2").risk == Risk.LOW
    assert AuditEvent.objects.filter(verb="monitoring.import_done", school=oakfield).exists()


def test_it_adds_nothing_when_the_same_alerts_come_twice(oakfield, people):
    lines = [HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,", f"{recent()},P-1,amy.b,L,,Bullying,low,x,"]
    first = do_import(oakfield, people.dsl, csv_file(lines))
    second = do_import(oakfield, people.dsl, csv_file(lines))
    assert (first.rows_added, first.rows_duplicate) == (1, 1)
    assert (second.rows_added, second.rows_duplicate) == (0, 2)
    assert MonitoringAlert.objects.filter(school=oakfield).count() == 1


def test_it_knows_an_alert_sent_again_without_a_provider_reference(oakfield, people):
    mapping = {**MAPPING, "provider_reference": ""}
    lines = [HEADER, f"{recent()},,amy.b,L,,Bullying,low,x,"]
    do_import(oakfield, people.dsl, csv_file(lines), mapping)
    again = do_import(oakfield, people.dsl, csv_file(lines), mapping)
    assert (again.rows_added, again.rows_duplicate) == (0, 1)


def test_it_refuses_a_mapping_without_a_required_column(oakfield, people):
    started = services.start_import(school=oakfield, actor=people.dsl, upload=csv_file([HEADER]))
    with pytest.raises(ImportRefused, match="risk"):
        services.choose_columns(alert_import=started, actor=people.dsl, mapping={**MAPPING, "risk": ""})
    with pytest.raises(ImportRefused, match="no column"):
        services.choose_columns(alert_import=started, actor=people.dsl, mapping={**MAPPING, "risk": "Nope"})
    started.refresh_from_db()
    assert started.state == MonitoringImport.State.UPLOADED


def test_it_refuses_a_file_that_is_not_a_csv(oakfield, people):
    with pytest.raises(ImportRefused, match="not a CSV"):
        services.start_import(school=oakfield, actor=people.dsl, upload=csv_file(["\x00\x01PNG"]))
    assert not MonitoringImport.objects.exists()


def test_it_lets_only_the_dsl_team_import(oakfield, people):
    for someone in (people.technician, people.head, people.reporter):
        with pytest.raises(NotAllowed):
            services.start_import(school=oakfield, actor=someone, upload=csv_file([HEADER]))


def test_it_guesses_the_columns_and_queues_the_import_from_the_pages(client, oakfield, people,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(people.dsl)
    upload = csv_file(["Time,Provider reference,User,Category,Risk level", f"{recent()},R-9,amy.b,Bullying,high"])
    response = client.post(reverse("monitoring:imports"), {"file": upload})
    started = MonitoringImport.objects.get()
    assert response["Location"] == reverse("monitoring:import", args=[started.pk])
    page = client.get(response["Location"])
    form = page.context["form"]
    assert {name: form[name].initial for name in ("time", "provider_reference", "user", "category", "risk")} == {
        "time": "Time", "provider_reference": "Provider reference", "user": "User", "category": "Category",
        "risk": "Risk level"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"time": "Time", "provider_reference": "Provider reference",
                                           "user": "User", "category": "Category", "risk": "Risk level"})
    started.refresh_from_db()
    assert (started.state, started.rows_added) == (MonitoringImport.State.DONE, 1)
    assert "1 alerts added" in client.get(response["Location"]).content.decode()


def test_it_shows_the_mapping_error_against_the_field(client, oakfield, people):
    client.force_login(people.dsl)
    started = services.start_import(school=oakfield, actor=people.dsl, upload=csv_file([HEADER]))
    response = client.post(reverse("monitoring:import", args=[started.pk]), {**MAPPING, "risk": ""})
    assert response.status_code == 400
    assert "Choose the column that holds the risk level." in response.content.decode()


def test_it_imports_a_dropped_file_with_the_command(oakfield, people, tmp_path, amy):
    path = tmp_path / "drop.csv"
    path.write_text("Time,Provider reference,Pupil identifier,Category,Risk level,Captured text\n"
                    f"{recent()},D-1,MIS001,Self-harm,5,searched for help\n{recent()},D-2,,Gaming,1,\n")
    call_command("import_monitoring_alerts", "--school", oakfield.slug, str(path))
    dropped = MonitoringImport.objects.get()
    assert (dropped.arrival, dropped.rows_added, dropped.uploaded_by) == (Arrival.FILE, 1, None)
    assert dropped.rows_bad == 1  # the second names no user, device or pupil
    assert MonitoringAlert.objects.get().pupil == amy
    call_command("import_monitoring_alerts", "--school", oakfield.slug, str(path))
    assert MonitoringAlert.objects.count() == 1


def test_it_takes_the_columns_given_to_the_command(oakfield, tmp_path):
    path = tmp_path / "drop.csv"
    path.write_text(f"When,Ref,Who,What,Level\n{recent()},X-1,amy.b,Bullying,medium\n")
    call_command("import_monitoring_alerts", "--school", oakfield.slug, "--column", "time=When",
                 "--column", "provider_reference=Ref", "--column", "user=Who", "--column", "category=What",
                 "--column", "risk=Level", str(path))
    assert MonitoringAlert.objects.get().provider_reference == "X-1"


def test_it_says_what_is_wrong_with_the_command(oakfield, tmp_path):
    path = tmp_path / "drop.csv"
    path.write_text(f"When,Who\n{recent()},amy.b\n")
    with pytest.raises(CommandError, match="no school"):
        call_command("import_monitoring_alerts", "--school", "nowhere", str(path))
    with pytest.raises(CommandError, match="Choose the column"):
        call_command("import_monitoring_alerts", "--school", oakfield.slug, str(path))
    with pytest.raises(CommandError, match="no file"):
        call_command("import_monitoring_alerts", "--school", oakfield.slug, str(tmp_path / "missing.csv"))


def test_it_imports_ten_thousand_alerts_in_one_import(oakfield, people, amy):
    rows = [f"{recent()},BULK-{n},user{n % 300},L-{n % 40},{'MIS001' if n % 100 == 0 else ''},Bullying,"
            f"{('low', 'medium', 'high')[n % 3]},typed something {n}," for n in range(10_000)]
    result = do_import(oakfield, people.dsl, csv_file([HEADER, *rows]))
    assert (result.rows_read, result.rows_added, result.rows_bad) == (10_000, 10_000, 0)
    assert MonitoringAlert.objects.filter(school=oakfield, pupil=amy).count() == 100
    again = do_import(oakfield, people.dsl, csv_file([HEADER, *rows]))
    assert (again.rows_added, again.rows_duplicate) == (0, 10_000)


def test_it_notes_a_csv_row_with_an_edge_time_as_bad_and_imports_the_rest(oakfield, people):
    """Guards the CSV path against a time that overflows on its way to UTC (``OverflowError``), or is in the
    future: each row is noted as a bad line with its reason, the import done, the other rows added."""
    done = do_import(oakfield, people.dsl, csv_file([
        HEADER, "0001-01-01T00:10:00+05:00,R-1,amy.b,LAPTOP-3,MIS001,Bullying,high,x,",
        f"{recent()},R-2,amy.b,LAPTOP-3,MIS001,Bullying,low,y,",
        f"{recent(hours_ago=-3)},R-3,amy.b,LAPTOP-3,MIS001,Bullying,low,z,"]))
    assert (done.state, done.rows_added, done.rows_bad) == ("done", 1, 2)
    assert [line for line, _ in done.bad_lines] == [2, 4]
    assert "edge of the calendar" in done.bad_lines[0][1] and "in the future" in done.bad_lines[1][1]


def test_it_says_what_trying_a_failed_import_again_does(client, oakfield, people):
    """Guards the failed-import panel's text: "try again" reads the whole file again, in the background, and
    counts an alert already saved as already imported rather than adding it twice."""
    started = services.start_import(school=oakfield, actor=people.dsl,
                                    upload=csv_file([HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,"]))
    MonitoringImport.objects.filter(pk=started.pk).update(state=MonitoringImport.State.FAILED, mapping=MAPPING,
                                                          failure="OSError")
    client.force_login(people.dsl)
    page = client.get(reverse("monitoring:import", args=[started.pk])).content.decode()
    assert "reads the file again from its first row" in page
    assert "counted as already imported, not added twice" in page
    assert "adds only the rest" not in page


def test_it_keeps_a_failed_imports_file_for_trying_again(oakfield, people, django_capture_on_commit_callbacks):
    """Guards the other half of deleting the stored file: a failed import keeps it, so "try again" can read it."""
    started = services.start_import(school=oakfield, actor=people.dsl,
                                    upload=csv_file([HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,"]))
    MonitoringImport.objects.filter(pk=started.pk).update(state=MonitoringImport.State.FAILED, mapping=MAPPING)
    started.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_import(alert_import=started, actor=people.dsl)
    started.refresh_from_db()
    assert started.state == "done" and started.rows_added == 1 and not started.file
