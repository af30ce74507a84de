"""Date arithmetic for reviews and duties. Pure functions: easy to test at month ends and leap years."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

DUE_SOON_DAYS = 30
REMINDER_DAYS = (30, 7, 0)


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """``months`` after ``day``, on ``anchor_day`` where the month has it, else on its last day.

    31 January + 1 month is 28 (or 29) February; with the anchor kept, a month later it is 31 March again.
    """
    return day + relativedelta(months=months, day=anchor_day or day.day)


def next_review(approved_on: date, cycle_months: int) -> date:
    return add_months(approved_on, cycle_months)


def first_half_ends(term) -> date:
    """The last day of the term's first half: the day before its half-term holiday when the school entered one,
    else the middle of the term."""
    if term.half_term_starts_on is not None:
        return term.half_term_starts_on - timedelta(days=1)
    return term.starts_on + timedelta(days=(term.ends_on - term.starts_on).days // 2)


def half_term_ends(terms) -> list[date]:
    """The last day of each half term, in order: the end of each term's first half (``first_half_ends``) and the
    end of the term."""
    ends = []
    for term in terms:
        ends += [first_half_ends(term), term.ends_on]
    return sorted(ends)


def term_ends(terms) -> list[date]:
    return sorted(term.ends_on for term in terms)


class NoTermDates(ValueError):
    """A half-termly or termly duty needs the school's term dates beyond the current due date."""


def next_due(recurrence: str, due_on: date, anchor_day: int, terms=()) -> date:
    """The due date after ``due_on`` for a duty that recurs as ``recurrence``."""
    if recurrence == "monthly":
        return add_months(due_on, 1, anchor_day)
    if recurrence == "yearly":
        return add_months(due_on, 12, anchor_day)
    ends = half_term_ends(terms) if recurrence == "half_termly" else term_ends(terms)
    later = [end for end in ends if end > due_on]
    if not later:
        raise NoTermDates("Add next year's term dates first: the next due date comes from them.")
    return later[0]


def review_status(next_review_on: date | None, today: date) -> str:
    """'overdue', 'due_soon' or 'current' for a review date."""
    if next_review_on is None:
        return "current"
    if next_review_on < today:
        return "overdue"
    if next_review_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "current"


def reminder_threshold(due_on: date, today: date) -> str | None:
    """Which reminder is due today, if any: '30', '7' or '0' days before, or 'overdue-N' in week N late.

    A reminder band is entered once; if the task missed a day, the current band is sent, not the past ones.
    """
    days_left = (due_on - today).days
    if days_left < 0:
        return f"overdue-{(-days_left - 1) // 7 + 1}"
    for threshold in sorted(REMINDER_DAYS):
        if days_left <= threshold:
            return str(threshold)
    return None
