"""What every app's figures for a report are counted over.

Each domain app offers ``selectors.term_figures(school, period) -> <App>Figures`` (a TypedDict of counts, dates and
labels: never a name, a description or a web address). Reporting apps (the governors' report, and the trust and
records work to come) call those and nothing else of the app, and print every count through
``onlinesafety.suppression``.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onlinesafety.schools.models import Term


@dataclass(frozen=True)
class ReportPeriod:
    """A run of the school's days, from midnight of the first to midnight after the last, in the school's zone."""

    starts_on: date
    ends_on: date
    zone: zoneinfo.ZoneInfo

    @classmethod
    def of_term(cls, term: "Term") -> "ReportPeriod":
        return cls(term.starts_on, term.ends_on, zoneinfo.ZoneInfo(term.school.timezone))

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.starts_on, time.min, tzinfo=self.zone)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.ends_on + timedelta(days=1), time.min, tzinfo=self.zone)
