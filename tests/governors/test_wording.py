"""The report's wording: a count with its noun in the singular or plural (never "(s)"), and "no data" where
there is no last term to compare with, rather than a column of zeros."""

import datetime

import pytest

from filtering.models import AnnualReview
from governors import figures
from governors.templatetags.governors import counted
from tests.factories import TermFactory
from tests.governors.test_figures import pdf_text

pytestmark = pytest.mark.django_db


def review(known, actions):
    AnnualReview.objects.create(
        school=known.school, reviewed_on=datetime.date(2026, 5, 10), senior_leader=known.people.head,
        governor=known.people.governor, filtering_provider="p", monitoring_provider="m", categories_blocked="c",
        alert_route="a", alert_speed="s", out_of_hours="o", training="t", findings="f", actions=actions,
        recorded_by=known.people.dsl)


def test_it_words_a_count_as_printed_never_telling_a_hidden_one_from_a_hidden_two(settings):
    assert counted(1, "case,cases") == counted(2, "case,cases") == "fewer than 3 cases"
    assert counted(0, "case,cases") == "0 cases" and counted(7, "case,cases") == "7 cases"
    assert figures.was_or_were(1) == figures.was_or_were(2) == "were"


def test_it_asks_about_ones_and_twos_without_a_bracketed_plural(known):
    # Summer: 1 urgent, 1 possibly illegal, 2 still open, 1 pupil in more than one incident.
    asks = " ".join(figures.collect(known.school, known.summer).questions)
    assert "(s)" not in asks
    assert "Fewer than 3 urgent cases:" in asks and "Fewer than 3 cases were still open" in asks
    assert "Fewer than 3 pupils were involved in more than one incident" in asks


@pytest.mark.parametrize("actions", ["Fix the wifi\n", "Fix the wifi\nTrain the new staff\n"])
def test_it_has_no_bracketed_plural_anywhere_in_the_pdf(known, actions):
    review(known, actions)
    text = pdf_text(known)
    assert "(s)" not in text
    assert "with fewer than 3 actions agreed" in " ".join(text.split())


def test_it_says_there_is_no_data_for_a_last_term_with_nothing_recorded(known):
    TermFactory(school=known.school, name="Autumn 2025", starts_on=datetime.date(2025, 9, 3),
                ends_on=datetime.date(2025, 12, 19))
    data = figures.collect(known.school, known.spring)
    assert data.previous is None and data.no_data_for.name == "Autumn 2025"
    text = " ".join(pdf_text(known, term=known.spring).split())
    assert "No data for last term (Autumn 2025): nothing was recorded for it" in text
    assert "Last term" not in text and "compared with" not in text


def test_it_says_there_is_no_data_when_the_school_has_no_earlier_term(known):
    text = " ".join(pdf_text(known, term=known.spring).split())
    assert "No data for last term: the school has no earlier term in the system" in text
    assert "Last term" not in text


def test_it_compares_with_a_last_term_that_has_records(known):
    data = figures.collect(known.school, known.summer)
    assert data.previous.term == known.spring and data.no_data_for is None
    text = " ".join(pdf_text(known).split())
    assert "Figure This term Last term" in text and "No data for last term" not in text
