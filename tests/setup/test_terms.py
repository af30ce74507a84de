"""Terms and half terms: adding and changing them with field errors, and next year's copied forward."""

import datetime

import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed
from onlinesafety.schools.models import Term
from onlinesafety.schools.setup import selectors, services
from onlinesafety.schools.setup.terms import TermDates, name_a_year_on
from tests.factories import TermFactory

pytestmark = pytest.mark.django_db

D = datetime.date
AUTUMN = {"name": "Autumn 2026", "starts_on": "2026-09-03", "ends_on": "2026-12-18",
          "half_term_starts_on": "2026-10-26", "half_term_ends_on": "2026-10-30"}


def terms_url(school):
    return reverse("setup:terms", args=[school.slug])


@pytest.fixture
def head(people, client):
    client.force_login(people.head)
    return people.head


def test_it_adds_a_term_with_its_half_term_holiday(client, oakfield, head, on_today):
    response = client.post(terms_url(oakfield), AUTUMN)
    assert response.status_code == 302 and response["Location"] == terms_url(oakfield)
    term = Term.objects.get(school=oakfield)
    assert (term.name, term.starts_on, term.ends_on, term.half_term_starts_on, term.half_term_ends_on) == (
        "Autumn 2026", D(2026, 9, 3), D(2026, 12, 18), D(2026, 10, 26), D(2026, 10, 30))
    event = AuditEvent.objects.get(verb="term.added")
    assert (event.actor, event.school, event.detail["half_term"]) == (head, oakfield, True)
    page = client.get(terms_url(oakfield)).content.decode()
    assert "Autumn 2026" in page and "26 Oct to 30 Oct 2026" in page


def test_it_adds_a_term_without_a_half_term(client, oakfield, head, on_today):
    response = client.post(terms_url(oakfield), {**AUTUMN, "half_term_starts_on": "", "half_term_ends_on": ""})
    assert response.status_code == 302
    assert Term.objects.get().half_term_starts_on is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_on": "2026-09-01"}, "ends_on", "The term must end after the day it starts."),
    ({"ends_on": "2026-09-03"}, "ends_on", "The term must end after the day it starts."),
    ({"ends_on": "2027-12-18"}, "ends_on", "A term lasts at most 26 weeks: check the year of each date."),
    ({"starts_on": "31/02/2026"}, "starts_on", "Enter the first day of the term as a date."),
    ({"starts_on": "next week"}, "starts_on", "Enter the first day of the term as a date."),
    ({"starts_on": ""}, "starts_on", "Enter the first day of the term."),
    ({"name": ""}, "name", "Enter the term&#x27;s name, for example Autumn 2026."),
    ({"half_term_ends_on": ""}, "half_term_ends_on",
     "Enter the last day of the half-term holiday, or leave both empty."),
    ({"half_term_starts_on": ""}, "half_term_starts_on",
     "Enter the first day of the half-term holiday, or leave both empty."),
    ({"half_term_ends_on": "2026-10-20"}, "half_term_ends_on",
     "The half-term holiday must end on or after the day it starts."),
    ({"half_term_starts_on": "2026-12-21", "half_term_ends_on": "2026-12-23"}, "half_term_starts_on",
     "The half-term holiday must fall inside the term: after its first day and before its last."),
    ({"half_term_starts_on": "2026-09-03", "half_term_ends_on": "2026-09-04"}, "half_term_starts_on",
     "The half-term holiday must fall inside the term: after its first day and before its last."),
    ({"half_term_starts_on": "2026-12-14", "half_term_ends_on": "2026-12-18"}, "half_term_starts_on",
     "The half-term holiday must fall inside the term: after its first day and before its last."),
])
def test_it_shows_each_bad_date_next_to_its_field_and_saves_nothing(client, oakfield, head, on_today, changes, field,
                                                                     message):
    response = client.post(terms_url(oakfield), {**AUTUMN, **changes})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error: " in page
    assert f'<a class="alert-link" href="#id_{field}">{message}</a>' in page
    assert not Term.objects.exists()


def test_it_refuses_a_term_that_overlaps_another(client, oakfield, head, on_today):
    TermFactory(school=oakfield, name="Spring 2027", starts_on=D(2027, 1, 5), ends_on=D(2027, 3, 26))
    response = client.post(terms_url(oakfield), {**AUTUMN, "ends_on": "2027-01-05", "half_term_starts_on": "",
                                                 "half_term_ends_on": ""})
    assert response.status_code == 400
    assert ('<a class="alert-link" href="#id_starts_on">These dates overlap Spring 2027 (5 January 2027 to 26 March '
            '2027).</a>') in response.content.decode()
    assert Term.objects.count() == 1


def test_it_adds_a_term_sent_twice_once(client, oakfield, head, on_today):
    assert client.post(terms_url(oakfield), AUTUMN).status_code == 302
    assert client.post(terms_url(oakfield), AUTUMN).status_code == 302
    assert Term.objects.count() == 1 and AuditEvent.objects.filter(verb="term.added").count() == 1


def test_it_changes_a_term(client, oakfield, head, on_today):
    term = TermFactory(school=oakfield)
    url = reverse("setup:term", args=[oakfield.slug, term.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'value="2026-09-03"' in page.content
    response = client.post(url, {**AUTUMN, "starts_on": "2026-09-02"})
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.starts_on, term.half_term_starts_on) == (D(2026, 9, 2), D(2026, 10, 26))
    assert AuditEvent.objects.get(verb="term.changed").detail["was_starts_on"] == "2026-09-03"


def test_it_refuses_a_change_that_overlaps_another_term(client, oakfield, head, on_today):
    term = TermFactory(school=oakfield)
    TermFactory(school=oakfield, name="Spring 2027", starts_on=D(2027, 1, 5), ends_on=D(2027, 3, 26))
    response = client.post(reverse("setup:term", args=[oakfield.slug, term.pk]), {**AUTUMN, "ends_on": "2027-01-10"})
    assert response.status_code == 400 and b"overlap Spring 2027" in response.content
    term.refresh_from_db()
    assert term.ends_on == D(2026, 12, 18)


def test_it_answers_404_for_another_schools_term_or_a_bad_id(client, oakfield, riverside, head, on_today):
    theirs = TermFactory(school=riverside)
    for term_id in (theirs.pk, 99999999, "x", "99999999999999999999999"):
        assert client.get(reverse("setup:term", args=[oakfield.slug, term_id])).status_code == 404
    assert client.post(reverse("setup:term", args=[oakfield.slug, theirs.pk]), AUTUMN).status_code == 404
    theirs.refresh_from_db()
    assert theirs.half_term_starts_on is None


def test_the_service_checks_the_right_and_the_dates_again(oakfield, people):
    dates = TermDates("Autumn 2026", D(2026, 9, 3), D(2026, 12, 18))
    with pytest.raises(NotAllowed):
        services.add_term(school=oakfield, actor=people.dsl, dates=dates)
    with pytest.raises(services.TermRefused) as refused:
        services.add_term(school=oakfield, actor=people.head, dates=TermDates("X", D(2026, 9, 3), D(2026, 9, 1)))
    assert refused.value.problems == {"ends_on": "The term must end after the day it starts."}
    assert not Term.objects.exists()


# ---------------------------------------------------------------- copy this year forward

@pytest.fixture
def this_year(oakfield):
    return [
        TermFactory(school=oakfield, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 12, 18),
                    half_term_starts_on=D(2026, 10, 26), half_term_ends_on=D(2026, 10, 30)),
        TermFactory(school=oakfield, name="Spring 2027", starts_on=D(2027, 1, 5), ends_on=D(2027, 3, 26),
                    half_term_starts_on=D(2027, 2, 15), half_term_ends_on=D(2027, 2, 19)),
        TermFactory(school=oakfield, name="Summer 2027", starts_on=D(2027, 4, 12), ends_on=D(2027, 7, 21)),
    ]


def copy_url(school):
    return reverse("setup:terms_copy_forward", args=[school.slug])


def formset_data(rows, **management):
    data = {"term-TOTAL_FORMS": str(len(rows)), "term-INITIAL_FORMS": str(len(rows)), "term-MIN_NUM_FORMS": "0",
            "term-MAX_NUM_FORMS": "12", **management}
    for index, row in enumerate(rows):
        data.update({f"term-{index}-{name}": value for name, value in row.items()})
    return data


def test_it_moves_dates_a_year_on_to_the_same_weekday():
    for day in (D(2026, 9, 3), D(2027, 2, 15), D(2028, 2, 29), D(2026, 12, 31)):
        later = selectors.a_year_on(day)
        assert later.weekday() == day.weekday()
        assert abs((later - day.replace(year=day.year + 1, day=min(day.day, 28))).days) <= 4
    assert selectors.a_year_on(D(2026, 9, 3)) == D(2027, 9, 2)  # Thursday -> Thursday
    assert name_a_year_on("Autumn 2026") == "Autumn 2027"
    assert name_a_year_on("Spring term 2026-2027") == "Spring term 2027-2028"
    assert name_a_year_on("Autumn one") == "Autumn one"


def test_it_proposes_next_years_terms_from_this_years(client, oakfield, head, this_year, on_today):
    page = client.get(copy_url(oakfield))
    assert page.status_code == 200
    forms = page.context["formset"].forms
    assert [form.initial["name"] for form in forms] == ["Autumn 2027", "Spring 2028", "Summer 2028"]
    assert forms[0].initial["starts_on"] == D(2027, 9, 2) and forms[0].initial["starts_on"].weekday() == 3
    assert forms[0].initial["half_term_starts_on"] == D(2027, 10, 25)
    assert forms[2].initial["half_term_starts_on"] is None
    assert not Term.objects.filter(starts_on__year=2027, starts_on__month=9).exists()  # nothing saved yet


def test_it_saves_next_years_terms_as_adjusted(client, oakfield, head, this_year, on_today):
    rows = [
        {"name": "Autumn 2027", "starts_on": "2027-09-06", "ends_on": "2027-12-17",
         "half_term_starts_on": "2027-10-25", "half_term_ends_on": "2027-10-29"},
        {"name": "Spring 2028", "starts_on": "2028-01-04", "ends_on": "2028-03-24",
         "half_term_starts_on": "2028-02-14", "half_term_ends_on": "2028-02-18"},
        {"name": "Summer 2028", "starts_on": "2028-04-10", "ends_on": "2028-07-20", "DELETE": "on"},
    ]
    response = client.post(copy_url(oakfield), formset_data(rows))
    assert response.status_code == 302
    added = list(selectors.terms_in_year(oakfield, 2027))
    assert [(t.name, t.starts_on) for t in added] == [("Autumn 2027", D(2027, 9, 6)), ("Spring 2028", D(2028, 1, 4))]
    assert AuditEvent.objects.filter(verb="term.added").count() == 2
    # Sent again: nothing more.
    assert client.post(copy_url(oakfield), formset_data(rows)).status_code == 302
    assert Term.objects.filter(school=oakfield).count() == 5


def test_it_never_overwrites_an_existing_term(client, oakfield, head, this_year, on_today):
    entered = TermFactory(school=oakfield, name="Autumn 2027 (our dates)", starts_on=D(2027, 9, 1),
                          ends_on=D(2027, 12, 16))
    page = client.get(copy_url(oakfield))
    assert [form.initial["name"] for form in page.context["formset"].forms] == ["Spring 2028", "Summer 2028"]
    assert "Autumn 2027 (our dates)" in page.content.decode()
    overlapping = [{"name": "Autumn 2027", "starts_on": "2027-09-02", "ends_on": "2027-12-17"}]
    response = client.post(copy_url(oakfield), formset_data(overlapping))
    assert response.status_code == 400
    assert "These dates overlap Autumn 2027 (our dates)" in response.content.decode()
    entered.refresh_from_db()
    assert (entered.name, entered.starts_on, entered.ends_on) == ("Autumn 2027 (our dates)", D(2027, 9, 1),
                                                                  D(2027, 12, 16))
    assert Term.objects.filter(school=oakfield).count() == 4


def test_it_refuses_rows_that_overlap_each_other_and_saves_none(client, oakfield, head, this_year, on_today):
    rows = [{"name": "Autumn 2027", "starts_on": "2027-09-02", "ends_on": "2027-12-17"},
            {"name": "Spring 2028", "starts_on": "2027-12-10", "ends_on": "2028-03-24"}]
    response = client.post(copy_url(oakfield), formset_data(rows))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a class="alert-link" href="#id_term-1-starts_on">These dates overlap Autumn 2027' in page
    assert Term.objects.filter(school=oakfield).count() == 3


def test_it_says_when_there_is_nothing_to_copy(client, oakfield, head, on_today):
    page = client.get(copy_url(oakfield))
    assert page.status_code == 200 and b"Enter this year's terms first" in page.content


def test_the_copy_is_all_or_nothing_in_the_service(oakfield, people, this_year):
    good = TermDates("Autumn 2027", D(2027, 9, 2), D(2027, 12, 17))
    bad = TermDates("Spring 2028", D(2027, 12, 1), D(2028, 3, 24))  # overlaps the row before it
    with pytest.raises(services.TermRefused) as refused:
        services.add_terms(school=oakfield, actor=people.head, terms=[good, bad])
    assert refused.value.row == 1
    assert Term.objects.filter(school=oakfield).count() == 3


def test_in_the_summer_holiday_it_copies_the_year_just_ended_into_the_one_about_to_start(client, oakfield, head,
                                                                                          this_year, monkeypatch):
    import zoneinfo

    from django.utils import timezone

    august = datetime.datetime(2027, 8, 10, 9, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    monkeypatch.setattr(timezone, "now", lambda: august)
    client.force_login(head)  # a session from the real today would have expired by then
    assert b"Copy this year forward" in client.get(terms_url(oakfield)).content
    page = client.get(copy_url(oakfield))
    assert page.context["from_year"] == "2026 to 2027" and page.context["to_year"] == "2027 to 2028"
    assert [form.initial["name"] for form in page.context["formset"].forms] == ["Autumn 2027", "Spring 2028",
                                                                                "Summer 2028"]
