"""Bad input: each gets a clear message and writes nothing; never a 500, never a half-applied import."""

import html
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster import services
from onlinesafety.roster.models import Kind, RosterImport
from onlinesafety.schools.models import Pupil
from onlinesafety.schools.roles import Role
from tests.roster.helpers import (
    CONTACTS_HEADER,
    PUPILS_HEADER,
    STAFF_HEADER,
    apply,
    contact,
    csv_bytes,
    dry_run,
    pupil,
    pupils_csv,
    run,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, oakfield, head):
    client.force_login(head)

    def post(data: bytes, kind="pupils", name="export.csv", **fields):
        form = {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "columns": "sims", **fields}
        response = client.post(reverse("roster:upload", args=[oakfield.slug, kind]), form)
        return response, html.unescape(response.content.decode())

    return post


def nothing_written():
    return RosterImport.objects.count() == 0 and Pupil.objects.count() == 0 and not AuditEvent.objects.filter(
        verb__startswith="roster.").exists()


REFUSED = [
    ("nul bytes", b"Adno,UPN\r\n1001,\x00\x00\x01\r\n", "it holds NUL bytes"),
    ("an Excel workbook", b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 200, "Excel workbook"),
    ("a PDF", b"%PDF-1.7\n" + b"x" * 200, "That is a PDF"),
    ("an empty file", b"   \r\n", "The file is empty"),
    ("no header row", b"1001,A000000000001,Smith,Ann,,,14/03/2016,Year 5,Maple,N,,\r\n",
     "looks like a pupil's or a person's details, not column names"),
    ("one column", b"Name\r\nAnn Smith\r\n", "only one column"),
    ("junk without line ends", b"q" * 70_000, "does not look like a CSV export"),
    ("two columns with one name", b"UPN,upn,DOB\r\n", "Two columns are both called"),
    ("a header and nothing under it", (PUPILS_HEADER + "\r\n").encode(), "no rows under it"),
]


@pytest.mark.parametrize(("what", "data", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_it_refuses_a_file_that_is_not_an_export_writing_nothing(post, what, data, message):
    response, page = post(data)
    assert response.status_code == 400
    assert message in page and "There is a problem" in page
    assert nothing_written()


def test_it_refuses_20_mb_of_junk_with_a_clear_message(post):
    response, page = post(os.urandom(1024) * 20 * 1024)
    assert response.status_code == 400 and "larger than 10 MB" in page
    assert nothing_written()


def test_it_refuses_a_file_of_another_schools_pupils(post, oakfield):
    header = PUPILS_HEADER + ",URN"
    data = csv_bytes(header, [pupil(1) + f",{oakfield.urn}", pupil(2) + ",123456"])
    response, page = post(data)
    assert response.status_code == 400
    assert "This file is from another school: its URN column says 123456 on line 3" in page
    assert nothing_written()


def test_it_checks_a_dfe_number_column_against_the_schools(oakfield, head):
    from onlinesafety.roster.models import RosterSettings
    from onlinesafety.roster.parsing import ImportRefused

    header = PUPILS_HEADER + ",DfE Number"
    unchecked = dry_run(oakfield, head, "pupils", csv_bytes(header, [pupil(1) + ",873/2345"]))
    assert any("not checked" in note for note in unchecked.details["notes"])
    RosterSettings.objects.create(school=oakfield, dfe_number="8732345")
    assert dry_run(oakfield, head, "pupils", csv_bytes(header, [pupil(1) + ",873/2345"])).summary["add"] == 1
    with pytest.raises(ImportRefused, match="DfE number column says 8739999"):
        dry_run(oakfield, head, "pupils", csv_bytes(header, [pupil(1) + ",873-9999"]))


def test_it_asks_for_the_columns_when_a_preset_does_not_fit(post):
    data = csv_bytes("Adno,UPN,Legal Surname,Legal Forename,Year", ["1001,A000000000001,Smith,Ann,Year 5"])
    response, page = post(data)
    assert response.status_code == 400
    assert "This is not the usual SIMS export of pupils: it has no column for the date of birth" in page
    assert "choose it again too" in page
    assert 'name="col_date_of_birth"' in page and 'name="header"' in page
    assert nothing_written()


def test_it_refuses_a_column_that_is_not_in_the_file(post):
    data = pupils_csv(2)
    fields = {"columns": "by_hand", "header": '["Adno","UPN","Legal Surname","Legal Forename","DOB","Year"]',
              "col_mis_id": "Adno", "col_first_name": "Legal Forename", "col_last_name": "Legal Surname",
              "col_date_of_birth": "Birthday", "col_year_group": "Year"}
    response, page = post(data, **fields)
    assert response.status_code == 400
    assert nothing_written()


def test_it_refuses_a_wrong_column_when_no_row_can_be_read(post):
    fields = {"columns": "by_hand", "header": '["Adno","UPN","Legal Surname","Legal Forename","DOB","Year","Reg"]',
              "col_mis_id": "Adno", "col_first_name": "Legal Forename", "col_last_name": "Legal Surname",
              "col_date_of_birth": "Reg", "col_year_group": "Year"}  # the class column chosen as the birthday
    response, page = post(pupils_csv(3), **fields)
    assert response.status_code == 400
    assert "None of the 3 rows could be read" in page and "line 2: the date of birth is not a date" in page
    assert nothing_written()


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"Click\")", "+44 20 7946 0000", "-2+3", "@SUM(A1)",
            "\tTabbed", "\rReturn"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_it_makes_a_formula_in_a_name_or_email_a_bad_line(oakfield, head, cell):
    quoted = '"' + cell.replace('"', '""') + '"'
    roster_import = dry_run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, surname=quoted), pupil(2)]))
    assert roster_import.bad_lines == [[2, "the legal surname looks like a spreadsheet formula"]]
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, surname=quoted), pupil(2)]))
    assert list(Pupil.objects.values_list("last_name", flat=True)) == ["Surname2"]


def test_it_refuses_a_contacts_file_of_formulas_in_the_email(oakfield, head):
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1)]))
    data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="=cmd|' /C calc'!A0"), contact(2, 1001)])
    roster_import = dry_run(oakfield, head, "contacts", data)
    assert roster_import.bad_lines == [[2, "the contact's email address looks like a spreadsheet formula"]]


DATES = [
    ("31/02/2016", "the date of birth 31/02/2016 is not a date that exists"),
    ("29/02/2015", "the date of birth 29/02/2015 is not a date that exists"),
    ("14/13/2016", "the date of birth 14/13/2016 is not a date that exists"),
    ("14/03/16", "has a two-digit year"),
    ("March 14th 2016", "is not a date in a format we read"),
    ("14/03/2099", "cannot be right"),
]


@pytest.mark.parametrize(("value", "why"), DATES)
def test_it_refuses_an_impossible_date_with_its_line_number(oakfield, head, value, why):
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2), pupil(3, dob=value)])
    roster_import = dry_run(oakfield, head, "pupils", data)
    [[line, reason]] = roster_import.bad_lines
    assert line == 4 and why in reason


@pytest.mark.parametrize("value", ["14/03/2016", "4/3/2016", "2016-03-04", "04/03/2016 00:00:00"])
def test_it_reads_uk_dates(oakfield, head, value):
    roster_import = dry_run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, dob=value)]))
    assert roster_import.bad_lines == [] and roster_import.staged[0]["date_of_birth"].startswith("2016-03-")


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("cp1252", False)])
def test_it_reads_utf8_with_or_without_a_bom_and_windows_1252(oakfield, head, encoding, bom):
    data = csv_bytes(PUPILS_HEADER, [pupil(1, first="Zoë", surname="O’Brien-Siân")], encoding=encoding, bom=bom)
    run(oakfield, head, "pupils", data)
    assert Pupil.objects.get().legal_name == "Zoë O’Brien-Siân"


def test_it_reports_an_unreadable_row_and_keeps_the_rest(oakfield, head):
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2) + ',"an extra cell', pupil(3)])
    roster_import = dry_run(oakfield, head, "pupils", data)
    assert roster_import.summary["bad"] >= 1 and roster_import.bad_lines[0][0] == 3


def test_it_reports_a_row_with_more_cells_than_columns(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1) + ",surprise", pupil(2)]))
    assert roster_import.bad_lines[0][0] == 2 and "cells but the header has" in roster_import.bad_lines[0][1]


@pytest.mark.parametrize(("cell", "why"), [("Year 14", "year group"), ("maybe", "SEND status")])
def test_it_reports_a_value_it_cannot_read(oakfield, head, cell, why):
    line = pupil(1, year=cell) if why == "year group" else pupil(1, send=cell)
    roster_import = dry_run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [line, pupil(2)]))
    assert why in roster_import.bad_lines[0][1]


def test_it_never_answers_500_to_a_broken_form(client, oakfield, head):
    client.force_login(head)
    url = reverse("roster:upload", args=[oakfield.slug, "pupils"])
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"file": "not a file", "columns": "nonsense"}).status_code == 400
    assert client.post(url, {"file": SimpleUploadedFile("x.csv", b""), "columns": "sims"}).status_code == 400
    bad_header = {"file": SimpleUploadedFile("x.csv", pupils_csv(1)), "columns": "by_hand", "header": "{not json"}
    assert client.post(url, bad_header).status_code in (302, 400)
    assert client.get(reverse("roster:upload", args=[oakfield.slug, "teachers"])).status_code == 404
    assert client.get(reverse("roster:import", args=[oakfield.slug, 999999])).status_code == 404


@pytest.mark.parametrize("kind", ["contacts", "staff"])
def test_it_takes_a_name_of_150_characters_and_makes_one_of_151_a_bad_line(oakfield, head, kind):
    run(oakfield, head, "pupils", pupils_csv(1), full=True)
    surname = "S" * 75  # each part at most 75 characters; joined by a space, 150 or 151 characters
    if kind == Kind.CONTACTS:
        data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001, first="F" * 74, surname=surname),
                                           contact(2, 1001, first="F" * 75, surname=surname)])
        preview = dry_run(oakfield, head, kind, data)
    else:
        data = csv_bytes(STAFF_HEADER, [staff("A", "a@t.example", first="F" * 74, surname=surname),
                                        staff("B", "b@t.example", first="F" * 75, surname=surname)])
        preview = dry_run(oakfield, head, kind, data, role=Role.STAFF)
    assert (preview.summary["add"], preview.summary["bad"]) == (1, 1)
    label = "contact's name" if kind == Kind.CONTACTS else "name"
    assert preview.bad_lines == [[3, f"the {label} is longer than 150 characters (the first name and surname "
                                     "together)"]]
    applied = apply(preview, head)  # the 150 characters fit the account and the contact record
    assert applied.status == "applied" and applied.applied["add"] == 1


def test_it_refuses_a_file_of_more_rows_than_the_limit_on_the_upload_page_writing_nothing(post, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 4)
    response, page = post(pupils_csv(5))
    assert response.status_code == 400 and "The file has more than 4 rows, so nothing was imported" in page
    assert nothing_written()
    response, _ = post(pupils_csv(4))
    assert response.status_code == 302 and RosterImport.objects.get().summary["add"] == 4
