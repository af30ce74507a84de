"""The rules for a term's dates, as plain functions: the term forms show them as errors next to each field, and
the services check them again before anything is written."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from onlinesafety.schools.models import Term

LONGEST_TERM = timedelta(weeks=26)  # no school's term is longer: a longer one has a year typed wrong


@dataclass(frozen=True)
class TermDates:
    """A term as a person enters it: its name, first and last days, and the half-term holiday inside it."""

    name: str
    starts_on: date
    ends_on: date
    half_term_starts_on: date | None = None
    half_term_ends_on: date | None = None

    @classmethod
    def of(cls, term: Term) -> "TermDates":
        return cls(term.name, term.starts_on, term.ends_on, term.half_term_starts_on, term.half_term_ends_on)

    def matches(self, term: Term) -> bool:
        """The same term, entered again (a form sent twice, or a year copied forward twice)."""
        return TermDates.of(term) == self


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def describe(term: Term | TermDates) -> str:
    return f"{term.name} ({long_date(term.starts_on)} to {long_date(term.ends_on)})"


def term_problems(dates: TermDates, others: Iterable[Term | TermDates]) -> dict[str, str]:
    """What is wrong with ``dates`` (field name -> message), given the school's ``others`` terms (the term itself
    left out); an empty dict when nothing is."""
    problems: dict[str, str] = {}
    name = dates.name.strip()
    if not name:
        problems["name"] = "Enter the term's name, for example Autumn 2026."
    elif any(ch in name for ch in "\r\n\t"):
        problems["name"] = "Write the term's name on one line."
    if dates.ends_on <= dates.starts_on:
        problems["ends_on"] = "The term must end after the day it starts."
    elif dates.ends_on - dates.starts_on > LONGEST_TERM:
        problems["ends_on"] = "A term lasts at most 26 weeks: check the year of each date."
    first, last = dates.half_term_starts_on, dates.half_term_ends_on
    if (first is None) != (last is None):
        if first is None:
            problems["half_term_starts_on"] = "Enter the first day of the half-term holiday, or leave both empty."
        else:
            problems["half_term_ends_on"] = "Enter the last day of the half-term holiday, or leave both empty."
    elif first is not None and last is not None:
        if last < first:
            problems["half_term_ends_on"] = "The half-term holiday must end on or after the day it starts."
        elif "ends_on" not in problems and not (dates.starts_on < first and last < dates.ends_on):
            problems["half_term_starts_on"] = ("The half-term holiday must fall inside the term: after its first "
                                               "day and before its last.")
    if "ends_on" not in problems:
        clash = next((other for other in others
                      if other.starts_on <= dates.ends_on and other.ends_on >= dates.starts_on), None)
        if clash is not None:
            problems["starts_on"] = f"These dates overlap {describe(clash)}."
    return problems


YEAR = re.compile(r"\b(19|20)(\d\d)\b")


def name_a_year_on(name: str) -> str:
    """The term's name for next year: every year in it one later ("Autumn 2026" -> "Autumn 2027")."""
    return YEAR.sub(lambda match: str(int(match.group(0)) + 1), name)
