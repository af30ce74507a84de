import pytest
from django.urls import reverse

from onlinesafety.schools.roles import Role
from tests.factories import ParentLinkFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME_MARKERS = {
    Role.HEADTEACHER: "Allegations about a member of staff",
    Role.DSL: "reaches you and your deputies first",
    Role.DEPUTY_DSL: "reaches you and the Designated Safeguarding Lead first",
    Role.ONLINE_SAFETY_LEAD: "You lead online safety across the school",
    Role.STAFF: "Report an online safety concern",
    Role.TECHNICIAN: "Carry out filtering changes",
    Role.GOVERNOR: "termly online safety report",
    Role.PARENT: "Read the acceptable use agreement with each of your children",
    Role.VISITOR: "visitor acceptable use agreement",
}


@pytest.mark.parametrize("role", list(Role))
def test_it_lands_each_role_on_its_own_home(client, oakfield, make_member, role):
    user = make_member(oakfield, role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert HOME_MARKERS[role] in body
    assert oakfield.name in body
    assert Role(role).label in body
    assert [t.name for t in response.templates][0] == f"home/{role}.html"


def test_it_shows_a_parent_their_children(client, oakfield, make_member):
    parent = make_member(oakfield, Role.PARENT)
    child = PupilFactory(school=oakfield, first_name="Ada", last_name="Lovelace")
    PupilFactory(school=oakfield, first_name="Not", last_name="Theirs")
    ParentLinkFactory(parent=parent, pupil=child)
    client.force_login(parent)
    body = client.get(reverse("home")).content.decode()
    assert "Ada Lovelace" in body
    assert "Not Theirs" not in body


def test_it_marks_the_chair_and_link_governor(client, oakfield, make_member):
    chair = make_member(oakfield, Role.GOVERNOR, is_chair=True)
    client.force_login(chair)
    assert b"Chair of governors" in client.get(reverse("home")).content


def test_it_explains_when_a_user_has_no_school(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"not linked to a school" in response.content


def test_it_speaks_to_the_senior_role_when_a_person_holds_two(client, oakfield, make_member):
    from tests.factories import MembershipFactory

    head = make_member(oakfield, Role.STAFF)
    MembershipFactory(user=head, school=oakfield, role=Role.HEADTEACHER)
    client.force_login(head)
    response = client.get(reverse("home"))
    assert [t.name for t in response.templates][0] == "home/headteacher.html"


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.STAFF, ["Pupils"], ["My children", "People"]),
        (Role.PARENT, ["My children"], ["Pupils", "People"]),
        (Role.GOVERNOR, [], ["Pupils", "My children", "People"]),
        (Role.DSL, ["Pupils", "People"], ["My children"]),
    ],
)
def test_it_builds_navigation_from_the_role(client, oakfield, make_member, role, visible, hidden):
    client.force_login(make_member(oakfield, role))
    response = client.get(reverse("home"))
    labels = [item["label"] for menu in response.context["nav_menus"] for item in menu["items"]]
    assert all(label in labels for label in visible)
    assert not any(label in labels for label in hidden)
