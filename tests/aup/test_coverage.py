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
