from datetime import date

import pytest

from onlinesafety.schools.models import Term
from policies import schedule


@pytest.mark.parametrize(
    ("start", "months", "anchor", "expected"),
    [
        (date(2027, 1, 31), 1, 31, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, 31, date(2028, 2, 29)),  # leap year
        (date(2027, 2, 28), 1, 31, date(2027, 3, 31)),  # the anchor comes back after a short month
        (date(2028, 2, 29), 12, 29, date(2029, 2, 28)),
        (date(2026, 12, 15), 1, 15, date(2027, 1, 15)),
        (date(2026, 8, 31), 6, None, date(2027, 2, 28)),
    ],
)
def test_it_adds_months_at_month_ends_and_leap_years(start, months, anchor, expected):
    assert schedule.add_months(start, months, anchor) == expected


def terms():
    return [Term(name="Autumn", starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18)),
            Term(name="Spring", starts_on=date(2027, 1, 5), ends_on=date(2027, 3, 26))]


def test_it_finds_half_terms_from_the_term_dates():
    assert schedule.half_term_ends(terms()) == [date(2026, 10, 26), date(2026, 12, 18), date(2027, 2, 14),
                                                date(2027, 3, 26)]


@pytest.mark.parametrize(
    ("recurrence", "due", "expected"),
    [
        ("monthly", date(2027, 1, 31), date(2027, 2, 28)),
        ("yearly", date(2028, 2, 29), date(2029, 2, 28)),
        ("half_termly", date(2026, 10, 26), date(2026, 12, 18)),
        ("half_termly", date(2026, 12, 18), date(2027, 2, 14)),
        ("termly", date(2026, 12, 18), date(2027, 3, 26)),
    ],
)
def test_it_rolls_each_kind_of_duty(recurrence, due, expected):
    assert schedule.next_due(recurrence, due, due.day, terms()) == expected


def test_it_asks_for_term_dates_when_they_run_out():
    with pytest.raises(schedule.NoTermDates):
        schedule.next_due("termly", date(2027, 3, 26), 26, terms())


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(45, None), (31, None), (30, "30"), (12, "30"), (8, "30"), (7, "7"), (1, "7"), (0, "0"), (-1, "overdue-1"),
     (-7, "overdue-1"), (-8, "overdue-2"), (-15, "overdue-3")],
)
def test_it_picks_the_reminder_band(days_left, threshold):
    today = date(2026, 11, 23)
    assert schedule.reminder_threshold(date.fromordinal(today.toordinal() + days_left), today) == threshold


@pytest.mark.parametrize(
    ("next_review", "status"),
    [(None, "current"), (date(2026, 11, 22), "overdue"), (date(2026, 12, 23), "due_soon"),
     (date(2026, 12, 24), "current")],
)
def test_it_tells_overdue_from_due_soon(next_review, status):
    assert schedule.review_status(next_review, date(2026, 11, 23)) == status


# ---------------------------------------------------------------- the real half-term holiday

def terms_with_half_terms():
    return [Term(name="Autumn", starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18),
                 half_term_starts_on=date(2026, 10, 26), half_term_ends_on=date(2026, 10, 30)),
            Term(name="Spring", starts_on=date(2027, 1, 5), ends_on=date(2027, 3, 26)),  # none entered
            Term(name="Summer", starts_on=date(2027, 4, 12), ends_on=date(2027, 7, 21),
                 half_term_starts_on=date(2027, 5, 31), half_term_ends_on=date(2027, 6, 4))]


def test_it_ends_the_first_half_the_day_before_the_half_term_holiday():
    autumn, spring, summer = terms_with_half_terms()
    assert schedule.first_half_ends(autumn) == date(2026, 10, 25)
    assert schedule.first_half_ends(summer) == date(2027, 5, 30)
    assert schedule.first_half_ends(spring) == date(2027, 2, 14)  # the middle, without a holiday entered


def test_it_finds_half_terms_from_the_holidays_where_the_school_entered_them():
    assert schedule.half_term_ends(terms_with_half_terms()) == [
        date(2026, 10, 25), date(2026, 12, 18), date(2027, 2, 14), date(2027, 3, 26), date(2027, 5, 30),
        date(2027, 7, 21)]


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2026, 9, 10), date(2026, 10, 25)),  # the first half of autumn ends before its holiday
        (date(2026, 10, 25), date(2026, 12, 18)),
        (date(2026, 10, 27), date(2026, 12, 18)),  # due in the holiday itself: the end of term is next
        (date(2026, 12, 18), date(2027, 2, 14)),
        (date(2027, 3, 26), date(2027, 5, 30)),
    ],
)
def test_it_rolls_half_termly_duties_to_the_real_half_terms(due, expected):
    assert schedule.next_due("half_termly", due, due.day, terms_with_half_terms()) == expected


def test_termly_duties_are_unchanged_by_half_terms():
    assert schedule.next_due("termly", date(2026, 10, 25), 25, terms_with_half_terms()) == date(2026, 12, 18)
