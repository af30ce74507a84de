"""Staff from an MIS export: a role chosen by the person for new people, never inferred; existing roles kept."""

import pytest

from onlinesafety.accounts.models import User
from onlinesafety.roster.parsing import ImportRefused
from onlinesafety.schools.models import Membership
from onlinesafety.schools.roles import Role
from tests.roster.helpers import STAFF_HEADER, apply, csv_bytes, dry_run, run, staff

pytestmark = pytest.mark.django_db


def test_it_refuses_a_staff_import_without_a_chosen_role(oakfield, head):
    with pytest.raises(ImportRefused, match="Choose the role"):
        dry_run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("ABC", "new@t.example")]))
    with pytest.raises(ImportRefused, match="Choose the role"):
        dry_run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("ABC", "new@t.example")]),
                role=Role.HEADTEACHER)


def test_it_gives_new_staff_the_chosen_role_and_keeps_the_roles_people_hold(oakfield, head, people):
    data = csv_bytes(STAFF_HEADER, [staff("ABC", "New.Person@t.example", role="Teaching assistant"),
                                    staff("DSL", "dsl@t.example", surname="Lead", role="Deputy head")])
    roster_import = run(oakfield, head, "staff", data, role=Role.TECHNICIAN)
    assert (roster_import.summary["add"], roster_import.summary["change"]) == (1, 1)
    new = User.objects.get(email="new.person@t.example")
    membership = Membership.objects.get(user=new, school=oakfield)
    assert (membership.role, membership.job_title, membership.mis_id) == (Role.TECHNICIAN, "Teaching assistant",
                                                                          "ABC")
    assert not new.has_usable_password()
    dsl = Membership.objects.get(user=people.dsl, school=oakfield)
    assert (dsl.role, dsl.mis_id, dsl.job_title) == (Role.DSL, "DSL", "Deputy head")


def test_it_matches_staff_by_mis_id_before_email_and_changes_nothing_the_second_time(oakfield, head):
    data = csv_bytes(STAFF_HEADER, [staff("ABC", "person@t.example")])
    run(oakfield, head, "staff", data, role=Role.STAFF)
    again = run(oakfield, head, "staff", data, role=Role.STAFF)
    assert (again.summary["add"], again.summary["change"], again.summary["unchanged"]) == (0, 0, 1)
    renamed = run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("ABC", "person@t.example",
                                                                          surname="Married")]), role=Role.STAFF)
    assert renamed.summary["change"] == 1
    assert User.objects.get(email="person@t.example").full_name == "Tess Married"


def test_it_ends_only_the_memberships_the_import_manages_in_a_full_export(oakfield, head, people):
    run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example"),
                                                          staff("HD", "head@t.example")]), role=Role.STAFF, full=True)
    roster_import = run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]),
                        role=Role.STAFF, full=True)
    assert roster_import.summary["leave"] == 1
    assert not Membership.objects.get(user__email="b@t.example").is_active
    assert Membership.objects.get(user=people.head, role=Role.HEADTEACHER).is_active  # leadership: never by import
    assert Membership.objects.get(user=people.reporter).is_active  # made by hand, no MIS id: left alone
    assert User.objects.filter(email="b@t.example").exists()  # never deleted


def test_it_reports_one_email_on_two_rows_and_an_id_and_email_of_two_people(oakfield, head):
    run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example")]),
        role=Role.STAFF)
    data = csv_bytes(STAFF_HEADER, [staff("C", "c@t.example"), staff("D", "c@t.example"), staff("A", "b@t.example")])
    roster_import = dry_run(oakfield, head, "staff", data, role=Role.STAFF)
    assert roster_import.summary["duplicates"] == 3
    reasons = dict(roster_import.details["duplicates"])
    assert "same email address" in reasons[2] and "another" in reasons[4]


def test_it_refuses_a_staff_row_without_an_email(oakfield, head):
    data = csv_bytes(STAFF_HEADER, [staff("A", ""), staff("B", "b@t.example")])
    roster_import = dry_run(oakfield, head, "staff", data, role=Role.STAFF)
    assert roster_import.bad_lines == [[2, "the work email address is empty: a member of staff needs one to sign in"]]


def test_it_never_changes_a_sign_in_address_and_says_so(oakfield, head):
    run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]), role=Role.STAFF)
    moved = dry_run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "new.a@t.example")]),
                    role=Role.STAFF)
    assert moved.summary["unchanged"] == 1 and "never changes a sign-in address" in moved.details["notes"][0]
    assert User.objects.filter(email="a@t.example").exists()



def test_it_never_brings_back_a_role_a_person_ended(oakfield, head):
    from onlinesafety.schools.people.services import end_membership

    data = csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example")])
    run(oakfield, head, "staff", data, role=Role.STAFF, full=True)
    end_membership(membership=Membership.objects.get(user__email="b@t.example"), actor=head)
    again = dry_run(oakfield, head, "staff", data, role=Role.STAFF, full=True)
    assert again.summary["kept"] == 1 and again.summary["change"] == 0
    assert f"ended by {head.full_name} (headteacher)" in again.details["kept"][0]
    assert "left ended" in again.details["kept"][0]
    apply(again, head)
    assert not Membership.objects.get(user__email="b@t.example").is_active


def test_it_brings_back_a_role_an_import_ended_when_they_appear_again(oakfield, head):
    from onlinesafety.audit.models import AuditEvent

    both = csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example")])
    run(oakfield, head, "staff", both, role=Role.STAFF, full=True)
    ended = run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]), role=Role.STAFF,
                full=True)
    event = AuditEvent.objects.get(verb="membership.ended")  # one event per role the import ended, as a person's
    assert event.detail["roster_import"] == ended.pk
    back = run(oakfield, head, "staff", both, role=Role.STAFF, full=True)
    assert back.summary["change"] == 1 and Membership.objects.get(user__email="b@t.example").is_active


def test_it_brings_back_only_the_role_the_import_ended_never_one_a_person_ended(oakfield, head):
    from onlinesafety.audit.models import AuditEvent
    from onlinesafety.schools.people.services import end_membership

    both = csv_bytes(STAFF_HEADER, [staff("A", "a@t.example"), staff("B", "b@t.example")])
    run(oakfield, head, "staff", both, role=Role.STAFF, full=True)
    b_staff = Membership.objects.get(user__email="b@t.example", role=Role.STAFF)
    b_tech = Membership.objects.create(user=b_staff.user, school=oakfield, role=Role.TECHNICIAN, mis_id="B")
    end_membership(membership=b_tech, actor=head)  # a person ends one of B's two roles on the people pages
    ended = run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]), role=Role.STAFF,
                full=True)  # the import ends the other
    assert ended.applied["leave"] == 1
    events = AuditEvent.objects.filter(verb="membership.ended").order_by("pk")
    assert [(e.object_id, e.detail.get("roster_import")) for e in events] == [(str(b_tech.pk), None),
                                                                             (str(b_staff.pk), ended.pk)]
    back = run(oakfield, head, "staff", both, role=Role.STAFF, full=True)
    assert back.applied["change"] == 1
    b_staff.refresh_from_db()
    b_tech.refresh_from_db()
    assert b_staff.is_active and not b_tech.is_active  # the person's decision stands


def test_it_leaves_a_role_a_person_ended_ended_even_when_the_file_changes_their_job_title(oakfield, head):
    from onlinesafety.schools.people.services import end_membership

    run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example")]), role=Role.STAFF, full=True)
    end_membership(membership=Membership.objects.get(user__email="a@t.example"), actor=head)
    again = run(oakfield, head, "staff", csv_bytes(STAFF_HEADER, [staff("A", "a@t.example", role="Head of maths")]),
                role=Role.STAFF, full=True)
    assert (again.applied["kept"], again.applied["change"], again.applied["add"]) == (1, 0, 0)
    kept = Membership.objects.get(user__email="a@t.example")
    assert not kept.is_active and kept.job_title == "Class teacher"
