"""Who may open each new page: everyone the rules tell apart, for their own school and for another, the
administrators of the school's trust and of another trust, and the site administrator."""

import pytest
from django.urls import reverse

from onlinesafety.schools.models import Term
from policies.models import Policy
from policies.services import set_up_starter_register
from tests.factories import TermFactory
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

ADMINS = ("trust_admin", "other_trust_admin", "site_admin")
PEOPLE = (*EVERYONE, *ADMINS)
LEADS = {"dsl", "deputy", "osl", "head"}


@pytest.fixture
def world(people, oakfield, riverside, trust, other_trust, trust_admin, other_trust_admin, site_admin):
    """Oakfield in one trust, Riverside in another; a term and a starter policy at each."""
    for school in (oakfield, riverside):
        TermFactory(school=school)
        set_up_starter_register(school=school)
    people.trust_admin, people.other_trust_admin, people.site_admin = trust_admin, other_trust_admin, site_admin
    return people


def school_pages(school):
    term = Term.objects.get(school=school)
    return [reverse("setup:school", args=[school.slug]), reverse("setup:terms", args=[school.slug]),
            reverse("setup:terms_copy_forward", args=[school.slug]),
            reverse("setup:term", args=[school.slug, term.pk])]


def expected_for_school(person, school_slug):
    administers = {"oak-test": {"head", "trust_admin", "site_admin"},
                   "river-test": {"other_trust_admin", "site_admin"}}[school_slug]
    return 200 if person in administers else 404


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix(client, world, oakfield, riverside, trust, other_trust, person, on_today):
    client.force_login(getattr(world, person))
    pages = {reverse("setup:school_new"): 200 if person in ADMINS else 403}
    for school in (oakfield, riverside):
        pages.update({url: expected_for_school(person, school.slug) for url in school_pages(school)})
    pages[reverse("setup:organisation", args=[trust.slug])] = 200 if person in ("trust_admin", "site_admin") else 404
    pages[reverse("setup:organisation", args=[other_trust.slug])] = (
        200 if person in ("other_trust_admin", "site_admin") else 404)
    # The current school's pages: the admins here hold no role in a school, so they are sent home.
    no_school = 302
    pages[reverse("filtering:settings")] = (
        no_school if person in ADMINS else 200 if person in LEADS | {"riverside_dsl"} else 403)
    oak_policy = Policy.objects.filter(school=oakfield).first()
    pages[reverse("policies:upload", args=[oak_policy.pk])] = (
        no_school if person in ADMINS else 404 if person == "riverside_dsl" else 200 if person in LEADS else 403)
    for url, expected in pages.items():
        assert client.get(url).status_code == expected, (person, url)


@pytest.mark.parametrize("person", PEOPLE)
def test_only_those_who_administer_a_school_change_its_terms(client, world, oakfield, riverside, person, on_today):
    client.force_login(getattr(world, person))
    data = {"name": "Spring 2027", "starts_on": "2027-01-05", "ends_on": "2027-03-26"}
    for school in (oakfield, riverside):
        response = client.post(reverse("setup:terms", args=[school.slug]), data)
        allowed = expected_for_school(person, school.slug) == 200
        assert response.status_code == (302 if allowed else 404), (person, school)
        assert Term.objects.filter(school=school, name="Spring 2027").exists() == allowed
        term = Term.objects.get(school=school, name="Autumn 2026")
        client.post(reverse("setup:term", args=[school.slug, term.pk]),
                    {"name": "Changed", "starts_on": "2026-09-03", "ends_on": "2026-12-18"})
        assert Term.objects.filter(pk=term.pk, name="Changed").exists() == allowed


def test_anonymous_visitors_are_sent_to_sign_in(client, world, oakfield, trust):
    for url in [reverse("setup:school_new"), reverse("setup:current"), reverse("setup:current_organisation"),
                *school_pages(oakfield), reverse("setup:organisation", args=[trust.slug])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
