"""Coverage of the versions in force: counts, percentages, drill-down, CSV and resending."""

import csv
import io

import pytest
from django.urls import reverse

from aup import selectors, services
from aup.models import Agreement, Audience, Campaign, CampaignKind, Invitation, Outcome
from tests.aup.helpers import answer_form
from tests.factories import ParentLinkFactory, PupilFactory

pytestmark = pytest.mark.django_db


def answer(school, family, pupil, outcome=Outcome.SIGNED):
    parent = family.neighbour if pupil == family.neighbours_child else family.parent
    services.answer_for_child(school=school, parent=parent, pupil=pupil, kind=CampaignKind.AGREEMENT,
                              outcome=outcome, typed_name="A Parent", relationship="mother",
                              discussed_with_child=True, decline_reason="Not yet")


def test_it_counts_with_percentages_per_pupil_agreement_and_class(published, family, people):
    answer(published, family, family.younger)
    answer(published, family, family.older, Outcome.DECLINED)
    data = selectors.family_coverage(published, selectors.current_round(published))
    audiences = {row.key: row for row in data["audiences"]}
    assert (audiences["pupil_early"].total, audiences["pupil_early"].signed) == (1, 1)
    ks2 = audiences["pupil_ks2"]
    assert (ks2.total, ks2.signed, ks2.declined, ks2.outstanding) == (2, 0, 1, 1)
    assert (ks2.declined_percent, ks2.outstanding_percent) == (50, 50)
    classes = {row.label: row for row in data["classes"]}
    assert (classes["Maple"].total, classes["Maple"].declined, classes["Beech"].signed_percent) == (2, 1, 100)
    assert data["images"].total == 3 and data["images"].signed == 0


def test_it_counts_a_decline_then_a_signature_as_signed(published, family):
    answer(published, family, family.younger, Outcome.DECLINED)
    answer(published, family, family.younger)
    row = {r.key: r for r in selectors.family_coverage(published, selectors.current_round(published))["audiences"]}
    assert (row["pupil_early"].signed, row["pupil_early"].declined) == (1, 0)


def test_it_resets_only_the_key_stage_of_a_new_pupil_agreement(published, family, people):
    answer(published, family, family.younger)
    answer(published, family, family.older)
    ks2 = Agreement.objects.get(school=published, audience=Audience.PUPIL_KS2)
    services.save_draft(agreement=ks2, actor=people.osl, title=ks2.title, text="New KS2 rules.")
    services.publish(agreement=ks2, actor=people.osl)
    rows = {r.key: r for r in selectors.family_coverage(published, selectors.current_round(published))["audiences"]}
    assert rows["pupil_early"].signed == 1 and rows["pupil_ks2"].signed == 0


def test_it_counts_the_staff_who_signed(published, people):
    staff_version = Agreement.objects.get(school=published, audience=Audience.STAFF).current_version
    services.sign_personal(version=staff_version, user=people.reporter, school=published, typed_name="Rita")
    rows = {r.key: r for r in selectors.personal_coverage(published, selectors.current_round(published))}
    # reporter, other staff, technician, dsl, deputy, osl, head, chair, governor
    assert (rows["staff"].total, rows["staff"].signed) == (9, 1)
    assert (rows["visitor"].total, rows["visitor"].signed) == (1, 0)
    outstanding = selectors.unsigned_people(published, "staff", selectors.current_round(published))
    assert people.reporter not in outstanding and people.head in outstanding


def test_it_drills_down_to_the_names_outstanding(client, published, family, people):
    answer(published, family, family.younger)
    client.force_login(people.dsl)
    page = client.get(reverse("aup:coverage")).content.decode()
    assert "Maple" in page and "Beech" in page
    names = client.get(reverse("aup:outstanding"), {"kind": "agreement", "class": family.year5.pk}).content.decode()
    assert "Ben Lovelock" in names and "Cleo Nextdoor" in names and "Ada Lovelock" not in names
    staff = client.get(reverse("aup:outstanding"), {"audience": "staff"}).content.decode()
    assert people.head.full_name in staff


def test_it_lists_everyone_with_their_state_in_the_csv(client, published, family, people):
    answer(published, family, family.younger)
    client.force_login(people.osl)
    response = client.get(reverse("aup:coverage_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["who", "name", "year group", "class", "acceptable use"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Ada Lovelock"][4] == "signed" and by_name["Ben Lovelock"][4] == "outstanding"
    assert by_name[people.head.full_name][4] == "outstanding"


def test_it_resends_only_to_families_still_to_answer(client, published, family, people):
    answer(published, family, family.younger)
    client.force_login(people.dsl)
    response = client.post(reverse("aup:resend"), {"kind": "agreement"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.cohort == Campaign.Cohort.OUTSTANDING
    invited = {i.parent.email: set(i.pupils.all()) for i in Invitation.objects.filter(campaign=campaign)}
    assert invited == {family.parent.email: {family.older}, family.neighbour.email: {family.neighbours_child}}


def test_it_changes_nothing_on_a_resend_when_everyone_answered(client, published, family, people):
    for pupil in (family.younger, family.older, family.neighbours_child):
        answer(published, family, pupil)
    client.force_login(people.dsl)
    response = client.post(reverse("aup:resend"), {"kind": "agreement"}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not Campaign.objects.exists()


def test_it_shows_the_coverage_page_in_a_fixed_number_of_queries(
    client, published, people, django_assert_max_num_queries
):
    client.force_login(people.osl)
    for extra in (3, 40):
        for _ in range(extra):
            ParentLinkFactory(pupil=PupilFactory(school=published))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("aup:coverage")).status_code == 200


def test_it_lets_the_signed_in_parent_answer_from_their_own_page(
    client, published, family, django_capture_on_commit_callbacks
):
    client.force_login(family.parent)
    page = client.get(reverse("aup:family")).content.decode()
    assert "Ada" in page and "Cleo" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aup:family_answer", args=[family.younger.pk, "agreement"]), answer_form())
    assert response.status_code == 302
    signature = selectors.answers_for(family.younger, selectors.current_round(published), "agreement")[0]
    assert signature.channel == "in_app"
    assert client.get(reverse("aup:family_copy", args=[signature.pk]))["Content-Type"] == "application/pdf"
    assert client.get(reverse("aup:family_answer", args=[family.neighbours_child.pk, "agreement"])).status_code == 404


@pytest.fixture
def no_email(published, family):
    """Two pupils no campaign can reach: Dan, whose only carer with parental responsibility has no email on
    record; Eve, whose carer with an email has no parental responsibility (her guardian has no email)."""
    from onlinesafety.schools.models import Contact, ParentLink

    dan = PupilFactory(school=published, first_name="Dan", last_name="Noemail", year_group=5,
                       school_class=family.year5)
    grandmother = Contact.objects.create(school=published, full_name="Gran Noemail")
    ParentLink.objects.create(contact=grandmother, pupil=dan, relationship="grandparent")
    eve = PupilFactory(school=published, first_name="Eve", last_name="Guardian", year_group=1,
                       school_class=family.year1)
    ParentLinkFactory(pupil=eve, has_parental_responsibility=False, relationship="step_parent")
    guardian = Contact.objects.create(school=published, full_name="Gail Guardian")
    ParentLink.objects.create(contact=guardian, pupil=eve, relationship="guardian")
    return dan, eve


def test_it_counts_the_pupils_with_no_email_on_record_per_class(published, family, no_email):
    data = selectors.family_coverage(published, selectors.current_round(published))
    assert data["no_email_total"] == 2
    by_class = {row.label: (row.total, row.no_email) for row in data["no_email"]}
    assert by_class == {"Beech": (2, 1), "Maple": (3, 1)}  # Ada is reachable; Ben and Cleo too


def test_it_lists_the_pupils_with_no_email_on_record(client, published, family, no_email, people):
    dan, eve = no_email
    client.force_login(people.dsl)
    coverage = client.get(reverse("aup:coverage")).content.decode()
    assert "No email on record" in coverage and "2 pupils on roll have no parent or carer" in coverage
    assert f"missing=email&amp;class={family.year5.pk}" in coverage
    page = client.get(reverse("aup:outstanding"), {"missing": "email"}).content.decode()
    assert "Dan Noemail" in page and "Eve Guardian" in page and "Gran Noemail (Grandparent)" in page
    assert "Ada Lovelock" not in page and "Ben Lovelock" not in page
    one_class = client.get(reverse("aup:outstanding"), {"missing": "email", "class": family.year1.pk})
    assert "Eve Guardian" in one_class.content.decode() and "Dan Noemail" not in one_class.content.decode()
    client.force_login(people.reporter)
    assert client.get(reverse("aup:outstanding"), {"missing": "email"}).status_code == 403


def test_it_says_so_when_every_pupil_has_an_email_on_record(client, published, family, people):
    client.force_login(people.dsl)
    assert "Every pupil on roll has a parent or carer with parental responsibility and an email on record" in \
        client.get(reverse("aup:coverage")).content.decode()


def test_it_marks_no_email_on_record_in_the_csv(client, published, family, no_email, people):
    client.force_login(people.osl)
    response = client.get(reverse("aup:coverage_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][-1] == "family email on record"
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Dan Noemail"][-1] == "no email on record" and by_name["Eve Guardian"][-1] == "no email on record"
    assert by_name["Ada Lovelock"][-1] == "yes"
    assert by_name[people.head.full_name][-1] == ""


def test_it_shows_the_no_email_list_in_a_fixed_number_of_queries(
    client, published, people, family, django_assert_max_num_queries
):
    from onlinesafety.schools.models import Contact, ParentLink

    client.force_login(people.osl)
    for extra in (3, 40):
        for _ in range(extra):
            pupil = PupilFactory(school=published, school_class=family.year5)
            ParentLink.objects.create(contact=Contact.objects.create(school=published, full_name="No Email"),
                                      pupil=pupil, relationship="mother")
        with django_assert_max_num_queries(14):
            assert client.get(reverse("aup:coverage")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("aup:outstanding"), {"missing": "email"}).status_code == 200
