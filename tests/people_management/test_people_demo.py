"""The demo shows the people pages: a member of staff invited and not yet accepted, with a printed link that
works, two members of staff the MIS import added with no account yet, and a pupil whose only carer with parental
responsibility has no email on record."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from onlinesafety.accounts.models import Invitation
from onlinesafety.schools.models import Contact, ParentLink, Pupil
from onlinesafety.schools.people import demo

pytestmark = pytest.mark.django_db
SEEDER = "onlinesafety.schools.people.demo.seed"
ANNOUNCER = "onlinesafety.schools.people.demo.invitation_link"


@pytest.fixture
def seeded(settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    if SEEDER not in settings.DEMO_SEEDERS:  # until settings.py lists it
        settings.DEMO_SEEDERS = [*settings.DEMO_SEEDERS, SEEDER]
    if ANNOUNCER not in settings.DEMO_ANNOUNCERS:
        settings.DEMO_ANNOUNCERS = [*settings.DEMO_ANNOUNCERS, ANNOUNCER]
    out = io.StringIO()
    call_command("seed_demo", quiet_logins=True, stdout=out)
    return out.getvalue()


def counts():
    return (Invitation.objects.count(), Pupil.objects.count(), Contact.objects.count(), ParentLink.objects.count())


def test_it_shows_an_invited_member_on_the_people_page_with_a_working_link(client, seeded):
    invitation = Invitation.objects.get(user__email=demo.INVITED_EMAIL)
    assert invitation.accepted_at is None and not invitation.user.has_usable_password()
    client.login(username="head@oakfield.example", password="demo-password-for-tests")
    page = client.get(reverse("people:list", args=["oakfield"])).content.decode()
    assert "Pardeep Gill" in page and "Invited, not yet accepted" in page
    path = re.search(r"http://[^/]+(/accounts/invitation/[A-Za-z0-9_-]+/)", seeded).group(1)
    client.logout()
    assert client.get(path, follow=True).status_code == 200


def test_it_offers_to_invite_the_imported_staff_who_have_no_account_yet(client, seeded):
    client.login(username="head@oakfield.example", password="demo-password-for-tests")
    url = reverse("people:list", args=["oakfield"])
    page = client.get(url).content.decode()
    assert "Tomasz Nowak" in page and "No account yet: not invited" in page
    assert "Invite 2 people to set a password" in page
    client.post(reverse("people:invite_staff", args=["oakfield"]))
    invited = set(Invitation.objects.filter(user__email__in=[email for _, email, _, _ in demo.IMPORTED_STAFF])
                  .values_list("user__email", flat=True))
    assert invited == {email for _, email, _, _ in demo.IMPORTED_STAFF}
    assert "Invite 2 people" not in client.get(url).content.decode()


def test_it_shows_a_pupil_with_no_email_on_record_on_the_coverage_page(client, seeded):
    client.login(username="osl@oakfield.example", password="demo-password-for-tests")
    page = client.get(reverse("aup:coverage")).content.decode()
    assert "1 pupil on roll has no parent or carer with parental responsibility and an email on record" in page
    drill = client.get(reverse("aup:outstanding"), {"missing": "email"}).content.decode()
    assert "Maya Okonjo" in drill and "Grace Okonjo (Grandparent)" in drill


def test_it_changes_nothing_when_run_again(seeded, settings):
    before = counts()
    out = io.StringIO()
    call_command("seed_demo", quiet_logins=True, stdout=out)
    assert counts() == before
    assert demo.INVITED_EMAIL in out.getvalue()  # the same link, printed again
