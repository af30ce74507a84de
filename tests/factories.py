import datetime

import factory
from django.contrib.auth import get_user_model

from onlinesafety.schools.models import (
    Membership,
    Organisation,
    OrganisationMembership,
    OrganisationRole,
    ParentLink,
    Pupil,
    School,
    SchoolClass,
    Term,
    YearGroup,
)
from onlinesafety.schools.roles import Role
from onlinesafety.schools.services import contact_for_account

TEST_PASSWORD = "correct-horse-battery"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.STAFF


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = YearGroup.Y4


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = datetime.date(2017, 3, 14)
    year_group = YearGroup.Y4
    school_class = factory.SubFactory(SchoolClassFactory, school=factory.SelfAttribute("..school"))


class ParentLinkFactory(factory.django.DjangoModelFactory):
    """A link from an account to a pupil, through the account's contact record in the pupil's school."""

    class Meta:
        model = ParentLink

    parent = factory.SubFactory(UserFactory)
    pupil = factory.SubFactory(PupilFactory)
    contact = factory.LazyAttribute(lambda link: contact_for_account(school=link.pupil.school, user=link.parent))
    relationship = ParentLink.Relationship.MOTHER


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    name = "Autumn 2026"
    starts_on = datetime.date(2026, 9, 3)
    ends_on = datetime.date(2026, 12, 18)


def member_of(school: School, role: str = Role.STAFF, email: str | None = None, **flags):
    """A user who holds ``role`` in ``school``."""
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, school=school, role=role, **flags)
    return user


def trust_owning(school: School, name: str, slug: str) -> Organisation:
    """A trust that owns ``school``."""
    organisation = Organisation.objects.create(name=name, slug=slug, kind=Organisation.Kind.TRUST)
    school.organisation = organisation
    school.save(update_fields=["organisation"])
    return organisation


def administrator_of(organisation: Organisation, email: str):
    """A trust (or local authority) administrator of ``organisation``, with no role in any school."""
    user = UserFactory(email=email)
    OrganisationMembership.objects.create(user=user, organisation=organisation, role=OrganisationRole.ADMINISTRATOR)
    return user
