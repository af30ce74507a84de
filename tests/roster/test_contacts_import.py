"""Parents and carers from an MIS export: accounts by email, links, parent memberships, and access that ends."""

import pytest
from django.urls import reverse

from aup import services as aup_services
from aup.models import Campaign, CampaignKind, Signature
from incidents.models import Incident
from onlinesafety.accounts.models import User
from onlinesafety.roster.models import Status
from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil
from onlinesafety.schools.roles import Role
from tests.aup.helpers import answer_form, publish_all, tokens_sent_to
from tests.factories import UserFactory
from tests.incidents.helpers import bulk_incidents
from tests.roster.helpers import CONTACTS_HEADER, apply, contact, csv_bytes, dry_run, pupils_csv, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(oakfield, head):
    run(oakfield, head, "pupils", pupils_csv(3), full=True)
    return {p.mis_id: p for p in Pupil.objects.filter(school=oakfield)}


def parent_member(user, school):
    return Membership.objects.filter(user=user, school=school, role=Role.PARENT, is_active=True).exists()


def test_it_gives_a_contact_with_an_email_an_account_a_link_and_a_parent_membership(oakfield, head, pupils):
    data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="Mum.One@Families.Test", priority="2"),
                                       contact(1, 1002, email="Mum.One@Families.Test", priority="2"),
                                       contact(2, 1001, email="", relationship="Grandfather", responsibility="No")])
    roster_import = run(oakfield, head, "contacts", data)
    assert roster_import.status == Status.APPLIED
    mum = Contact.objects.get(mis_id="1")
    assert (mum.email, mum.user.email, mum.user.has_usable_password()) == (
        "mum.one@families.test", "mum.one@families.test", False)
    links = ParentLink.objects.filter(contact=mum).order_by("pupil__mis_id")
    assert [(link.pupil.mis_id, link.parent_id, link.priority, link.relationship) for link in links] == [
        ("1001", mum.user.pk, 2, "mother"), ("1002", mum.user.pk, 2, "mother")]
    assert parent_member(mum.user, oakfield)
    grandad = Contact.objects.get(mis_id="2")
    assert grandad.user is None and grandad.email == ""
    link = ParentLink.objects.get(contact=grandad)
    assert (link.parent, link.relationship, link.has_parental_responsibility) == (None, "grandparent", False)
    assert roster_import.applied["accounts_created"] == 1


def test_it_reuses_the_account_of_an_email_already_known(oakfield, head, pupils):
    teacher = UserFactory(email="teacher.parent@t.example")
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(7, 1001, email="teacher.parent@t.example")]))
    assert Contact.objects.get(mis_id="7").user == teacher
    assert User.objects.filter(email="teacher.parent@t.example").count() == 1


def test_it_changes_nothing_when_the_same_contacts_are_imported_again(oakfield, head, pupils):
    data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001), contact(2, 1002), contact(3, 1003, email="")])
    run(oakfield, head, "contacts", data, full=True)
    before = sorted(ParentLink.objects.values_list("pk", "contact_id", "parent_id", "priority", "relationship"))
    again = run(oakfield, head, "contacts", data, full=True)
    assert (again.summary["add"], again.summary["change"], again.summary["leave"]) == (0, 0, 0)
    assert again.summary["unchanged"] == 3
    assert sorted(ParentLink.objects.values_list("pk", "contact_id", "parent_id", "priority", "relationship")) == before


def test_it_moves_a_contact_to_the_account_of_their_new_email(oakfield, head, pupils):
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="old@families.test")]))
    old = User.objects.get(email="old@families.test")
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="new@families.test")]))
    new = User.objects.get(email="new@families.test")
    assert Contact.objects.get(mis_id="1").user == new
    assert ParentLink.objects.get().parent == new
    assert parent_member(new, oakfield) and not parent_member(old, oakfield)


def test_it_removes_a_link_missing_from_a_full_contacts_export(oakfield, head, pupils):
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001), contact(1, 1002)]), full=True)
    roster_import = run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001)]), full=True)
    assert roster_import.summary["leave"] == 1
    assert list(ParentLink.objects.values_list("pupil__mis_id", flat=True)) == ["1001"]
    assert Contact.objects.filter(mis_id="1").exists()


def test_it_reports_one_email_for_two_different_contacts(oakfield, head, pupils):
    data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="shared@families.test"),
                                       contact(2, 1002, email="shared@families.test"), contact(3, 1003)])
    roster_import = dry_run(oakfield, head, "contacts", data)
    assert roster_import.summary["duplicates"] == 2 and roster_import.summary["add"] == 1
    assert all("one email address for 2 different contacts" in why for _, why in roster_import.details["duplicates"])


def test_it_reports_rows_for_one_contact_that_disagree(oakfield, head, pupils):
    data = csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="a@families.test"),
                                       contact(1, 1002, email="b@families.test")])
    roster_import = dry_run(oakfield, head, "contacts", data)
    assert roster_import.summary["duplicates"] == 2


def test_it_reports_a_contact_row_for_a_pupil_not_on_the_roster(oakfield, head, pupils):
    roster_import = dry_run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001),
                                                                                  contact(2, 9999)]))
    assert roster_import.bad_lines == [[3, "no pupil on the roster has this pupil's MIS id or UPN (import the "
                                           "pupils first)"]]
    assert roster_import.summary["bad"] == 1 and roster_import.summary["add"] == 1


def test_it_ends_access_at_once_for_a_parent_whose_only_child_left(client, oakfield, head, pupils, people):
    publish_all(oakfield, people.osl)
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="only@families.test"),
                                                                 contact(2, 1002, email="two@families.test"),
                                                                 contact(2, 1003, email="two@families.test")]))
    only, two = User.objects.get(email="only@families.test"), User.objects.get(email="two@families.test")
    aup_services.start_campaign(school=oakfield, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    token = tokens_sent_to(only.email)[0]
    child = pupils["1001"]
    assert client.get(reverse("aup:sign_child", args=[token, child.pk])).status_code == 200
    only.set_password("a-long-password-1"), only.save()
    client.force_login(only)
    assert client.get(reverse("aup:family")).status_code == 200

    dry = dry_run(oakfield, head, "pupils", pupils_csv(2, start=2), full=True)
    assert dry.summary["parents_losing_access"] == 1
    applied = apply(dry, head)
    assert applied.applied["parent_access_ended"] == 1
    assert not parent_member(only, oakfield) and parent_member(two, oakfield)
    assert client.get(reverse("aup:family")).status_code == 302  # no school left: sent home
    assert client.get(reverse("aup:family_answer", args=[child.pk, "agreement"])).status_code in (302, 404)
    client.logout()
    assert client.get(reverse("aup:sign_child", args=[token, child.pk])).status_code == 404
    assert client.get(reverse("aup:sign", args=[token])).status_code == 410  # nothing left to answer
    assert ParentLink.objects.filter(parent=only, pupil=child).exists()  # the history stays


def test_it_keeps_a_leavers_records_and_signatures(client, oakfield, head, pupils, people):
    publish_all(oakfield, people.osl)
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [contact(1, 1001, email="mum@families.test")]))
    aup_services.start_campaign(school=oakfield, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    child = pupils["1001"]
    token = tokens_sent_to("mum@families.test")[0]
    client.post(reverse("aup:sign_child", args=[token, child.pk]), answer_form())
    assert Signature.objects.filter(pupil=child).count() == 1
    [case] = bulk_incidents(oakfield, people.reporter, 1, pupils=[child])

    run(oakfield, head, "pupils", pupils_csv(2, start=2), full=True)
    child.refresh_from_db()
    assert child.is_on_roll is False
    assert Signature.objects.filter(pupil=child).count() == 1
    assert list(Incident.objects.get(pk=case.pk).pupils.all()) == [child]
    client.force_login(people.dsl)
    client.get(reverse("incidents:case", args=[case.pk]))  # once through "your agreements first"
    case_page = client.get(reverse("incidents:case", args=[case.pk]))
    assert case_page.status_code == 200 and child.last_name in case_page.content.decode()


def test_it_keeps_a_leavers_chronology_open_to_the_dsl(client, oakfield, head, pupils, people):
    child = pupils["1001"]
    bulk_incidents(oakfield, people.reporter, 1, pupils=[child])
    run(oakfield, head, "pupils", pupils_csv(2, start=2), full=True)
    client.force_login(people.dsl)
    page = client.get(reverse("incidents:chronology", args=[child.pk]))
    assert page.status_code == 200 and "Left the school" in page.content.decode()
    assert client.get(reverse("schools:pupil_detail", args=[child.pk])).status_code == 200
    assert child.full_name not in client.get(reverse("schools:pupil_list")).content.decode()  # not on the roll
    client.force_login(people.reporter)  # other staff no longer see a pupil who left
    assert client.get(reverse("schools:pupil_detail", args=[child.pk])).status_code == 404


def test_it_keeps_every_link_of_a_contact_whose_bad_line_names_no_pupil(oakfield, head, pupils):
    both = [contact(1, 1001), contact(1, 1002), contact(2, 1003)]
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, both), full=True)
    bad = contact(1, "", email="=HYPERLINK(1)")  # a readable contact id, and no pupil: both their links stay
    preview = dry_run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, [bad, contact(2, 1003)]), full=True)
    assert (preview.summary["leave"], preview.summary["kept"], preview.summary["bad"]) == (0, 2, 1)
    apply(preview, head)
    assert sorted(ParentLink.objects.filter(contact__mis_id="1").values_list("pupil__mis_id", flat=True)) == [
        "1001", "1002"]


def test_it_lets_two_carers_of_two_siblings_swap_email_addresses_in_a_partial_export(oakfield, head, pupils):
    rows = [contact(1, 1001, email="mum@families.test"), contact(1, 1002, email="mum@families.test"),
            contact(2, 1001, email="dad@families.test", relationship="Father", priority="2"),
            contact(2, 1002, email="dad@families.test", relationship="Father", priority="2")]
    run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, rows), full=True)
    mum, dad = User.objects.get(email="mum@families.test"), User.objects.get(email="dad@families.test")
    swapped = [row.replace("mum@", "tmp@").replace("dad@", "mum@").replace("tmp@", "dad@") for row in rows]
    done = run(oakfield, head, "contacts", csv_bytes(CONTACTS_HEADER, swapped))
    assert done.status == Status.APPLIED and done.applied["change"] == 4
    assert Contact.objects.get(mis_id="1").user == dad and Contact.objects.get(mis_id="2").user == mum
    links = sorted(ParentLink.objects.values_list("contact__mis_id", "pupil__mis_id", "parent__email"))
    assert links == [("1", "1001", "dad@families.test"), ("1", "1002", "dad@families.test"),
                     ("2", "1001", "mum@families.test"), ("2", "1002", "mum@families.test")]
    assert parent_member(mum, oakfield) and parent_member(dad, oakfield)
