"""A school's or a trust's sign-in with Microsoft or Google, saved or removed twice with one token, is saved or
removed once."""

import pytest
from django.urls import reverse

from tests.sent_twice import assert_sent_once, forms_sent_twice

from .test_configuration import form_data

pytestmark = pytest.mark.django_db


def _remove(name):
    def case(s):
        owner = s.trust if name.startswith("organisation") else s.school
        s.configure(owner, actor=s.admin(name))
        return s.admin(name), reverse(f"sso:{name}", args=[owner.slug, "microsoft"]), {}
    return case


CASES = {
    "set up a school's sign-in": ("sso:school_edit", lambda s: (s.head, reverse(
        "sso:school_edit", args=[s.school.slug, "microsoft"]), form_data())),
    "remove a school's sign-in": ("sso:school_remove", _remove("school_remove")),
    "set up a trust's sign-in": ("sso:organisation_edit", lambda s: (s.trust_admin, reverse(
        "sso:organisation_edit", args=[s.trust.slug, "microsoft"]), form_data())),
    "remove a trust's sign-in": ("sso:organisation_remove", _remove("organisation_remove")),
}


class Setting:
    def __init__(self, school, trust, head, trust_admin, configure):
        self.school, self.trust, self.configure = school, trust, configure
        self.head, self.trust_admin = head, trust_admin

    def admin(self, view):
        return self.trust_admin if view.startswith("organisation") else self.head


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, trust, head, trust_admin, configure, case):
    user, url, data = case(Setting(oakfield, trust, head, trust_admin, configure))
    client.force_login(user)
    assert_sent_once(client, url, data)
