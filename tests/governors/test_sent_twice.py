"""Asking for a governors' report twice with one token builds one version."""

import pytest
from django.urls import reverse

from governors.models import TermReport
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .test_access import past_term

pytestmark = pytest.mark.django_db

CASES = {
    "build a report": ("governors:generate", lambda s: (s.people.dsl, reverse("governors:generate"), {
        "term": past_term(s.school, "Summer Term").pk})),
    "try a failed report again": ("governors:retry", lambda s: (
        s.people.dsl, reverse("governors:retry", args=[failed_report(s.school).pk]), {})),
}


def failed_report(school):
    return TermReport.objects.create(school=school, term=past_term(school, "Summer Term"), version=1,
                                     status=TermReport.Status.FAILED, attempts=3, failure="OSError")


class Setting:
    def __init__(self, school, people):
        self.school, self.people = school, people


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, case,
                                                  django_capture_on_commit_callbacks):
    user, url, data = case(Setting(oakfield, people))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False):  # the PDF itself is not built here
        assert_sent_once(client, url, data)
    assert TermReport.objects.count() == 1
