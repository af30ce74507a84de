"""Academic years: which year a day or a term belongs to."""

from datetime import date


def academic_year_of(day: date) -> int:
    """The year the academic year containing ``day`` starts in. A year runs from 1 August to 31 July, so that in
    the summer holiday "this year" is the one about to start, the one a school is preparing."""
    return day.year if day.month >= 8 else day.year - 1


def academic_year_bounds(start_year: int) -> tuple[date, date]:
    """The first and last days a term of the academic year starting in ``start_year`` may start on."""
    return date(start_year, 8, 1), date(start_year + 1, 7, 31)


def academic_year_label(start_year: int) -> str:
    return f"{start_year} to {start_year + 1}"
