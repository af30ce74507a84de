"""Every set-up form sent twice with one token writes once: one school, one term, one year copied forward."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import TermFactory
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .test_terms import AUTUMN, copy_url, formset_data, terms_url

pytestmark = pytest.mark.django_db

D = datetime.date


def _term_edit(s):
    term = TermFactory(school=s.school, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 12, 18))
    return s.people.head, reverse("setup:term", args=[s.school.slug, term.pk]), {**AUTUMN, "ends_on": "2026-12-17"}


def _copy_forward(s):
    TermFactory(school=s.school, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 12, 18))
    rows = [{"name": "Autumn 2027", "starts_on": "2027-09-02", "ends_on": "2027-12-17"}]
    return s.people.head, copy_url(s.school), formset_data(rows)


CASES = {
    "create a school": ("setup:school_new", lambda s: (s.site_admin, reverse("setup:school_new"), {
        "name": "Meadow Lane Primary", "urn": "123456", "local_authority": "Leeds", "phase": "primary",
        "timezone": "Europe/London"})),
    "add a term": ("setup:terms", lambda s: (s.people.head, terms_url(s.school), AUTUMN)),
    "change a term": ("setup:term", _term_edit),
    "copy next year's terms": ("setup:terms_copy_forward", _copy_forward),
    "the sign-in rules": ("setup:sign_in_security", lambda s: (s.people.head, reverse(
        "setup:sign_in_security", args=[s.school.slug]), {"second_factor_for_all_staff": "on",
                                                          "step_up_case_age_days": "200"})),
}


class Setting:
    def __init__(self, school, people, site_admin):
        self.school, self.people, self.site_admin = school, people, site_admin


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, site_admin, on_today, case,
                                                  django_capture_on_commit_callbacks):
    user, url, data = case(Setting(oakfield, people, site_admin))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data)
