"""The bar's menus: grouped by task, at most six, each with only the entries the person can open."""

import pytest
from django.urls import reverse

from onlinesafety.navigation import MENUS, SAFEGUARDING, NavItem
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

# Who sees which menus (a menu with one entry shows as a plain link, but is still that menu).
EXPECTED_MENUS = {
    "reporter": ["Safeguarding", "Agreements", "Policies and compliance", "Filtering", "School"],
    "technician": ["Safeguarding", "Agreements", "Policies and compliance", "Filtering", "School"],
    "dsl": ["Safeguarding", "Agreements", "Policies and compliance", "Filtering", "Reports", "School"],
    "head": ["Safeguarding", "Agreements", "Policies and compliance", "Filtering", "Reports", "School"],
    "governor": ["Agreements", "Policies and compliance", "Filtering", "Reports"],
    "parent": ["Agreements", "School"],
    "visitor": ["Safeguarding", "Agreements", "Filtering"],
}


def menus(client, person):
    client.force_login(person)
    return client.get(reverse("home")).context["nav_menus"]


@pytest.mark.parametrize(("who", "expected"), EXPECTED_MENUS.items())
def test_it_shows_each_role_only_the_menus_it_has_entries_in(client, people, who, expected):
    shown = menus(client, getattr(people, who))
    assert [menu["label"] for menu in shown] == expected
    assert len(shown) <= 6
    assert all(menu["items"] for menu in shown)


@pytest.mark.parametrize("who", [name for name in EVERYONE if name != "riverside_dsl"])
def test_it_offers_only_entries_the_person_can_open(client, people, who):
    for menu in menus(client, getattr(people, who)):
        for entry in menu["items"]:
            response = client.get(entry["url"])
            assert response.status_code not in (403, 404), f"{who} is offered {entry['label']} ({entry['url']})"


def test_it_keeps_a_governor_out_of_the_empty_change_requests_and_the_provider_logs(client, people):
    labels = [entry["label"] for menu in menus(client, people.governor) for entry in menu["items"]]
    assert "Change log" in labels and "Checks and reviews" in labels
    assert "Change requests" not in labels and "Provider logs" not in labels
    for page in ("filtering:log", "filtering:checks"):
        body = client.get(reverse(page)).content.decode()
        assert reverse("filtering:changes") not in body and reverse("filtering:imports") not in body
    assert client.get(reverse("filtering:changes")).status_code == 403


def test_it_marks_the_current_menu_and_entry(client, people):
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:triage"))
    [current] = [menu for menu in response.context["nav_menus"] if menu["active"]]
    assert current["label"] == SAFEGUARDING
    assert [entry["label"] for entry in current["items"] if entry["active"]] == ["Cases to triage"]
    body = response.content.decode()
    assert 'id="menu-safeguarding" data-bs-toggle="dropdown" aria-expanded="false" aria-current="true"' in body
    assert f'href="{reverse("incidents:triage")}" aria-current="page"' in body


def test_it_marks_the_menu_of_a_page_that_has_no_entry_of_its_own(client, people, oakfield):
    from tests.factories import PupilFactory

    client.force_login(people.dsl)
    pupil = PupilFactory(school=oakfield)
    response = client.get(reverse("incidents:chronology", args=[pupil.pk]))
    assert [menu["label"] for menu in response.context["nav_menus"] if menu["active"]] == [SAFEGUARDING]


def test_it_keeps_the_alerts_and_the_account_menu_outside_the_folding_menus(client, people):
    client.force_login(people.parent)
    body = client.get(reverse("home")).content.decode()
    always, folding = body.index('class="navbar-always'), body.index('id="main-nav"')
    assert always < body.index(reverse("alerts")) < folding
    assert always < body.index("Signed in as") < folding


def test_it_refuses_an_entry_for_a_menu_the_bar_does_not_have():
    with pytest.raises(ValueError, match="menu"):
        NavItem("Somewhere", "home", menu="Miscellaneous")
    assert len(MENUS) <= 6
