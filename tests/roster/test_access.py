"""Who reaches the roster pages: those who administer the school (its head, an administrator of its trust, the site
administrator). Everyone else gets the 404 page, as for a school that does not exist; another trust too."""

import pytest
from django.urls import reverse

from onlinesafety.roster.models import RosterImport, Status
from onlinesafety.schools.roles import Role
from tests.factories import member_of
from tests.people import EVERYONE
from tests.roster.helpers import dry_run, pupils_csv

pytestmark = pytest.mark.django_db

ADMINISTRATORS = {"head", "trust_admin", "site_admin"}
PEOPLE = (*EVERYONE, "trust_admin", "other_trust_admin", "site_admin", "riverside_head")


@pytest.fixture
def everyone(people, trusts, site_admin, riverside):
    found = {name: getattr(people, name) for name in EVERYONE}
    found.update(trust_admin=trusts["ours"], other_trust_admin=trusts["theirs"], site_admin=site_admin,
                 riverside_head=member_of(riverside, Role.HEADTEACHER, email="head@river.example"))
    return found


def pages(school, roster_import):
    slug = school.slug
    return [reverse("roster:home", args=[slug]), reverse("roster:settings", args=[slug]),
            *[reverse("roster:upload", args=[slug, kind]) for kind in ("pupils", "contacts", "staff")],
            reverse("roster:import", args=[slug, roster_import.pk])]


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix_for_every_page(client, oakfield, everyone, person):
    roster_import = dry_run(oakfield, everyone["head"], "pupils", pupils_csv(2))
    client.force_login(everyone[person])
    expected = 200 if person in ADMINISTRATORS else 404
    for url in pages(oakfield, roster_import):
        assert client.get(url).status_code == expected, (person, url)


@pytest.mark.parametrize("person", PEOPLE)
def test_it_lets_only_an_administrator_confirm_discard_retry_or_fetch(client, oakfield, everyone, person,
                                                                      django_capture_on_commit_callbacks):
    roster_import = dry_run(oakfield, everyone["head"], "pupils", pupils_csv(2))
    failed = dry_run(oakfield, everyone["head"], "pupils", pupils_csv(2))
    RosterImport.objects.filter(pk=failed.pk).update(status=Status.FAILED)
    client.force_login(everyone[person])
    slug = oakfield.slug
    allowed = person in ADMINISTRATORS
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("roster:confirm", args=[slug, roster_import.pk]))
        retry = client.post(reverse("roster:retry", args=[slug, failed.pk]))
        fetch = client.post(reverse("roster:fetch", args=[slug, "pupils"]))
    for response in (confirm, retry, fetch):
        assert response.status_code == (302 if allowed else 404), person
    roster_import.refresh_from_db()
    failed.refresh_from_db()
    assert (roster_import.status == Status.APPLIED) is allowed
    assert (failed.status == Status.APPLIED) is allowed
    discard = dry_run(oakfield, everyone["head"], "pupils", pupils_csv(1))
    assert client.post(reverse("roster:discard", args=[slug, discard.pk])).status_code == (302 if allowed else 404)
    discard.refresh_from_db()
    assert (discard.status == Status.DISCARDED) is allowed


def test_it_sends_anyone_signed_out_to_sign_in(client, oakfield, head):
    roster_import = dry_run(oakfield, head, "pupils", pupils_csv(1))
    for url in pages(oakfield, roster_import):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("roster:confirm", args=[oakfield.slug, roster_import.pk])).status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == Status.PREVIEWED


def test_it_answers_404_for_another_schools_import_even_to_its_own_head(client, oakfield, riverside, everyone):
    theirs = dry_run(riverside, everyone["riverside_head"], "pupils", pupils_csv(1))
    client.force_login(everyone["head"])
    assert client.get(reverse("roster:import", args=[oakfield.slug, theirs.pk])).status_code == 404
    assert client.post(reverse("roster:confirm", args=[oakfield.slug, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.PREVIEWED


@pytest.mark.parametrize("person", EVERYONE)
def test_it_shows_the_menu_entry_only_to_the_head(client, everyone, person):
    client.force_login(everyone[person])
    home = client.get("/").content.decode()
    assert ('href="/roster/"' in home) is (person == "head")
    response = client.get(reverse("roster:current"))
    if person == "head":
        assert response.status_code == 302 and response["Location"] == "/schools/oak-test/roster/"
    else:
        assert response.status_code == 404
