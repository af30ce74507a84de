import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onlinesafety.schools.models import School, key_stage
from onlinesafety.schools.roles import Role
from onlinesafety.schools.services import add_member, add_term, link_parent
from tests.factories import MembershipFactory, PupilFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_defaults_a_school_to_london_time():
    school = School.objects.create(name="A", slug="a", urn="123456")
    assert school.timezone == "Europe/London"


def test_it_rejects_a_bad_urn_and_timezone():
    with pytest.raises(ValidationError) as error:
        School(name="A", slug="a", urn="12", timezone="Mars/Olympus").full_clean()
    assert {"urn", "timezone"} <= set(error.value.message_dict)


def test_it_allows_governor_flags_only_on_governors(oakfield):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(school=oakfield, role=Role.STAFF, is_chair=True)


def test_it_allows_one_chair_per_school(oakfield):
    MembershipFactory(school=oakfield, role=Role.GOVERNOR, is_chair=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(school=oakfield, role=Role.GOVERNOR, is_chair=True)


def test_it_lets_one_person_hold_roles_in_two_schools(oakfield, riverside):
    user = UserFactory()
    MembershipFactory(user=user, school=oakfield, role=Role.GOVERNOR)
    MembershipFactory(user=user, school=riverside, role=Role.GOVERNOR)
    assert user.memberships.count() == 2


def test_it_refuses_a_term_that_ends_before_it_starts_or_overlaps(oakfield):
    TermFactory(school=oakfield)
    with pytest.raises(ValidationError):
        add_term(school=oakfield, name="Backwards", starts_on=datetime.date(2027, 3, 1),
                 ends_on=datetime.date(2027, 1, 1))
    with pytest.raises(ValidationError):
        add_term(school=oakfield, name="Overlap", starts_on=datetime.date(2026, 12, 1),
                 ends_on=datetime.date(2027, 1, 31))
    assert oakfield.terms.count() == 1


def test_it_links_a_parent_and_makes_them_a_member(oakfield):
    parent = UserFactory()
    link = link_parent(pupil=PupilFactory(school=oakfield), parent=parent, relationship="father")
    assert link.has_parental_responsibility
    assert parent.memberships.get().role == Role.PARENT


def test_it_adds_a_member_once(oakfield):
    from onlinesafety.audit.models import AuditEvent

    user = UserFactory()
    add_member(school=oakfield, user=user, role=Role.STAFF)
    add_member(school=oakfield, user=user, role=Role.STAFF)
    assert user.memberships.count() == 1
    assert AuditEvent.objects.filter(verb="membership.added").count() == 1


@pytest.mark.parametrize(
    ("year", "stage"), [(-1, "EYFS"), (0, "EYFS"), (2, "KS1"), (6, "KS2"), (9, "KS3"), (11, "KS4"), (13, "KS5")]
)
def test_it_knows_the_key_stage(year, stage):
    assert key_stage(year) == stage


def test_it_rejects_a_birthday_in_the_future(oakfield):
    pupil = PupilFactory.build(school=oakfield, date_of_birth=datetime.date.today() + datetime.timedelta(days=1))
    pupil.school_class = None
    with pytest.raises(ValidationError):
        pupil.full_clean()


def test_it_ends_a_membership_and_with_it_the_access(client, oakfield):
    from django.urls import reverse

    from onlinesafety.audit.models import AuditEvent
    from onlinesafety.schools.services import end_membership

    head = UserFactory()
    membership = MembershipFactory(user=head, school=oakfield, role=Role.HEADTEACHER)
    client.force_login(head)
    assert client.get(reverse("schools:pupil_list")).status_code == 200
    end_membership(membership=membership, actor=head)
    assert client.get(reverse("schools:pupil_list")).status_code == 302
    assert AuditEvent.objects.filter(verb="membership.ended", object_id=str(membership.pk)).exists()
