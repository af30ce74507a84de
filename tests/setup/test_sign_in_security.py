"""A school's own sign-in rules: a second factor asked of all its staff and governors, and the age of a case that
asks for it again (issue 13)."""

import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from tests.conftest import login_password_only

pytestmark = pytest.mark.django_db


def url_of(school):
    return reverse("setup:sign_in_security", args=[school.slug])


def test_it_lets_the_headteacher_ask_all_staff_for_a_second_factor(client, oakfield, people):
    client.force_login(people.head)
    page = client.get(url_of(oakfield))
    assert page.status_code == 200 and b"Ask every member of staff and governor" in page.content
    response = client.post(url_of(oakfield), {"second_factor_for_all_staff": "on", "step_up_case_age_days": "180"})
    assert response.status_code == 302
    oakfield.refresh_from_db()
    assert oakfield.second_factor_for_all_staff and oakfield.step_up_case_age_days == 180
    event = AuditEvent.objects.get(verb="school.sign_in_security_changed")
    assert event.actor == people.head and event.detail["fields"] == ["second_factor_for_all_staff",
                                                                     "step_up_case_age_days"]
    teacher = client.__class__()
    login_password_only(teacher, people.reporter)
    assert teacher.get(reverse("policies:to_read")).status_code == 302  # now asked to set one up


@pytest.mark.parametrize(("days", "message"), [("", b"Enter a number of days"), ("7", b"Enter 30 days or more"),
                                               ("99999", b"3650 days (ten years) or fewer"),
                                               ("abc", b"Enter a whole number of days")])
def test_it_refuses_an_age_out_of_bounds_with_a_clear_message(client, oakfield, people, days, message):
    client.force_login(people.head)
    response = client.post(url_of(oakfield), {"step_up_case_age_days": days})
    assert response.status_code == 400 and message in response.content and b'id="error-summary"' in response.content
    assert b"js/form-errors.js" in response.content  # the shared summary, which takes the focus
    oakfield.refresh_from_db()
    assert oakfield.step_up_case_age_days == 365 and not AuditEvent.objects.filter(
        verb="school.sign_in_security_changed").exists()


@pytest.mark.parametrize("who", ["dsl", "reporter", "governor", "riverside_dsl"])
def test_it_lets_only_those_who_administer_the_school_change_them(client, oakfield, people, who):
    client.force_login(getattr(people, who))
    response = client.post(url_of(oakfield), {"second_factor_for_all_staff": "on", "step_up_case_age_days": "100"})
    assert response.status_code in (403, 404)
    oakfield.refresh_from_db()
    assert not oakfield.second_factor_for_all_staff
