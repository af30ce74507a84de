"""A bad line in a full export names someone who is still there: they are kept as they are, never marked as left,
unlinked or ended; and a file too long or a name too long is refused or reported, never a crash."""

import pytest

from onlinesafety.roster import services
from onlinesafety.roster.parsing import ImportRefused
from onlinesafety.schools.models import Membership, ParentLink, Pupil
from onlinesafety.schools.roles import Role
from tests.roster.helpers import (
    CONTACTS_HEADER,
    PUPILS_HEADER,
    STAFF_HEADER,
    contact,
    csv_bytes,
    dry_run,
    pupil,
    pupils_csv,
    run,
    staff,
)

pytestmark = pytest.mark.django_db


def test_it_keeps_a_pupil_on_roll_whose_row_in_a_full_export_is_bad(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2, dob="31/02/2016"), pupil(3)])
    preview = dry_run(oakfield, head, "pupils", data, full=True)
    assert (preview.summary["leave"], preview.summary["kept"], preview.summary["bad"]) == (0, 1, 1)
    assert "Surname2" in preview.details["kept"][0] and "line 3" in preview.details["kept"][0]
    services.apply_confirmed_now(roster_import=preview, actor=head)
    assert Pupil.objects.filter(is_on_roll=True).count() == 3


def test_it_says_so_when_a_bad_line_in_a_full_export_carries_no_key(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    data = csv_bytes(PUPILS_HEADER, [pupil(1), pupil(2, adno="", upn_="", dob="31/02/2016"), pupil(3)])
    preview = dry_run(oakfield, head, "pupils", data, full=True)
    assert preview.summary["leave"] == 1  # nobody can tell whom it names: shown, and the note says why
    assert any("1 bad line carries no" in note for note in preview.details["notes"])


def test_it_keeps_a_contacts_link_whose_row_in_a_full_export_is_bad(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(2), full=True)
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001), contact(2, 1002)]), full=True)
    bad = contact(2, 1002, email="=HYPERLINK(1)")
    preview = dry_run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001), bad]), full=True)
    assert (preview.summary["leave"], preview.summary["kept"]) == (0, 1)
    services.apply_confirmed_now(roster_import=preview, actor=head)
    assert ParentLink.objects.count() == 2


def test_it_keeps_a_member_of_staff_whose_row_in_a_full_export_is_bad(oakfield, head):
    run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example")]),
        role=Role.STAFF, full=True)
    data = csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example", first="=cmd|x")])
    preview = dry_run(oakfield, head, "staff", data, role=Role.STAFF, full=True)
    assert (preview.summary["leave"], preview.summary["kept"]) == (0, 1)
    services.apply_confirmed_now(roster_import=preview, actor=head)
    assert Membership.objects.get(user__email="b@t.example").is_active


def test_it_reports_a_name_longer_than_an_account_holds_as_a_bad_line(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(1), full=True)
    long = contact(1, 1001, surname="S" * 75, first="F" * 75)
    preview = dry_run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [long, contact(2, 1001)]))
    assert preview.summary["bad"] == 1 and preview.summary["add"] == 1
    assert "longer than 150 characters" in preview.bad_lines[0][1]
    services.apply_confirmed_now(roster_import=preview, actor=head)
    staff_preview = dry_run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [
        staff("L", "long@t.example", surname="S" * 75, first="F" * 75)] + [staff("S", "s@t.example")]),
        role=Role.STAFF)
    assert staff_preview.summary["bad"] == 1 and "longer than 150" in staff_preview.bad_lines[0][1]


def test_it_refuses_a_file_with_more_rows_than_a_school_has(oakfield, head, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 5)
    with pytest.raises(ImportRefused, match="more than 5 rows"):
        dry_run(oakfield, head, "pupils", pupils_csv(6))
    assert dry_run(oakfield, head, "pupils", pupils_csv(5)).summary["add"] == 5
    assert Pupil.objects.count() == 0


def test_it_lets_two_carers_of_one_child_swap_email_addresses(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(1), full=True)
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [
        contact(1, 1001, email="one@families.test"), contact(2, 1001, email="two@families.test", relationship="Father",
                                                              priority="2")]), full=True)
    swapped = run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [
        contact(1, 1001, email="two@families.test"), contact(2, 1001, email="one@families.test", relationship="Father",
                                                              priority="2")]), full=True)
    assert swapped.status == "applied"
    links = {link.contact.mis_id: link.parent.email for link in ParentLink.objects.select_related("contact", "parent")}
    assert links == {"1": "two@families.test", "2": "one@families.test"}
