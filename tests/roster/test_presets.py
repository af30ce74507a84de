"""Column mapping: a preset per MIS, the school's saved columns, and columns chosen by hand."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onlinesafety.roster import presets, services
from onlinesafety.roster.fields import missing
from onlinesafety.roster.models import Kind, RosterImport, SavedMapping
from onlinesafety.roster.parsing import MappingNeeded
from onlinesafety.schools.models import Pupil
from tests.roster.helpers import apply, csv_bytes, dry_run

pytestmark = pytest.mark.django_db

# The header of each MIS's usual export, as each preset expects it (see onlinesafety/roster/presets.py).
HEADERS = {
    ("sims", Kind.PUPILS): "Adno,UPN,Legal Surname,Legal Forename,Preferred Forename,DOB,Year,Reg,SEN Status",
    ("arbor", Kind.PUPILS): "Student ID,UPN,Legal First Name,Legal Last Name,Preferred First Name,Date of Birth,"
                            "Year Group,Registration Form,SEN Status,Start Date,End Date",
    ("bromcom", Kind.PUPILS): "Student ID,UPN,Legal Forename,Legal Surname,DOB,Year,Tutor Group,SEN Need",
    ("scholarpack", Kind.PUPILS): "Pupil ID,UPN,Forename,Surname,Known As,Date of Birth,Year,Class,SEN Stage,"
                                  "Leave Date",
    ("integris", Kind.PUPILS): "Pupil ID,UPN,Legal Forename,Legal Surname,Date of Birth,NC Year,Registration Group,"
                               "SEN Provision,Date of Leaving",
    ("sims", Kind.CONTACTS): "Contact ID,Contact Surname,Contact Forename,Contact Email,Relationship,"
                             "Parental Responsibility,Priority,Adno",
    ("arbor", Kind.CONTACTS): "Guardian ID,Guardian First Name,Guardian Last Name,Guardian Email,Relationship,"
                              "Parental Responsibility,Priority,Student ID",
    ("bromcom", Kind.CONTACTS): "Contact ID,Contact Forename,Contact Surname,Contact Email,Relation,"
                                "Has Parental Responsibility,Contact Order,Student ID",
    ("scholarpack", Kind.CONTACTS): "Contact ID,Contact First Name,Contact Last Name,Email,Relationship,"
                                    "Parental Responsibility,Priority,Pupil ID",
    ("integris", Kind.CONTACTS): "Contact Ref,Contact Forename,Contact Surname,Contact Email,Relationship,"
                                 "Parental Responsibility,Contact Priority,Pupil ID",
    ("sims", Kind.STAFF): "Staff Code,Legal Surname,Legal Forename,Work Email,Role",
    ("arbor", Kind.STAFF): "Staff ID,Legal First Name,Legal Last Name,Work Email,Job Title",
    ("bromcom", Kind.STAFF): "Staff ID,Forename,Surname,Work Email,Job Title",
    ("scholarpack", Kind.STAFF): "Staff ID,First Name,Last Name,Email,Role",
    ("integris", Kind.STAFF): "Staff Code,Legal Forename,Legal Surname,Email,Post",
}


@pytest.mark.parametrize(("code", "kind"), list(HEADERS))
def test_it_maps_every_field_an_mis_export_needs_with_its_preset(code, kind):
    header = HEADERS[(code, kind)].split(",")
    mapping = presets.preset_mapping(code, kind, header)
    assert missing(kind, mapping) == []
    assert presets.best_preset(kind, header) is not None  # and "work it out" finds a preset that fits


def test_it_maps_case_and_spaces_as_the_same_column():
    header = ["ADNO", "upn", "legal  surname", "Legal Forename", "dob", "YEAR"]
    assert presets.preset_mapping("sims", Kind.PUPILS, header) == {
        "mis_id": "ADNO", "upn": "upn", "last_name": "legal  surname", "first_name": "Legal Forename",
        "date_of_birth": "dob", "year_group": "YEAR"}


def test_it_reads_an_arbor_export_through_its_preset(oakfield, head):
    data = csv_bytes(HEADERS[("arbor", Kind.PUPILS)], [
        "A77,A000000000001,Ann,Smith,Annie,2016-03-14,Year 5,5R,SEN Support,2021-09-04,"])
    applied = apply(dry_run(oakfield, head, "pupils", data, columns="arbor"), head)
    annie = Pupil.objects.get()
    assert (annie.mis_id, annie.full_name, annie.school_class.name, annie.has_send) == ("A77", "Annie Smith", "5R",
                                                                                        True)
    assert applied.columns == "arbor"


def test_it_saves_the_columns_on_confirming_and_uses_them_next_time(oakfield, head):
    header = "Ref,Birthday,Given,Family,Form,Group"
    data = csv_bytes(header, ["P1,14/03/2016,Ann,Smith,Year 5,5A"])
    with pytest.raises(MappingNeeded) as needed:
        dry_run(oakfield, head, "pupils", data, columns="auto")
    assert needed.value.header == header.split(",")
    mapping = {"mis_id": "Ref", "date_of_birth": "Birthday", "first_name": "Given", "last_name": "Family",
               "year_group": "Form", "school_class": "Group"}
    roster_import = dry_run(oakfield, head, "pupils", data, columns="by_hand", mapping=mapping, save_mapping=True)
    assert not SavedMapping.objects.exists()  # saved when it is confirmed, not before
    apply(roster_import, head)
    assert SavedMapping.objects.get(school=oakfield, kind="pupils").mapping == mapping
    again = dry_run(oakfield, head, "pupils", data, columns="auto")
    assert (again.columns, again.summary["unchanged"]) == ("saved", 1)


def test_it_says_when_the_saved_columns_do_not_fit_a_file(oakfield, head):
    SavedMapping.objects.create(school=oakfield, kind="pupils", mapping={"mis_id": "Ref", "first_name": "Given",
                                                                         "last_name": "Family",
                                                                         "date_of_birth": "Birthday",
                                                                         "year_group": "Form"})
    with pytest.raises(MappingNeeded, match="saved columns do not fit"):
        dry_run(oakfield, head, "pupils", csv_bytes("Ref,Given,Family,Form,Other", ["1,A,B,5,x"]), columns="saved")


def test_it_lets_a_person_choose_the_columns_by_hand_in_the_browser(client, oakfield, head):
    client.force_login(head)
    url = reverse("roster:upload", args=[oakfield.slug, "pupils"])
    data = csv_bytes("Ref,Birthday,Given,Family,Form", ["P1,14/03/2016,Ann,Smith,Year 5"])
    first = client.post(url, {"file": SimpleUploadedFile("x.csv", data), "columns": "auto"})
    assert first.status_code == 400 and b'name="col_date_of_birth"' in first.content
    second = client.post(url, {
        "file": SimpleUploadedFile("x.csv", data), "columns": "by_hand", "header": json.dumps(data.decode().split(
            "\r\n")[0].split(",")), "col_mis_id": "Ref", "col_date_of_birth": "Birthday", "col_first_name": "Given",
        "col_last_name": "Family", "col_year_group": "Form", "save_mapping": "on"})
    roster_import = RosterImport.objects.get()
    assert second.status_code == 302 and second["Location"].endswith(f"/imports/{roster_import.pk}/")
    assert roster_import.mapping["date_of_birth"] == "Birthday" and roster_import.save_mapping


def test_it_lists_every_preset_and_the_saved_columns_on_the_upload_page(client, oakfield, head):
    client.force_login(head)
    page = client.get(reverse("roster:upload", args=[oakfield.slug, "pupils"])).content.decode()
    for label in ("SIMS", "Arbor", "Bromcom", "ScholarPack", "Integris"):
        assert f"A {label} export" in page
    assert "saved columns</option>" not in page
    SavedMapping.objects.create(school=oakfield, kind="pupils", mapping={})
    assert "The school&#x27;s saved columns</option>" in client.get(
        reverse("roster:upload", args=[oakfield.slug, "pupils"])).content.decode()


def test_it_refuses_an_unknown_choice_of_columns(oakfield, head):
    with pytest.raises(services.ImportRefused):
        dry_run(oakfield, head, "pupils", csv_bytes(HEADERS[("sims", Kind.PUPILS)], []), columns="excel")
