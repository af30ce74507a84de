"""The demo: Riverside's roster is built by importing the sample SIMS exports in docs/samples/."""

import pytest
from django.core.management import call_command

from onlinesafety.roster.models import RosterImport, SavedMapping, Status
from onlinesafety.schools.models import Contact, Membership, Pupil, School
from onlinesafety.schools.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    return School.objects.get(slug="riverside")


def test_it_builds_riverside_from_the_sample_exports(seeded, client):
    imports = RosterImport.objects.filter(school=seeded).order_by("pk")
    assert [(i.kind, i.status, i.columns) for i in imports] == [
        ("pupils", Status.APPLIED, "sims"), ("staff", Status.APPLIED, "sims"), ("contacts", Status.APPLIED, "sims")]
    assert all(i.started_by.email == "head@riverside.example" for i in imports)
    pupils = imports[0]
    assert pupils.bad_lines == [[11, "the date of birth 30/02/2019 is not a date that exists"]]
    assert Pupil.objects.filter(school=seeded).count() == 30
    assert Pupil.objects.get(school=seeded, first_name="Alexandra").full_name == "Sasha Price"
    assert Contact.objects.filter(school=seeded, email="", user__isnull=True).count() == 1
    assert Membership.objects.filter(school=seeded, role=Role.PARENT, is_active=True).count() == 48
    siân = Membership.objects.get(school=seeded, user__email="s.pryce@riverside.example")  # a Windows-1252 file
    assert (siân.role, siân.user.full_name, siân.mis_id) == (Role.STAFF, "Siân Pryce", "SPR")
    dsl = Membership.objects.get(school=seeded, user__email="dsl@riverside.example")
    assert (dsl.role, dsl.mis_id) == (Role.DSL, "NFA")
    assert SavedMapping.objects.filter(school=seeded).count() == 3
    assert client.login(username="dsl@riverside.example", password="demo-password-for-tests")


def test_it_imports_nothing_twice(seeded):
    before = (RosterImport.objects.count(), Pupil.objects.count(), Contact.objects.count())
    call_command("seed_demo", quiet_logins=True)
    assert (RosterImport.objects.count(), Pupil.objects.count(), Contact.objects.count()) == before
