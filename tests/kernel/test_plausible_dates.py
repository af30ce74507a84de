"""Dates bounded to plausible years: the kernel's fields, and every form that takes a date refusing 9999 and 0001
with a message by the field (never a 500 later, in date arithmetic or in the database)."""

import datetime

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from onlinesafety.forms import (
    FilterForm,
    PlausibleDateField,
    PlausibleDateTimeField,
    choice_from,
    days_from_today,
    id_from,
    today,
)
from tests.incidents.helpers import category

pytestmark = pytest.mark.django_db

NO_YEAR = ["9999-12-31", "0001-01-01", "1899-12-31"]


class Dates(forms.Form):
    any_day = PlausibleDateField(required=False)
    done_on = PlausibleDateField(required=False, latest=today,
                                 error_messages={"too_late": "The date it was done cannot be in the future."})
    due_on = PlausibleDateField(required=False, earliest=days_from_today(-1), latest=days_from_today(1))
    at = PlausibleDateTimeField(required=False)


def errors(**data):
    form = Dates(data)
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize("day", NO_YEAR)
def test_it_refuses_a_date_in_no_plausible_year_with_the_range(day):
    latest = timezone.localdate().year + 30
    assert errors(any_day=day) == {"any_day": [
        f"Enter a real date between 1 January 1900 and 31 December {latest}: check the year."]}


def test_it_takes_the_first_and_last_plausible_days():
    latest = timezone.localdate().year + 30
    assert errors(any_day="1900-01-01") == errors(any_day=f"{latest}-12-31") == {}


def test_it_says_what_is_wrong_in_the_forms_own_words():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert errors(done_on=tomorrow.isoformat()) == {"done_on": ["The date it was done cannot be in the future."]}
    assert errors(done_on="9999-12-31") == {"done_on": ["The date it was done cannot be in the future."]}
    assert errors(done_on="0001-01-01")["done_on"][0].startswith("Enter a real date between 1 January 1900")


def test_it_works_the_bounds_out_when_the_form_is_checked(monkeypatch):
    assert errors(due_on=timezone.localdate().isoformat()) == {}
    later = timezone.now() + datetime.timedelta(days=10)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "due_on" in errors(due_on=(later.date() - datetime.timedelta(days=10)).isoformat())


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_it_refuses_a_date_and_time_in_no_plausible_year(moment):
    assert list(errors(at=moment)) == ["at"]


def test_it_gives_the_browsers_date_picker_the_same_range():
    html = str(Dates()["due_on"])
    assert 'type="date"' in html
    assert f'min="{timezone.localdate() - datetime.timedelta(days=1):%Y-%m-%d}"' in html
    assert f'max="{timezone.localdate() + datetime.timedelta(days=1):%Y-%m-%d}"' in html
    assert 'type="datetime-local"' in str(Dates()["at"]) and 'min="1900-01-01T00:00"' in str(Dates()["at"])


def test_it_reads_filters_as_all_optional_and_wrong_values_as_errors():
    class Filters(FilterForm):
        status = forms.ChoiceField(choices=[("open", "Open")])
        since = PlausibleDateField()

    assert Filters({}).filters() == {"status": "", "since": None}
    assert Filters({"status": "open"}).filters() == {"status": "open", "since": None}
    wrong = Filters({"status": "everything", "since": "9999-12-31"})
    assert wrong.filters() is None and set(wrong.errors) == {"status", "since"}


def test_it_reads_a_single_choice_or_id_outside_a_form():
    assert choice_from({"chair": "yes"}, "chair", ["yes", "no"], label="x", required=True) == ("yes", "")
    assert choice_from({}, "chair", ["yes", "no"], label="one", required=True) == ("", "choose one from the page.")
    assert choice_from({}, "chair", ["yes", "no"], label="one") == ("", "")
    assert choice_from({"chair": "maybe"}, "chair", ["yes", "no"], label="one")[1]
    assert id_from({"seen": "12"}, "seen") == (12, "") and id_from({}, "seen") == (None, "")
    assert id_from({"seen": "abc"}, "seen")[0] is None and id_from({"seen": "abc"}, "seen")[1]


# ---------------------------------------------------------------- the forms that take dates

def _report(school, when):
    return {"immediate_risk": "no", "possibly_illegal": "no", "location": "in_school", "occurred_at": when,
            "category": category(school).pk, "device": "school", "network": "school", "description": "Messages.",
            "no_pupil": "on"}


@pytest.mark.parametrize(("when", "message"), [("9999-12-31T10:00", "That time is in the future."),
                                               ("0001-01-01T10:00", "That date is too long ago.")])
def test_it_refuses_a_concern_dated_in_no_plausible_year(client, oakfield, people, when, message):
    from incidents.models import Incident

    client.force_login(people.reporter)
    response = client.post(reverse("incidents:report"), _report(oakfield, when))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Incident.objects.exists()


def test_it_refuses_a_concern_dated_in_the_future_beyond_a_few_minutes(client, oakfield, people):
    client.force_login(people.reporter)
    soon = (timezone.localtime() + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    assert "That time is in the future." in client.post(reverse("incidents:report"),
                                                        _report(oakfield, soon)).content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_it_refuses_a_policy_review_date_or_a_term_in_no_plausible_year(client, oakfield, people, day):
    from onlinesafety.schools.models import Term
    from policies.models import Policy

    client.force_login(people.head)
    response = client.post(reverse("policies:create"), {
        "title": "Online Safety Policy", "kind": "online_safety", "owner": people.osl.pk,
        "owner_role": "online_safety_lead", "approving_body": "headteacher", "review_cycle_months": 12,
        "last_approved_on": "2026-01-10", "next_review_on": day})
    assert "check the year" in response.content.decode() and not Policy.objects.exists()
    response = client.post(reverse("setup:terms", args=[oakfield.slug]),
                           {"name": "Autumn", "starts_on": day, "ends_on": "2026-12-18"})
    assert response.status_code == 400 and "check the year" in response.content.decode()
    assert not Term.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_it_refuses_a_filtering_period_in_no_plausible_year(client, oakfield, people, day):
    from filtering.models import ChangeRequest

    client.force_login(people.reporter)
    response = client.post(reverse("filtering:change_new"), {
        "action": "unblock", "target_type": "domain", "target": "www.example.org", "user_group": "pupils_ks2",
        "reason": "History", "is_temporary": "on", "starts_on": day, "ends_on": day})
    assert response.status_code == 400 and "check the year" in response.content.decode()
    assert not ChangeRequest.objects.exists()
