"""Agreements on the home page: a member's own to sign, a parent's children's to answer."""

import pytest
from django.urls import reverse

from aup.panels import agreements_to_sign_panels, family_panels
from onlinesafety.navigation import home_panels_for

pytestmark = pytest.mark.django_db


def test_it_lists_a_teachers_agreements_to_sign(published, people, riverside, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        [panel] = agreements_to_sign_panels(people.reporter, published)
    assert panel.count >= 1 and panel.more_url == reverse("aup:mine")
    assert "Agreements to sign" in [p.title for p in home_panels_for(people.reporter, published)]
    assert agreements_to_sign_panels(people.riverside_dsl, published)[0].count == 0  # not a member here


def test_it_tells_a_parent_how_many_children_wait_for_an_answer(published, family, people):
    [panel] = family_panels(people.parent, published)
    assert panel.count == 2 and panel.more_url == reverse("aup:family")
    titles = [p.title for p in home_panels_for(people.parent, published)]
    assert "Your children's agreements to answer" in titles and "Agreements to sign" not in titles


def test_it_shows_a_parent_nothing_waiting_before_anything_is_published(client, oakfield, family, people):
    client.force_login(people.parent)
    assert "Nothing waiting for you" in client.get(reverse("home")).content.decode()
