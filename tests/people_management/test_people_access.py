"""Who may open each people page: the school's headteacher, an administrator of its trust and the site
administrator; everyone else in the school, the other school, and another trust's administrator get the 404 page,
as for a school that does not exist, and change nothing."""

import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.models import Membership
from onlinesafety.schools.roles import Role
from tests.factories import member_of
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

ADMINISTRATORS = {"head", "trust_admin", "site_admin"}
OTHERS = ("other_trust_admin", "riverside_head")
EVERYONE_HERE = (*EVERYONE, "trust_admin", "site_admin", *OTHERS)


@pytest.fixture
def who(people, trust_admin, other_trust_admin, site_admin, riverside_head):
    extra = {"trust_admin": trust_admin, "other_trust_admin": other_trust_admin, "site_admin": site_admin,
             "riverside_head": riverside_head}
    return lambda name: extra[name] if name in extra else getattr(people, name)


def membership(user, school, role):
    return Membership.objects.get(user=user, school=school, role=role)


def pages(school, people):
    """Every new address, with the method and the form it is sent."""
    staff = membership(people.reporter, school, Role.STAFF).pk
    leaver = membership(people.other_staff, school, Role.STAFF).pk
    technician = membership(people.technician, school, Role.TECHNICIAN).pk
    governor = membership(people.governor, school, Role.GOVERNOR).pk
    slug = school.slug
    return [
        ("get", reverse("people:list", args=[slug]), {}),
        ("get", reverse("people:add", args=[slug]), {}),
        ("post", reverse("people:add", args=[slug]), {"full_name": "New Person", "email": "new@t.example",
                                                      "role": "staff"}),
        ("get", reverse("people:change_role", args=[slug, staff]), {}),
        ("post", reverse("people:change_role", args=[slug, staff]), {"role": "technician"}),
        ("get", reverse("people:end", args=[slug, leaver]), {}),
        ("post", reverse("people:end", args=[slug, leaver]), {}),
        ("post", reverse("people:chair", args=[slug, governor]), {"chair": "yes"}),
        ("post", reverse("people:link_governor", args=[slug, governor]), {"link": "yes"}),
        ("post", reverse("people:resend", args=[slug, technician]), {"seen": ""}),
        ("get", reverse("people:parents", args=[slug]), {}),
        ("post", reverse("people:invite_parents", args=[slug]), {}),
        ("post", reverse("people:invite_staff", args=[slug]), {}),
    ]


@pytest.mark.parametrize("person", EVERYONE_HERE)
def test_it_opens_the_people_pages_to_those_who_administer_the_school_only(client, oakfield, people, who, person):
    client.force_login(who(person))
    for method, url, data in pages(oakfield, people):
        events = AuditEvent.objects.count()
        memberships = list(Membership.objects.order_by("pk").values_list("pk", "role", "is_active", "is_chair",
                                                                        "is_safeguarding_governor"))
        response = getattr(client, method)(url, data)
        if person in ADMINISTRATORS:
            assert response.status_code in (200, 302), (method, url, response.status_code)
        else:
            assert response.status_code == 404, (person, method, url, response.status_code)
            assert AuditEvent.objects.count() == events, (person, url)
            assert list(Membership.objects.order_by("pk").values_list(
                "pk", "role", "is_active", "is_chair", "is_safeguarding_governor")) == memberships


def test_it_sends_anyone_signed_out_to_sign_in(client, oakfield, people):
    for method, url, data in pages(oakfield, people):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_it_answers_404_for_another_schools_members_in_this_schools_address(client, oakfield, riverside, people):
    """A member of Riverside named in Oakfield's address, by Oakfield's head, is not found."""
    river_member = member_of(riverside, Role.STAFF, email="river.staff@t.example")
    theirs = membership(river_member, riverside, Role.STAFF).pk
    client.force_login(people.head)
    for name in ("people:change_role", "people:end"):
        assert client.get(reverse(name, args=[oakfield.slug, theirs])).status_code == 404
    for name, data in (("people:end", {}), ("people:change_role", {"role": "dsl"}), ("people:chair", {"chair": "yes"}),
                       ("people:link_governor", {"link": "yes"}), ("people:resend", {"seen": ""})):
        assert client.post(reverse(name, args=[oakfield.slug, theirs]), data).status_code == 404
    assert membership(river_member, riverside, Role.STAFF).is_active
    # ... and Riverside's own address is not Oakfield's head's to open.
    assert client.get(reverse("people:list", args=[riverside.slug])).status_code == 404


def test_it_answers_404_for_a_parents_membership(client, oakfield, people):
    parent = membership(people.parent, oakfield, Role.PARENT).pk
    client.force_login(people.head)
    assert client.get(reverse("people:end", args=[oakfield.slug, parent])).status_code == 404
    assert client.post(reverse("people:end", args=[oakfield.slug, parent])).status_code == 404


def test_it_lets_a_trust_administrator_manage_only_their_own_trusts_schools(
        client, oakfield, riverside, trust_admin, other_trust_admin):
    client.force_login(trust_admin)
    assert client.get(reverse("people:list", args=[oakfield.slug])).status_code == 200
    assert client.get(reverse("people:list", args=[riverside.slug])).status_code == 404
    client.force_login(other_trust_admin)
    assert client.get(reverse("people:list", args=[riverside.slug])).status_code == 200
    assert client.get(reverse("people:list", args=[oakfield.slug])).status_code == 404


def test_it_forgets_a_trust_administrator_whose_role_ended(client, oakfield, trust_admin):
    trust_admin.organisation_memberships.update(is_active=False)
    client.force_login(trust_admin)
    assert client.get(reverse("people:list", args=[oakfield.slug])).status_code == 404


def test_it_puts_the_page_in_the_headteachers_menu_and_on_the_people_list(client, oakfield, people):
    client.force_login(people.head)
    home = client.get(reverse("home")).content.decode()
    assert reverse("people:current") in home and "Manage people" in home
    response = client.get(reverse("people:current"))
    assert response.status_code == 302 and response["Location"] == reverse("people:list", args=[oakfield.slug])
    client.force_login(people.dsl)
    assert "Manage people" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("people:current")).status_code == 403


def test_it_links_the_read_only_people_list_to_the_management_page_for_those_who_manage(client, oakfield, people):
    manage = reverse("people:list", args=[oakfield.slug])
    client.force_login(people.dsl)
    assert manage not in client.get(reverse("schools:member_list")).content.decode()
    client.force_login(people.head)
    assert manage in client.get(reverse("schools:member_list")).content.decode()


def test_it_refuses_the_services_to_anyone_who_does_not_administer_the_school(oakfield, people):
    from onlinesafety.rules import NotAllowed
    from onlinesafety.schools.people import services

    staff = membership(people.reporter, oakfield, Role.STAFF)
    governor = membership(people.governor, oakfield, Role.GOVERNOR)
    calls = [
        lambda actor: services.add_member(school=oakfield, actor=actor, full_name="X", email="x@t.example",
                                          role=Role.STAFF),
        lambda actor: services.change_role(membership=staff, actor=actor, role=Role.TECHNICIAN),
        lambda actor: services.end_membership(membership=staff, actor=actor),
        lambda actor: services.set_chair(membership=governor, actor=actor),
        lambda actor: services.stop_chair(membership=governor, actor=actor),
        lambda actor: services.set_link_governor(membership=governor, actor=actor, value=True),
        lambda actor: services.resend_invitation(membership=staff, actor=actor, seen_invitation=None),
        lambda actor: services.invite_parents(school=oakfield, actor=actor),
    ]
    for actor in (people.dsl, people.chair, people.riverside_dsl):
        for call in calls:
            with pytest.raises(NotAllowed):
                call(actor)
    assert staff.is_active and not AuditEvent.objects.filter(verb__startswith="membership.").exists()
