"""A member of one school never sees another school's records; each role reaches only its pages."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from onlinesafety.schools.roles import Role
from onlinesafety.schools.selectors import pupils_visible_to
from tests.factories import MembershipFactory, ParentLinkFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_it_gives_riverside_a_404_for_an_oakfield_pupil(client, oakfield, riverside, make_member):
    pupil = PupilFactory(school=oakfield)
    river_dsl = make_member(riverside, Role.DSL)
    client.force_login(river_dsl)
    assert client.get(reverse("schools:pupil_detail", args=[pupil.pk])).status_code == 404


def test_it_keeps_oakfield_pupils_out_of_riverside_lists(client, oakfield, riverside, make_member):
    PupilFactory(school=oakfield, first_name="Oakfieldonly", last_name="Child")
    client.force_login(make_member(riverside, Role.DSL))
    response = client.get(reverse("schools:pupil_list"))
    assert response.status_code == 200
    assert b"Oakfieldonly" not in response.content


def test_it_scopes_to_the_current_school_for_a_member_of_two(client, oakfield, riverside, make_member):
    oak_pupil = PupilFactory(school=oakfield)
    trust_dsl = make_member(oakfield, Role.DSL)
    MembershipFactory(user=trust_dsl, school=riverside, role=Role.DSL)
    client.force_login(trust_dsl)
    client.post(reverse("schools:switch"), {"school": riverside.pk})
    assert client.get(reverse("schools:pupil_detail", args=[oak_pupil.pk])).status_code == 404
    client.post(reverse("schools:switch"), {"school": oakfield.pk})
    assert client.get(reverse("schools:pupil_detail", args=[oak_pupil.pk])).status_code == 200


def test_it_refuses_to_switch_to_a_school_the_user_is_not_in(client, oakfield, riverside, make_member):
    client.force_login(make_member(oakfield, Role.STAFF))
    assert client.post(reverse("schools:switch"), {"school": riverside.pk}).status_code == 404
    assert client.post(reverse("schools:switch"), {"school": "not-a-number"}).status_code == 404


def test_it_lets_a_parent_see_only_their_own_child(oakfield, make_member):
    parent = make_member(oakfield, Role.PARENT)
    own = PupilFactory(school=oakfield)
    PupilFactory(school=oakfield)
    ParentLinkFactory(parent=parent, pupil=own)
    assert list(pupils_visible_to(parent, oakfield)) == [own]


def test_it_widens_access_one_record_at_a_time_with_guardian(oakfield, make_member):
    visitor = make_member(oakfield, Role.VISITOR)
    shared = PupilFactory(school=oakfield)
    PupilFactory(school=oakfield)
    assert list(pupils_visible_to(visitor, oakfield)) == []
    assign_perm("schools.view_pupil", visitor, shared)
    assert list(pupils_visible_to(visitor, oakfield)) == [shared]


def test_it_never_lets_a_guardian_grant_cross_schools(oakfield, riverside, make_member):
    visitor = make_member(riverside, Role.VISITOR)
    assign_perm("schools.view_pupil", visitor, PupilFactory(school=oakfield))
    assert list(pupils_visible_to(visitor, riverside)) == []
    assert list(pupils_visible_to(visitor, oakfield)) == []


def test_it_ignores_ended_memberships(client, oakfield, make_member):
    from onlinesafety.schools.models import Membership

    former = make_member(oakfield, Role.DSL)
    Membership.objects.filter(user=former).update(is_active=False)
    client.force_login(former)
    assert b"not linked to a school" in client.get(reverse("home")).content
    assert client.get(reverse("schools:pupil_list")).status_code == 302


PAGES = ["schools:pupil_list", "schools:member_list", "schools:my_children", "schools:pupil_detail"]
EXPECTED = {
    # role: pages it may open (others answer 403)
    Role.HEADTEACHER: {"schools:pupil_list", "schools:member_list", "schools:pupil_detail"},
    Role.DSL: {"schools:pupil_list", "schools:member_list", "schools:pupil_detail"},
    Role.DEPUTY_DSL: {"schools:pupil_list", "schools:member_list", "schools:pupil_detail"},
    Role.ONLINE_SAFETY_LEAD: {"schools:pupil_list", "schools:pupil_detail"},
    Role.STAFF: {"schools:pupil_list", "schools:pupil_detail"},
    Role.TECHNICIAN: {"schools:pupil_list", "schools:pupil_detail"},
    Role.GOVERNOR: set(),
    Role.PARENT: {"schools:my_children"},
    Role.VISITOR: set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", PAGES)
def test_it_matches_the_access_matrix(client, oakfield, riverside, make_member, role, page):
    pupil = PupilFactory(school=oakfield)
    args = [pupil.pk] if page == "schools:pupil_detail" else []
    client.force_login(make_member(oakfield, role))
    expected = 200 if page in EXPECTED[role] else 403
    assert client.get(reverse(page, args=args)).status_code == expected

    # The same role in the other school: pages open, but the oakfield pupil is not found.
    client.force_login(make_member(riverside, role))
    status = client.get(reverse(page, args=args)).status_code
    if page == "schools:pupil_detail" and page in EXPECTED[role]:
        assert status == 404
    else:
        assert status == expected
