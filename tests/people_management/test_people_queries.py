"""The people page and the parents' list in a fixed number of queries, whatever the size of the school."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from onlinesafety.accounts.models import Invitation
from onlinesafety.accounts.services import send_invitation
from onlinesafety.schools.models import ParentLink
from onlinesafety.schools.roles import Role
from onlinesafety.schools.services import link_parent
from tests.factories import PupilFactory, member_of

pytestmark = pytest.mark.django_db
User = get_user_model()
ROLES = [Role.STAFF, Role.TECHNICIAN, Role.GOVERNOR, Role.VISITOR, Role.DEPUTY_DSL]

# What one page costs: the session, the user, their memberships (the current school), the school in the address
# and the right to administer it; the page's own reads (the people page: members with their invitations, the
# parents' counts, who could be invited: three); the menu, the notices and the alerts count. 10 today for either
# page; the budget leaves room for another app's menu entry, and both sizes must cost exactly the same.
PEOPLE_PAGE_QUERIES = 12
PARENTS_PAGE_QUERIES = 12


def queries_for(client, url, budget, django_assert_max_num_queries):
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def grow(school, head, size, start):
    """``size`` more members across the roles (a third of them invited, not yet accepted) and as many parents
    (half imported with no password, some of them invited)."""
    for n in range(start, start + size):
        member_of(school, ROLES[n % len(ROLES)], email=f"member{n}@t.example")
        if n % 3 == 0:
            user = User.objects.create_user(email=f"invited{n}@t.example", full_name=f"Invited {n}")
            member_of(school, Role.STAFF, email=user.email)
            send_invitation(user=user, school=school, actor=head, kind=Invitation.Kind.STAFF)
        if n % 3 == 1:  # as the roster's staff import makes them: no password, not invited
            user = User.objects.create_user(email=f"imported{n}@t.example", full_name=f"Imported {n}")
            member_of(school, Role.TECHNICIAN, email=user.email)
        parent = User.objects.create_user(email=f"parent{n}@t.example", full_name=f"Parent {n}",
                                          password=None if n % 2 else "a-usable-password")
        link_parent(pupil=PupilFactory(school=school), parent=parent, relationship=ParentLink.Relationship.MOTHER)
        if n % 4 == 1:
            send_invitation(user=parent, school=school, actor=head, kind=Invitation.Kind.PARENT)


@pytest.mark.parametrize("viewer", ["head", "trust_admin"])
def test_it_shows_the_people_page_in_a_fixed_number_of_queries(
        client, oakfield, people, trust_admin, django_assert_max_num_queries, viewer):
    client.force_login(trust_admin if viewer == "trust_admin" else people.head)
    url = reverse("people:list", args=[oakfield.slug])
    client.get(url)  # the first page after signing in also settles the session (agreements first)
    counts = []
    for start, size in ((0, 5), (5, 60)):
        grow(oakfield, people.head, size, start)
        counts.append(queries_for(client, url, PEOPLE_PAGE_QUERIES, django_assert_max_num_queries))
    assert counts[0] == counts[1]
    page = client.get(url).content.decode()
    assert "Invited 63" in page and "Imported 64" in page and "Invite 22 people to set a password" in page


def test_it_shows_the_parents_list_in_a_fixed_number_of_queries(
        client, oakfield, people, django_assert_max_num_queries):
    client.force_login(people.head)
    url = reverse("people:parents", args=[oakfield.slug])
    client.get(url)  # the first page after signing in also settles the session (agreements first)
    counts = []
    for start, size in ((0, 5), (5, 60)):
        grow(oakfield, people.head, size, start)
        counts.append(queries_for(client, url, PARENTS_PAGE_QUERIES, django_assert_max_num_queries))
    assert counts[0] == counts[1]
