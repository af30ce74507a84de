"""Pupils from an MIS export: the dry run, applying it, re-importing it, and pupils who leave."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster.models import RosterImport, Status
from onlinesafety.roster.sync import today_in
from onlinesafety.schools.models import Pupil, SchoolClass, YearGroup
from tests.factories import PupilFactory
from tests.roster.helpers import PUPILS_HEADER, apply, csv_bytes, dry_run, pupil, pupils_csv, run, upn

pytestmark = pytest.mark.django_db


def roster_snapshot(school):
    return sorted(Pupil.objects.filter(school=school).values_list(
        "mis_id", "upn", "first_name", "last_name", "preferred_first_name", "date_of_birth", "year_group",
        "school_class__name", "has_send", "is_on_roll", "left_on"))


def test_it_writes_nothing_on_the_roster_in_a_dry_run(oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(5))
    assert Pupil.objects.filter(school=oakfield).count() == 0
    assert SchoolClass.objects.filter(school=oakfield).count() == 0
    assert roster_import.status == Status.PREVIEWED
    assert roster_import.summary["add"] == 5 and roster_import.summary["classes_to_create"] == 1
    assert len(roster_import.staged) == 5
    event = AuditEvent.objects.get(verb="roster.uploaded")
    assert event.detail["add"] == 5 and "First1" not in str(event.detail)


def test_it_adds_pupils_with_their_keys_names_and_class(oakfield, head):
    data = csv_bytes(PUPILS_HEADER, [pupil(1, first="Alexandra", preferred="Sasha", klass="Otters", year="Year 3",
                                           dob="4/9/2018", send="K"), pupil(2, year="R", klass="Acorns")])
    roster_import = run(oakfield, head, "pupils", data)
    assert roster_import.status == Status.APPLIED and roster_import.staged is None
    sasha = Pupil.objects.get(mis_id="1001")
    assert (sasha.upn, sasha.legal_name, sasha.full_name) == (upn(1), "Alexandra Surname1", "Sasha Surname1")
    assert (sasha.date_of_birth, sasha.year_group, sasha.has_send) == (datetime.date(2018, 9, 4), 3, True)
    assert sasha.school_class.name == "Otters" and sasha.school_class.year_group == 3
    assert Pupil.objects.get(mis_id="1002").year_group == YearGroup.RECEPTION
    assert sasha.admission_date == datetime.date(2021, 9, 4)


def test_it_changes_nothing_when_the_same_file_is_imported_again(oakfield, head):
    data = pupils_csv(20)
    run(oakfield, head, "pupils", data, full=True)
    before = roster_snapshot(oakfield)
    again = run(oakfield, head, "pupils", data, full=True)
    assert again.summary["unchanged"] == 20
    assert (again.summary["add"], again.summary["change"], again.summary["leave"]) == (0, 0, 0)
    assert roster_snapshot(oakfield) == before
    assert again.applied["unchanged"] == 20 and again.applied["add"] == 0


def test_it_updates_a_changed_class_or_surname_on_the_same_record(oakfield, head):
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2)]))
    first = Pupil.objects.get(mis_id="1001")
    changed = csv_bytes(PUPILS_HEADER, [pupil(1, surname="Newname", klass="Willow", year="Year 6"), pupil(2)])
    roster_import = dry_run(oakfield, head, "pupils", changed)
    assert roster_import.summary["change"] == 1 and roster_import.summary["unchanged"] == 1
    shown = roster_import.details["change"][0]
    assert ("legal surname", "Surname1", "Newname") in [tuple(field) for field in shown["fields"]]
    assert ("class", "Maple", "Willow") in [tuple(field) for field in shown["fields"]]
    apply(roster_import, head)
    first.refresh_from_db()
    assert (first.last_name, first.school_class.name, first.year_group) == ("Newname", "Willow", 6)
    assert Pupil.objects.filter(school=oakfield).count() == 2
    assert SchoolClass.objects.get(school=oakfield, name="Willow").year_group == 6


def test_it_matches_by_upn_when_the_mis_id_changes(oakfield, head):
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1)]))
    original = Pupil.objects.get()
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, adno="ARB-77")]))  # the school moved MIS
    assert Pupil.objects.get().pk == original.pk
    assert Pupil.objects.get().mis_id == "ARB-77"


def test_it_marks_a_pupil_missing_from_a_full_export_as_left_never_deleting_them(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    roster_import = run(oakfield, head, "pupils", pupils_csv(2), full=True)
    assert roster_import.summary["leave"] == 1
    gone = Pupil.objects.get(mis_id="1003")
    assert gone.is_on_roll is False
    assert gone.left_on == today_in(oakfield)
    assert Pupil.objects.filter(school=oakfield).count() == 3


def test_it_marks_no_one_as_left_when_the_export_is_not_full(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3))
    roster_import = run(oakfield, head, "pupils", pupils_csv(2))
    assert roster_import.summary["leave"] == 0
    assert Pupil.objects.filter(school=oakfield, is_on_roll=True).count() == 3


def test_it_dates_a_leaver_by_the_export_or_today_in_the_schools_time_zone(oakfield, head):
    oakfield.timezone = "Pacific/Auckland"  # already tomorrow there for most of the UK's day
    oakfield.save(update_fields=["timezone"])
    run(oakfield, head, "pupils", pupils_csv(2), full=True)
    past = (timezone.localdate() - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, leaving=past)]), full=True)
    import zoneinfo

    auckland_today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("Pacific/Auckland")).date()
    with_date, missing = Pupil.objects.get(mis_id="1001"), Pupil.objects.get(mis_id="1002")
    assert (with_date.is_on_roll, with_date.left_on) == (False, timezone.localdate() - datetime.timedelta(days=10))
    assert (missing.is_on_roll, missing.left_on) == (False, auckland_today)


def test_it_brings_back_a_pupil_who_left_and_appears_again(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(2), full=True)
    run(oakfield, head, "pupils", pupils_csv(1), full=True)
    run(oakfield, head, "pupils", pupils_csv(2), full=True)
    back = Pupil.objects.get(mis_id="1002")
    assert (back.is_on_roll, back.left_on) == (True, None)


def test_it_keeps_a_future_leaving_date_for_later(oakfield, head):
    soon = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, [pupil(1, leaving=soon)]))
    assert Pupil.objects.get().is_on_roll is True


def test_it_adopts_a_pupil_made_by_hand_by_legal_name_and_date_of_birth(oakfield, head):
    made = PupilFactory(school=oakfield, first_name="First1", last_name="Surname1",
                        date_of_birth=datetime.date(2016, 3, 14), school_class=None)
    roster_import = run(oakfield, head, "pupils", pupils_csv(1), full=True)
    made.refresh_from_db()
    assert (made.mis_id, made.upn, made.is_on_roll) == ("1001", upn(1), True)
    assert Pupil.objects.filter(school=oakfield).count() == 1
    assert "matched by legal name and date of birth" in roster_import.details["notes"][0]


def test_it_reports_two_rows_for_one_key_and_guesses_neither(oakfield, head):
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2, adno="1001"), pupil(3, upn_=upn(1)), pupil(4)])
    roster_import = dry_run(oakfield, head, "pupils", data)
    assert roster_import.summary["duplicates"] == 3 and roster_import.summary["add"] == 1
    lines = sorted(line for line, _ in roster_import.details["duplicates"])
    assert lines == [2, 3, 4]
    assert "same MIS id" in dict(roster_import.details["duplicates"])[3]


def test_it_reports_a_row_whose_keys_belong_to_two_pupils(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(2))
    data = csv_bytes(PUPILS_HEADER, [pupil(1, upn_=upn(2))])
    roster_import = dry_run(oakfield, head, "pupils", data)
    assert roster_import.summary["duplicates"] == 1
    assert "two different pupils" in roster_import.details["duplicates"][0][1]


def test_it_keeps_pupils_in_duplicate_rows_on_roll_in_a_full_export(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(2), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2), pupil(2)])
    roster_import = run(oakfield, head, "pupils", data, full=True)
    assert roster_import.summary["leave"] == 0
    assert Pupil.objects.filter(is_on_roll=True).count() == 2


def test_it_keeps_the_record_of_the_import_without_the_rows_once_applied(oakfield, head):
    roster_import = run(oakfield, head, "pupils", pupils_csv(3))
    stored = RosterImport.objects.get(pk=roster_import.pk)
    assert stored.staged is None and stored.applied["add"] == 3
    assert "First1" not in str(stored.details) + str(stored.applied) + str(stored.summary)
    assert AuditEvent.objects.filter(verb="roster.applied", object_id=str(stored.pk)).count() == 1


def test_it_keeps_a_pupil_whose_row_has_a_bad_date_of_birth_in_a_full_export_and_says_so(client, oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2, dob="not a date"), pupil(3)])
    preview = dry_run(oakfield, head, "pupils", data, full=True)
    assert (preview.summary["leave"], preview.summary["kept"], preview.summary["bad"]) == (0, 1, 1)
    assert preview.details["leave"] == [] and preview.details["kept"] == ["First2 Surname2 (line 3: a bad line, "
                                                                           "left as it is)"]
    client.force_login(head)
    page = client.get(reverse("roster:import", args=[oakfield.slug, preview.pk])).content.decode()
    assert "1 to leave as it is: on a bad line" in page and "Left as they are" in page
    assert "First2 Surname2 (line 3: a bad line, left as it is)" in page
    applied = apply(preview, head)
    assert applied.applied["kept"] == 1 and applied.applied["leave"] == 0
    assert Pupil.objects.get(mis_id="1002").is_on_roll and Pupil.objects.filter(is_on_roll=True).count() == 3


def test_it_keeps_a_pupil_whose_row_has_more_cells_than_the_header_in_a_full_export(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2) + ",an extra cell", pupil(3)])
    preview = dry_run(oakfield, head, "pupils", data, full=True)
    assert "cells but the header has" in preview.bad_lines[0][1]
    assert (preview.summary["leave"], preview.summary["kept"]) == (0, 1)  # its MIS id is still read
    apply(preview, head)
    assert Pupil.objects.filter(is_on_roll=True).count() == 3


def test_it_still_marks_as_left_a_pupil_a_bad_line_does_not_name(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2, dob="not a date")])  # pupil 3 is gone
    preview = dry_run(oakfield, head, "pupils", data, full=True)
    assert (preview.summary["leave"], preview.summary["kept"]) == (1, 1)
    apply(preview, head)
    assert not Pupil.objects.get(mis_id="1003").is_on_roll and Pupil.objects.get(mis_id="1002").is_on_roll
