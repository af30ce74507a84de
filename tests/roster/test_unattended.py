"""Unattended imports: the command and the nightly drop folder apply at once, unless a person must look first."""

import os
import time

import pytest
from django.core.management import CommandError, call_command

from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.roster import folders, tasks
from onlinesafety.roster.models import RosterImport, Source, Status
from onlinesafety.schools.models import Contact, Membership, Pupil
from onlinesafety.schools.roles import Role
from tests.roster.helpers import (
    CONTACTS_HEADER,
    PUPILS_HEADER,
    STAFF_HEADER,
    contact,
    csv_bytes,
    pupil,
    pupils_csv,
    staff,
)

pytestmark = pytest.mark.django_db


def write(path, data: bytes, *, age: float = folders.SETTLED_AFTER + 60):
    """A file as the MIS leaves it, last changed ``age`` seconds ago (the nightly run leaves files that are newer
    than ``folders.SETTLED_AFTER``: the MIS may still be writing them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def command(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_roster", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_file_from_the_command_without_a_person(oakfield, tmp_path):
    path = write(tmp_path / "pupils.csv", pupils_csv(30))
    out = command("--school", oakfield.slug, "--kind", "pupils", "--full", str(path))
    assert "Imported: 30 added" in out
    roster_import = RosterImport.objects.get()
    assert (roster_import.source, roster_import.started_by, roster_import.status) == (Source.FOLDER, None,
                                                                                      Status.APPLIED)
    assert Pupil.objects.filter(school=oakfield).count() == 30
    assert "Nothing to change" in command("--school", oakfield.slug, "--kind", "pupils", "--full", str(path))
    assert path.exists()  # the command leaves its file where it was


def test_it_holds_a_truncated_full_export_for_a_person_and_exits_non_zero(oakfield, head, tmp_path):
    command("--school", oakfield.slug, "--kind", "pupils", "--full", str(write(tmp_path / "a.csv", pupils_csv(30))))
    truncated = write(tmp_path / "b.csv", pupils_csv(26))  # 4 of 30 missing: 13%, over the 10% limit
    with pytest.raises(CommandError, match=r"it would mark 4 of 30 pupils as left \(13%, more than the 10%"):
        command("--school", oakfield.slug, "--kind", "pupils", "--full", str(truncated))
    held = RosterImport.objects.latest("pk")
    assert held.status == Status.PREVIEWED and "4 of 30" in held.held_reason
    assert Pupil.objects.filter(is_on_roll=True).count() == 30
    assert AuditEvent.objects.filter(verb="roster.held").count() == 1
    [email] = OutboundEmail.objects.filter(kind="roster")
    assert email.to == head.email and f"/roster/imports/{held.pk}/" in email.body and "4 of 30" in email.body
    assert "Surname" not in email.body and "First" not in email.body
    three = write(tmp_path / "c.csv", pupils_csv(27))  # 3 of 30: exactly 10%, allowed
    assert "3 marked as left" in command("--school", oakfield.slug, "--kind", "pupils", "--full", str(three))


def test_it_obeys_the_leavers_limit_setting(oakfield, tmp_path, settings):
    settings.ROSTER_MAX_LEAVERS_PERCENT = 50
    command("--school", oakfield.slug, "--kind", "pupils", "--full", str(write(tmp_path / "a.csv", pupils_csv(10))))
    command("--school", oakfield.slug, "--kind", "pupils", "--full", str(write(tmp_path / "b.csv", pupils_csv(6))))
    assert Pupil.objects.filter(is_on_roll=False).count() == 4


def test_it_holds_any_duplicate_for_a_person(oakfield, tmp_path):
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2), pupil(2)])
    with pytest.raises(CommandError, match="it has 2 duplicate rows"):
        command("--school", oakfield.slug, "--kind", "pupils", str(write(tmp_path / "p.csv", data)))
    assert Pupil.objects.count() == 0


def test_it_refuses_bad_arguments_and_bad_files_writing_nothing(oakfield, tmp_path):
    good = str(write(tmp_path / "p.csv", pupils_csv(2)))
    with pytest.raises(CommandError, match="No school"):
        command("--school", "nowhere", "--kind", "pupils", good)
    with pytest.raises(CommandError, match="Give --role"):
        command("--school", oakfield.slug, "--kind", "staff", good)
    with pytest.raises(CommandError, match="only for a staff import"):
        command("--school", oakfield.slug, "--kind", "pupils", "--role", "staff", good)
    with pytest.raises(CommandError, match="NUL bytes"):
        command("--school", oakfield.slug, "--kind", "pupils", str(write(tmp_path / "x.csv", b"a,b\r\n\x00\r\n")))
    with pytest.raises(CommandError, match="another school"):
        command("--school", oakfield.slug, "--kind", "pupils", str(write(
            tmp_path / "y.csv", csv_bytes(PUPILS_HEADER + ",URN", [pupil(1) + ",999999"]))))
    assert RosterImport.objects.count() == 0 and Pupil.objects.count() == 0


def test_it_imports_each_schools_dropped_files_nightly_and_deletes_them(oakfield, riverside, head, tmp_path,
                                                                          settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    ours = tmp_path / oakfield.slug
    write(ours / "contacts-full.csv", csv_bytes(CONTACTS_HEADER, [contact(1, 1001), contact(2, 1002, email="")]))
    write(ours / "pupils-full.csv", pupils_csv(3))
    write(ours / "staff-full-technician.csv", csv_bytes(STAFF_HEADER, [staff("T1", "tech.new@t.example")]))
    write(ours / "notes.txt", b"left alone")
    write(tmp_path / "no-such-school" / "pupils.csv", pupils_csv(1))
    write(tmp_path / riverside.slug / "pupils.csv", csv_bytes(PUPILS_HEADER + ",URN", [pupil(1) + ",000000"]))
    counts = tasks.import_nightly()
    assert counts == {"applied": 3, "held": 0, "refused": 1, "failed": 0, "waiting": 0}
    assert Pupil.objects.filter(school=oakfield).count() == 3 and Pupil.objects.filter(school=riverside).count() == 0
    assert Contact.objects.filter(school=oakfield).count() == 2  # pupils were imported before contacts
    assert Membership.objects.get(user__email="tech.new@t.example").role == Role.TECHNICIAN
    assert sorted(p.name for p in ours.iterdir()) == ["notes.txt"]  # read, then deleted
    assert not (tmp_path / riverside.slug / "pupils.csv").exists()
    refused = AuditEvent.objects.get(verb="roster.refused")
    assert refused.school == riverside and "another school" in refused.detail["reason"]
    assert not OutboundEmail.objects.filter(kind="roster", to=head.email).exists()  # Oakfield's all went in
    assert (tmp_path / "no-such-school" / "pupils.csv").exists()


def test_it_refuses_a_dropped_staff_file_whose_name_gives_no_role(oakfield, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    write(tmp_path / oakfield.slug / "staff.csv", csv_bytes(STAFF_HEADER, [staff("T1", "t@t.example")]))
    assert folders.import_nightly()["refused"] == 1
    assert not Membership.objects.filter(user__email="t@t.example").exists()


def test_it_refuses_a_dropped_file_over_the_size_limit_and_still_deletes_it(oakfield, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    big = write(tmp_path / oakfield.slug / "pupils.csv", b"x" * (10 * 1024 * 1024 + 1))
    assert folders.import_nightly()["refused"] == 1
    assert not big.exists() and RosterImport.objects.count() == 0


def test_it_leaves_a_file_the_mis_may_still_be_writing_for_the_next_run(oakfield, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    fresh = write(tmp_path / oakfield.slug / "pupils-full.csv", pupils_csv(3), age=5)
    assert folders.import_nightly()["applied"] == 0
    assert fresh.exists() and Pupil.objects.count() == 0 and RosterImport.objects.count() == 0
    then = time.time() - folders.SETTLED_AFTER - 1
    os.utime(fresh, (then, then))
    assert folders.import_nightly()["applied"] == 1 and Pupil.objects.count() == 3


def test_it_leaves_a_file_that_changes_between_listing_and_reading(oakfield, tmp_path, settings, monkeypatch):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    path = write(tmp_path / oakfield.slug / "pupils-full.csv", pupils_csv(3))
    listed = folders.dropped_files(tmp_path)
    with path.open("ab") as still_writing:
        still_writing.write(pupil(4).encode() + b"\r\n")
    assert folders.import_dropped(listed[0]) == "waiting"
    assert path.exists() and Pupil.objects.count() == 0


def test_it_never_follows_a_symbolic_link_in_the_drop_folder(oakfield, riverside, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path / "drop")
    outside = write(tmp_path / "elsewhere" / "pupils.csv", pupils_csv(3))
    (tmp_path / "drop" / oakfield.slug).mkdir(parents=True)
    linked_file = tmp_path / "drop" / oakfield.slug / "pupils-full.csv"
    linked_file.symlink_to(outside)
    (tmp_path / "drop" / riverside.slug).symlink_to(outside.parent, target_is_directory=True)
    assert folders.import_nightly() == {"applied": 0, "held": 0, "refused": 0, "failed": 0, "waiting": 0}
    assert outside.exists() and linked_file.is_symlink() and Pupil.objects.count() == 0


def test_it_goes_on_to_the_next_school_when_one_fails_unexpectedly(oakfield, riverside, tmp_path, settings,
                                                                    monkeypatch):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    write(tmp_path / oakfield.slug / "pupils-full.csv", pupils_csv(3))
    write(tmp_path / riverside.slug / "pupils-full.csv", pupils_csv(2))
    real = folders.services.import_unattended

    def broken_for_oakfield(*, school, **kwargs):
        if school == oakfield:
            raise ZeroDivisionError("an unexpected fault naming Pupil 1")
        return real(school=school, **kwargs)

    monkeypatch.setattr(folders.services, "import_unattended", broken_for_oakfield)
    counts = folders.import_nightly()
    assert (counts["failed"], counts["applied"]) == (1, 1)
    assert Pupil.objects.filter(school=riverside).count() == 2 and Pupil.objects.filter(school=oakfield).count() == 0
    failed = RosterImport.objects.get(school=oakfield)
    assert failed.status == Status.FAILED and "ZeroDivisionError" in failed.failure
    assert "Pupil 1" not in failed.failure  # the reason in plain words, never the error's own text


def test_it_holds_a_full_export_with_a_bad_line_for_a_person_and_keeps_whoever_it_names(oakfield, head, tmp_path):
    command("--school", oakfield.slug, "--kind", "pupils", "--full", str(write(tmp_path / "a.csv", pupils_csv(30))))
    data = csv_bytes(PUPILS_HEADER, [pupil(n, dob="31/02/2016" if n == 7 else "14/03/2016") for n in range(1, 31)])
    with pytest.raises(CommandError, match="it is a full export with 1 bad line, which a person must look at"):
        command("--school", oakfield.slug, "--kind", "pupils", "--full", str(write(tmp_path / "b.csv", data)))
    held = RosterImport.objects.latest("pk")
    assert held.status == Status.PREVIEWED and (held.summary["kept"], held.summary["leave"]) == (1, 0)
    assert AuditEvent.objects.get(verb="roster.held").detail["bad"] == 1
    assert Pupil.objects.filter(is_on_roll=True).count() == 30
    command("--school", oakfield.slug, "--kind", "pupils", str(write(tmp_path / "c.csv", data)))  # not full: applied
    assert RosterImport.objects.latest("pk").status == Status.APPLIED


def test_it_counts_a_file_changed_in_the_last_two_minutes_as_waiting_and_leaves_it(oakfield, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path)
    fresh = write(tmp_path / oakfield.slug / "pupils-full.csv", pupils_csv(3), age=folders.SETTLED_AFTER - 10)
    write(tmp_path / oakfield.slug / "staff-full-staff.csv", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]))
    assert folders.import_nightly() == {"applied": 1, "held": 0, "refused": 0, "failed": 0, "waiting": 1}
    assert fresh.exists() and Pupil.objects.count() == 0 and Membership.objects.filter(mis_id="A").exists()
    later = time.time() + 11
    assert [dropped.settled for dropped in folders.dropped_files(tmp_path, now=later)] == [True]


def test_it_never_reads_a_file_that_became_a_symbolic_link_after_it_was_listed(oakfield, tmp_path, settings):
    settings.ROSTER_DROP_FOLDER = str(tmp_path / "drop")
    path = write(tmp_path / "drop" / oakfield.slug / "pupils-full.csv", pupils_csv(3))
    [listed] = folders.dropped_files(tmp_path / "drop")
    # Elsewhere, a file of the same size and time (so that only the link gives it away), then the link.
    outside = write(tmp_path / "elsewhere.csv", pupils_csv(3))
    os.utime(outside, ns=(listed.modified, listed.modified))
    path.unlink()
    path.symlink_to(outside)
    assert folders.import_dropped(listed) == "waiting"
    assert path.is_symlink() and outside.exists() and Pupil.objects.count() == 0 and RosterImport.objects.count() == 0
