"""The figures of a termly report, gathered through each domain app's selectors, and the small-number rule."""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from aup import selectors as aup_selectors
from filtering import selectors as filtering_selectors
from incidents import selectors as incident_selectors
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import KEY_STAGES, School, Term
from onlinesafety.suppression import Figure, Status, Totals, figure, small_number, suppress
from policies import selectors as policy_selectors

from .models import TermReport
from .selectors import previous_term


def shown(count: int | None) -> str:
    """A count printed on its own: 1 up to the threshold becomes "fewer than N", so no child is recognisable."""
    return "—" if count is None else figure(count, small_number()).text


def counted(count: int, singular: str, plural: str) -> str:
    """A count with its noun, as printed: "1 case" only when the 1 is shown; "fewer than 3 cases" otherwise, so
    the wording never tells a hidden 1 from a hidden 2."""
    printed = figure(count, small_number())
    return f"{printed.text} {singular if _is_one(printed) else plural}"


def was_or_were(count: int) -> str:
    return "was" if _is_one(figure(count, small_number())) else "were"


def _is_one(printed: Figure) -> bool:
    return printed.status is Status.SHOWN and printed.value == 1


def percent(part: Figure, whole: Figure) -> str:
    """A percentage of two printed counts, given only when both are shown (it would give a hidden one away)."""
    if part.hidden or whole.hidden or not whole.value:
        return "—"
    return f"{round(100 * part.value / whole.value)}%"


@dataclass
class TermFigures:
    term: Term
    incidents: dict[str, Any]  # each domain app's figures as plain dicts: they are kept as JSON with the report
    policies: dict[str, Any]
    filtering: dict[str, Any]
    median_hours_to_acknowledge: float | None = None
    median_days_to_close: float | None = None


@dataclass
class ReportFigures:
    school: School
    current: TermFigures
    previous: TermFigures | None
    aup: dict[str, Any]
    categories: list[str] = field(default_factory=list)  # every category of the school, listed whatever its count
    questions: list[str] = field(default_factory=list)
    previous_as_reported: bool = False  # last term's figures come from its own report, not today's records
    no_data_for: Term | None = None  # the term before, when nothing was recorded for it: no comparison is made


def figures_for_term(school: School, term: Term) -> TermFigures:
    period = ReportPeriod.of_term(term)
    incidents: dict[str, Any] = dict(incident_selectors.term_figures(school, period))
    ack, close = incidents.pop("hours_to_acknowledge"), incidents.pop("hours_to_close")
    return TermFigures(
        term=term, incidents=incidents, policies=dict(policy_selectors.term_figures(school, period)),
        filtering=dict(filtering_selectors.term_figures(school, period)),
        median_hours_to_acknowledge=_median(ack), median_days_to_close=_median(close, per=24),
    )


def _median(hours: list[float], per: int = 1) -> float | None:
    """The median, or None from fewer cases than the small-number threshold (one case's time is that case's)."""
    if len(hours) < small_number():
        return None
    return round(statistics.median(hours) / per, 1)


def collect(school: School, term: Term, progress: Callable[[int, str], None] = lambda percent, step: None,
            ) -> ReportFigures:
    progress(10, "Counting this term's incidents, policies and filtering")
    current = figures_for_term(school, term)
    progress(35, "Counting last term's, for comparison")
    before = previous_term(term)
    stored = reported_figures(before) if before else None
    previous = stored or (figures_for_term(school, before) if before else None)
    no_data_for = None
    if previous is not None and stored is None and nothing_recorded(previous):
        previous, no_data_for = None, before
    progress(55, "Counting acceptable use agreements")
    aup = dict(aup_selectors.term_figures(school, ReportPeriod.of_term(term)))
    figures = ReportFigures(school=school, current=current, previous=previous, aup=aup,
                            categories=incident_selectors.category_names(school),
                            previous_as_reported=stored is not None, no_data_for=no_data_for)
    figures.questions = questions_for(figures)
    return figures


def nothing_recorded(term_figures: TermFigures) -> bool:
    """Whether a term worked out from today's records has nothing in it: no incident, no filtering request,
    check, revert or review, no duty done (e.g. a term before the school began using the service). Its columns
    would read all zeros, which is not what happened: the report says there is no data instead. The policy
    counts are left out of this: they describe today's register, whatever the term."""
    filtering = term_figures.filtering
    return not (term_figures.incidents["total"] or term_figures.policies["duties_done"] or filtering["requests"]
                or filtering["checks"] or filtering["reverted"] or filtering["review_on"])


# ---------------------------------------------------------------- figures kept with each report

def to_json(term_figures: TermFigures) -> dict[str, Any]:
    """What a report keeps of its own term, so next term's report compares with the figures governors saw
    rather than with records changed since (a policy approved later, a pupil moved up a year)."""
    incidents = {**term_figures.incidents,
                 "by_month": [[month.isoformat(), n] for month, n in term_figures.incidents["by_month"]],
                 "by_category": [list(row) for row in term_figures.incidents["by_category"]]}
    review_on = term_figures.filtering["review_on"]
    return {"incidents": incidents, "policies": term_figures.policies,
            "filtering": {**term_figures.filtering, "review_on": review_on.isoformat() if review_on else None},
            "median_hours_to_acknowledge": term_figures.median_hours_to_acknowledge,
            "median_days_to_close": term_figures.median_days_to_close}


def from_json(term: Term, data: dict[str, Any]) -> TermFigures:
    incidents = {**data["incidents"],
                 "by_month": [(datetime.fromisoformat(month), n) for month, n in data["incidents"]["by_month"]],
                 "by_category": [tuple(row) for row in data["incidents"]["by_category"]]}
    review_on = data["filtering"]["review_on"]
    filtering = {**data["filtering"], "review_on": date.fromisoformat(review_on) if review_on else None}
    return TermFigures(term=term, incidents=incidents, policies=data["policies"], filtering=filtering,
                       median_hours_to_acknowledge=data["median_hours_to_acknowledge"],
                       median_days_to_close=data["median_days_to_close"])


def reported_figures(term: Term) -> TermFigures | None:
    """The figures of the term's latest finished report, if it has one."""
    stored = TermReport.objects.filter(term=term, status=TermReport.Status.READY).exclude(figures={}).order_by(
        "-version").values_list("figures", flat=True).first()
    return from_json(term, stored) if stored else None


# ---------------------------------------------------------------- the summary page

def questions_for(figures: ReportFigures) -> list[str]:
    """What governors should ask about, from the printed figures alone: whether a question about incidents or
    agreements is asked never depends on a count the report holds back (the policy, duty and filtering counts are
    on pages governors read anyway: they are printed with the same rule, for one way of reading the report)."""
    now, before = figures.current, figures.previous
    incidents, asks = now.incidents, []
    if before and _rose(figure(before.incidents["total"], small_number()), figure(incidents["total"], small_number())):
        asks.append(f"Incidents rose from {shown(before.incidents['total'])} to {shown(incidents['total'])}: "
                    "what lies behind the rise, and is the curriculum responding?")
    if incidents["urgent"]:
        asks.append(f"{counted(incidents['urgent'], 'urgent case', 'urgent cases')}: were the children safe the "
                    "same day, and were the right agencies told?")
    if incidents["possibly_illegal"]:
        asks.append(f"{counted(incidents['possibly_illegal'], 'case', 'cases')} possibly involving illegal "
                    "content: was evidence handled as the policy requires, and reported to the police where needed?")
    if incidents["open_at_end"]:
        asks.append(f"{counted(incidents['open_at_end'], 'case', 'cases')} {was_or_were(incidents['open_at_end'])} "
                    "still open at the end of term: what is holding them up?")
    if incidents["pupils_repeated"]:
        pupils = incidents["pupils_repeated"]
        asks.append(f"{counted(pupils, 'pupil', 'pupils')} {was_or_were(pupils)} involved in more than one "
                    "incident: what support is in place for them?")
    if now.median_hours_to_acknowledge and now.median_hours_to_acknowledge > 24:
        asks.append("Half of the reports waited more than a day to be acknowledged: does the safeguarding team "
                    "have the time it needs?")
    policies = now.policies["policies"]
    if policies.get("overdue"):
        asks.append(f"{counted(policies['overdue'], 'policy review', 'policy reviews')} "
                    f"{was_or_were(policies['overdue'])} overdue at the end of term: when will "
                    f"{'it' if _is_one(figure(policies['overdue'], small_number())) else 'they'} be approved?")
    late_duties = now.policies["duties_done"] - now.policies["duties_on_time"]
    if late_duties or now.policies["duties_overdue_at_end"]:
        asks.append("Some compliance duties were late or are overdue: which ones, and why?")
    for label, total, _, _, outstanding in agreement_rows(figures.aup["rows"]):
        share = _unanswered(total, outstanding)
        if share:
            asks.append(f"{share} of “{label}” have not answered the agreement in force: how will the school "
                        "reach them?")
    filtering = now.filtering
    if filtering["reverted_late"] or filtering["revert_overdue_at_end"]:
        asks.append("Temporary unblocks were reverted late or are still open: is the two-person process working?")
    if filtering["review_on"] is None or (now.term.ends_on - filtering["review_on"]).days > 365:
        asks.append("There has been no filtering and monitoring review in the last year: when will it happen?")
    if not filtering["checks"]:
        asks.append("No filtering check was recorded this term: who checks that the filter works?")
    if not asks:
        asks.append("No figure stands out this term: ask how pupils' online safety learning went, and what "
                    "pupils and parents say about it.")
    return [ask[0].upper() + ask[1:] for ask in asks]


def _rose(before: Figure, now: Figure) -> bool:
    """More than a quarter up on last term, judged against the most a hidden "fewer than N" could be."""
    if not before.value or now.status is not Status.SHOWN:
        return False
    most_before = before.value if before.status is Status.SHOWN else before.threshold - 1
    return now.value > 1.25 * most_before


def _unanswered(total: Figure, outstanding: Figure) -> str | None:
    """The share of an agreement's people who have not answered, for a question when it may be over a tenth;
    worked out from what the table prints, so that asking gives nothing away."""
    if total.status is not Status.SHOWN or not total.value:
        return None
    if outstanding.status is Status.SHOWN:
        return percent(outstanding, total) if outstanding.value > total.value / 10 else None
    if outstanding.status is Status.WITHHELD or (
            outstanding.status is Status.SMALL and outstanding.threshold - 1 > total.value / 10):
        return "Some"
    return None


# ---------------------------------------------------------------- tables for the PDF: (label, this term, last term)

Row = tuple[str, Figure, Figure | None]  # label, this term, last term (None: the report has no last term)


def breakdown(labels: Sequence[str], now: Sequence[int], before: Sequence[int] | None, *,
              totals: tuple[int, int | None] | None = None, overlapping: bool = False) -> list[Row]:
    """One breakdown, this term and last, suppressed as one table. ``totals``: each term's total printed above
    (the number of incidents), which the counts add up to (``overlapping``: to it or more), so held back with
    them; without, each count stands alone."""
    if not labels:
        return []
    columns = [list(now)] + ([list(before)] if before is not None else [])
    column_totals = None
    if totals is not None:
        column_totals = Totals(values=[total for total in totals[:len(columns)] if total is not None], fixed=True,
                               overlapping=overlapping)
    printed = suppress([list(row) for row in zip(*columns, strict=True)], threshold=small_number(),
                       column_totals=column_totals)
    return [(label, cells[0], cells[1] if before is not None else None)
            for label, cells in zip(labels, printed.cells, strict=True)]


def _keyed(keys_and_labels, current: dict, previous: dict | None, **totals: Any) -> list[Row]:
    keys, labels = [key for key, _ in keys_and_labels], [label for _, label in keys_and_labels]
    return breakdown(labels, [current.get(key, 0) for key in keys],
                     [previous.get(key, 0) for key in keys] if previous is not None else None, **totals)


def _says_something(row: Row) -> bool:
    """Whether a row prints more than zeros and "not given" (leaving it out says nothing a reader could not)."""
    return any(cell is not None and cell.status is not Status.NOT_GIVEN and (cell.hidden or cell.value)
               for cell in row[1:])


def _busiest_first(row: Row) -> tuple:
    """Ordered by what is printed only: an order by hidden counts would tell them apart."""
    now = row[1]
    rank = {Status.SHOWN: 0 if now.value else 4, Status.WITHHELD: 1, Status.SMALL: 2, Status.NOT_GIVEN: 3}
    return rank[now.status], -now.value if now.status is Status.SHOWN else 0, row[0]


def category_rows(data: ReportFigures) -> list[Row]:
    """Every category of the school (and any name only last term's report knew), busiest first, those with
    nothing printed left out."""
    now = dict(data.current.incidents["by_category"])
    before = dict(data.previous.incidents["by_category"]) if data.previous else None
    names = list(dict.fromkeys([*data.categories, *now, *(before or {})]))
    rows = breakdown(names, [now.get(name, 0) for name in names],
                     [before.get(name, 0) for name in names] if before is not None else None,
                     totals=_incident_totals(data))
    return sorted(filter(_says_something, rows), key=_busiest_first)


def _incident_totals(data: ReportFigures, key: str = "total") -> tuple[int, int | None]:
    return data.current.incidents[key], data.previous.incidents[key] if data.previous else None


def month_rows(data: ReportFigures) -> list[Row]:
    """This term's incidents by month: every month of the term, so that a month's being listed says nothing."""
    term, counts = data.current.term, {(month.year, month.month): n for month, n in data.current.incidents["by_month"]}
    months = []
    month = term.starts_on.replace(day=1)
    while month <= term.ends_on:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return breakdown([f"{month:%B %Y}" for month in months], [counts.get((m.year, m.month), 0) for m in months],
                     None, totals=(data.current.incidents["total"], None))


def checklist_rows(data: ReportFigures) -> list[Row]:
    """The harms' procedure checklists: the cases with one, then those split into every item answered or not,
    suppressed as one table that adds up to the first row. A report from before checklists has no last term."""
    threshold = small_number()
    now = data.current.incidents
    before = data.previous.incidents if data.previous and "with_checklist" in data.previous.incidents else None
    first: Row = ("Cases with a procedure checklist", figure(now.get("with_checklist", 0), threshold),
                  figure(before["with_checklist"], threshold) if before is not None else None)

    def split(figures: dict[str, Any]) -> list[int]:
        return [figures["checklists_complete"], figures["with_checklist"] - figures["checklists_complete"]]

    if "with_checklist" not in now:
        return [first]
    parts = breakdown(["Every item answered", "Some items unanswered"], split(now),
                      split(before) if before is not None else None,
                      totals=(now["with_checklist"], before["with_checklist"] if before is not None else None))
    rows = [first, *parts]
    # The cases with a checklist are mostly those of the categories that bring one: printed beside the category
    # table, the total less the categories shown could give a held-back category count away (12 with a checklist,
    # 10 cyberbullying: the 2 sharing nudes). So while the category table holds a small count back, this table is
    # held back as a whole for that term: the total "withheld" (a count of N or more) and its breakdown "not given".
    for column, hides in enumerate(_categories_hide_small(data)):
        if hides:
            rows = [(label, *_held_back(cells, column, total=index == 0)) for index, (label, *cells) in
                    enumerate(rows)]
    return rows


def _categories_hide_small(data: ReportFigures) -> tuple[bool, bool]:
    """For this term and last: whether the category table holds back a count of 1 to N-1."""
    if "by_category" not in data.current.incidents:
        return False, False
    rows = category_rows(data)
    now = any(row[1].status is Status.SMALL for row in rows)
    before = any(row[2] is not None and row[2].status is Status.SMALL for row in rows)
    return now, before


def _held_back(cells: list[Figure | None], column: int, *, total: bool) -> tuple[Figure, Figure | None]:
    cell = cells[column]
    if cell is not None and not cell.hidden and cell.value:
        cells[column] = Figure(cell.value, Status.WITHHELD if total else Status.NOT_GIVEN, cell.threshold)
    elif cell is not None and not total:
        cells[column] = Figure(cell.value, Status.NOT_GIVEN, cell.threshold)
    return cells[0], cells[1]  # type: ignore[return-value]


def agreement_rows(rows: Sequence[Any]) -> list[tuple[str, Figure, Figure, Figure, Figure]]:
    """(agreement, asked, signed or answered, declined, outstanding): the answers add up to the people asked."""
    if not rows:
        return []
    printed = suppress([[row.signed, row.declined, row.outstanding] for row in rows], threshold=small_number(),
                       row_totals=Totals())
    assert printed.row_totals is not None
    return [(row.label, total, *cells) for row, total, cells in zip(rows, printed.row_totals, printed.cells,
                                                                     strict=True)]


def tables(data: ReportFigures) -> dict:
    now, before = data.current, data.previous
    inc, inc_before = now.incidents, before.incidents if before else None
    threshold = small_number()

    def headline(label: str, key: str) -> Row:
        return (label, figure(inc[key], threshold),
                figure(inc_before[key], threshold) if inc_before is not None else None)

    def previous(key: str) -> Any:
        return inc_before[key] if inc_before is not None else None

    return {
        "headline": [
            headline("Incidents reported", "total"),
            headline("Urgent (a child at immediate risk)", "urgent"),
            headline("Possibly illegal", "possibly_illegal"),
            headline("Still open at the end of term", "open_at_end"),
            headline("Pupils in more than one incident", "pupils_repeated"),
        ],
        "categories": category_rows(data),
        # An incident can concern pupils and adults at once, or neither: these add up to nothing printed.
        "concerning": breakdown(["Pupils", "Staff", "Other adults"],
                                [inc["about_pupils"], inc["about_staff"], inc["about_others"]],
                                [inc_before[key] for key in ("about_pupils", "about_staff", "about_others")]
                                if inc_before is not None else None),
        "locations": _keyed(incident_selectors.LOCATION_LABELS.items(), inc["by_location"],
                            previous("by_location"), totals=_incident_totals(data)),
        # An incident with pupils in two key stages counts in both: the stages add up to "pupils" or more.
        "key_stages": _keyed([(stage, stage) for stage in KEY_STAGES], inc["by_key_stage"],
                             previous("by_key_stage"), totals=_incident_totals(data, "about_pupils"),
                             overlapping=True),
        # Distinct pupils by their role in the term's cases: one pupil can hold two roles in two cases, so these add
        # up to nothing printed, and each count is suppressed on its own.
        "pupil_roles": _keyed(incident_selectors.PUPIL_ROLE_LABELS.items(), inc["pupils_by_role"],
                              inc_before.get("pupils_by_role") if inc_before is not None else None),
        "months": month_rows(data),
        "checklists": checklist_rows(data),
        "referrals": list(filter(_says_something, _keyed(incident_selectors.AGENCY_LABELS.items(),
                                                         inc["referrals"], previous("referrals")))),
        "policies": _keyed(policy_selectors.STATUS_LABELS.items(), now.policies["policies"],
                           before.policies["policies"] if before else None),
        "filtering": _keyed(filtering_selectors.REQUEST_STATUS_LABELS, now.filtering["requests"],
                            before.filtering["requests"] if before else None),
        "aup": [(label, total, signed, declined, outstanding, percent(signed, total), percent(outstanding, total))
                for label, total, signed, declined, outstanding in agreement_rows(data.aup["rows"])],
    }
