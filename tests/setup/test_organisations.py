"""Trusts and local authorities: their page of schools with each school's set-up, their administrators' home,
and the menu entries of the set-up pages."""

import pytest
from django.urls import reverse

from onlinesafety.schools.models import OrganisationMembership
from onlinesafety.schools.rights import administers_school
from onlinesafety.schools.roles import Role
from onlinesafety.schools.setup.selectors import administers_current_school
from policies.services import set_up_starter_register
from tests.factories import MembershipFactory, SchoolFactory, TermFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def org_url(organisation):
    return reverse("setup:organisation", args=[organisation.slug])


def test_it_lists_the_trusts_schools_with_their_set_up(client, oakfield, people, trust, trust_admin, other_trust,
                                                       riverside, on_today):
    SchoolFactory(name="Beech Hill Academy", slug="beech-hill", organisation=trust, phase="secondary")
    set_up_starter_register(school=oakfield)
    client.force_login(trust_admin)
    response = client.get(org_url(trust))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Oak Learning Trust" in page and "Multi-academy trust" in page
    assert "Oakfield Test Primary" in page and "Beech Hill Academy" in page
    assert riverside.name not in page  # another trust's school
    rows = {row["school"].slug: row["checklist"] for row in response.context["rows"]}
    assert rows["oak-test"].done_count == 3 and rows["beech-hill"].done_count == 0  # people, DSL, chair
    assert "3 of 7 done" in page and "0 of 7 done" in page
    assert "The starter policies uploaded: 8 of 8 policies not yet uploaded" in page
    assert "A safeguarding link governor: No link governor named" in page
    assert f'href="{reverse("setup:school_new")}?organisation=oak-trust"' in page
    assert f'href="{reverse("setup:school", args=["beech-hill"])}"' in page


def test_it_answers_404_for_another_trust_and_for_one_that_does_not_exist(client, trust, other_trust, trust_admin,
                                                                          other_trust_admin, people):
    client.force_login(trust_admin)
    assert client.get(org_url(other_trust)).status_code == 404
    assert client.get(reverse("setup:organisation", args=["no-such-trust"])).status_code == 404
    OrganisationMembership.objects.filter(user=trust_admin).update(is_active=False)  # no longer its administrator
    assert client.get(org_url(trust)).status_code == 404
    client.force_login(people.head)  # the head of one of its schools is not its administrator
    assert client.get(org_url(trust)).status_code == 404


def test_it_lists_3_or_30_schools_in_the_same_number_of_queries(client, trust, trust_admin, on_today,
                                                                 django_assert_max_num_queries):
    def add_schools(count):
        for _ in range(count):
            school = SchoolFactory(organisation=trust)
            member_of(school, Role.HEADTEACHER)
            member_of(school, Role.DSL)
            TermFactory(school=school)
            set_up_starter_register(school=school)

    add_schools(2)  # with oakfield: 3
    client.force_login(trust_admin)
    with django_assert_max_num_queries(15) as three:
        assert client.get(org_url(trust)).status_code == 200
    add_schools(27)
    with django_assert_max_num_queries(len(three.captured_queries)) as thirty:
        response = client.get(org_url(trust))
    assert len(response.context["rows"]) == 30
    assert len(thirty.captured_queries) == len(three.captured_queries)
    print(f"trust page: {len(three.captured_queries)} queries at 3 schools, {len(thirty.captured_queries)} at 30")


def test_a_trust_administrator_with_no_school_role_sees_their_trusts_at_home(client, trust, trust_admin,
                                                                              other_trust):
    client.force_login(trust_admin)
    page = client.get(reverse("home")).content.decode()
    assert "Your trusts and local authorities" in page
    assert f'href="{org_url(trust)}"' in page and org_url(other_trust) not in page
    assert f'href="{reverse("setup:school_new")}"' in page
    assert "not linked to a school" not in page


def test_the_site_administrator_sees_every_trust_and_can_create_schools(client, site_admin, trust, other_trust):
    client.force_login(site_admin)
    page = client.get(reverse("home")).content.decode()
    assert org_url(trust) in page and org_url(other_trust) in page
    assert reverse("setup:school_new") in page and "Open the site admin" in page


def test_someone_with_no_school_and_no_trust_is_told_to_ask_the_school(client, trust):
    client.force_login(UserFactory())
    page = client.get(reverse("home")).content.decode()
    assert "not linked to a school" in page and reverse("setup:school_new") not in page


# ---------------------------------------------------------------- the menu

def labels(client):
    return [item["label"] for menu in client.get(reverse("home")).context["nav_menus"]
            for item in menu["items"]]


def test_the_menu_offers_set_up_to_whoever_administers_the_current_school(client, oakfield, people, trust,
                                                                          trust_admin):
    client.force_login(people.head)
    assert "Set up" in labels(client) and "Trust or LA" not in labels(client)
    response = client.get(reverse("setup:current"))
    assert response["Location"] == reverse("setup:school", args=[oakfield.slug])
    client.force_login(people.dsl)
    assert "Set up" not in labels(client)
    assert client.get(reverse("setup:current")).status_code == 404
    # A trust administrator who also holds a role in one of its schools: both entries.
    MembershipFactory(user=trust_admin, school=oakfield, role=Role.GOVERNOR)
    client.force_login(trust_admin)
    assert {"Set up", "Trust or LA"} <= set(labels(client))
    assert client.get(reverse("setup:current_organisation"))["Location"] == org_url(trust)


def test_the_menu_entry_for_the_trust_needs_one_of_its_administrators(client, oakfield, people, trust):
    client.force_login(people.head)
    assert client.get(reverse("setup:current_organisation")).status_code == 404
    client.force_login(UserFactory())  # no school at all
    assert client.get(reverse("setup:current"))["Location"] == reverse("home")
    assert client.get(reverse("setup:current_organisation")).status_code == 404


def test_the_menus_right_agrees_with_the_kernels(oakfield, riverside, people, trust, trust_admin, other_trust_admin,
                                                 site_admin):
    for person in [*(getattr(people, name) for name in ("head", "dsl", "governor", "riverside_dsl")), trust_admin,
                   other_trust_admin, site_admin]:
        for school in (oakfield, riverside):
            fresh = type(person).objects.get(pk=person.pk)  # no cached roles or organisations
            assert administers_current_school(fresh, school) == administers_school(fresh, school), (person, school)
