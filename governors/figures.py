"""The figures of a termly report, gathered through each domain app's selectors, and the small-number rule."""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings

from aup import selectors as aup_selectors
from filtering import selectors as filtering_selectors
from incidents import selectors as incident_selectors
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import KEY_STAGES, School, Term
from policies import selectors as policy_selectors

from .models import TermReport
from .selectors import previous_term


def small_number() -> int:
    return settings.GOVERNOR_REPORT_SMALL_NUMBER


def shown(count) -> str:
    """A count as governors read it: 1 up to the threshold becomes "fewer than N", so no child is recognisable."""
    if count is None:
        return "—"
    if 0 < count < small_number():
        return f"fewer than {small_number()}"
    return str(count)


def is_small(count) -> bool:
    return bool(count) and count < small_number()


WITHHELD = "withheld"


def shown_group(counts) -> list[str]:
    """The counts of one breakdown (they add up to a total shown elsewhere). When exactly one is hidden by the
    small-number rule, the next smallest is withheld as well, so the hidden one cannot be worked out by
    subtracting the others from the total."""
    texts = [shown(count) for count in counts]
    hidden = [index for index, count in enumerate(counts) if is_small(count)]
    if len(hidden) == 1:
        others = [index for index, count in enumerate(counts) if count and not is_small(count)]
        if others:
            texts[min(others, key=lambda index: counts[index])] = WITHHELD
    return texts


def percent(part, whole) -> str:
    """A percentage, withheld when either number is small (it would give the small number away)."""
    if not whole or is_small(part) or is_small(whole - part):
        return "—"
    return f"{round(100 * part / whole)}%"


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
    questions: list[str] = field(default_factory=list)
    previous_as_reported: bool = False  # last term's figures come from its own report, not today's records


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
    progress(55, "Counting acceptable use agreements")
    aup = dict(aup_selectors.term_figures(school, ReportPeriod.of_term(term)))
    figures = ReportFigures(school=school, current=current, previous=previous, aup=aup,
                            previous_as_reported=stored is not None)
    figures.questions = questions_for(figures)
    return figures


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
    """What governors should ask about, from the figures alone (every count through the small-number rule)."""
    now, before = figures.current, figures.previous
    incidents, asks = now.incidents, []
    if before and before.incidents["total"] and incidents["total"] > 1.25 * before.incidents["total"] \
            and not is_small(incidents["total"]):
        asks.append(f"Incidents rose from {shown(before.incidents['total'])} to {shown(incidents['total'])}: "
                    "what lies behind the rise, and is the curriculum responding?")
    if incidents["urgent"]:
        asks.append(f"{shown(incidents['urgent'])} urgent case(s): were the children safe the same day, and "
                    "were the right agencies told?")
    if incidents["possibly_illegal"]:
        asks.append(f"{shown(incidents['possibly_illegal'])} case(s) possibly involving illegal content: was "
                    "evidence handled as the policy requires, and reported to the police where needed?")
    if incidents["open_at_end"]:
        asks.append(f"{shown(incidents['open_at_end'])} case(s) were still open at the end of term: what is "
                    "holding them up?")
    if incidents["pupils_repeated"]:
        asks.append(f"{shown(incidents['pupils_repeated'])} pupil(s) were involved in more than one incident: "
                    "what support is in place for them?")
    if now.median_hours_to_acknowledge and now.median_hours_to_acknowledge > 24:
        asks.append("Half of the reports waited more than a day to be acknowledged: does the safeguarding team "
                    "have the time it needs?")
    policies = now.policies["policies"]
    if policies.get("overdue"):
        asks.append(f"{shown(policies['overdue'])} policy review(s) were overdue at the end of term: when will "
                    "they be approved?")
    late_duties = now.policies["duties_done"] - now.policies["duties_on_time"]
    if late_duties or now.policies["duties_overdue_at_end"]:
        asks.append("Some compliance duties were late or are overdue: which ones, and why?")
    for row in figures.aup["rows"]:
        if row.total and row.outstanding / row.total > 0.1:
            share = percent(row.outstanding, row.total)
            asks.append(f"{'Some' if share == '—' else share} of “{row.label}” have not answered the agreement "
                        "in force: how will the school reach them?")
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


# ---------------------------------------------------------------- tables for the PDF: (label, this term, last term)

def _grouped(labels_and_counts, previous_counts=None) -> list[tuple]:
    """(label, this term as shown, last term as shown) for one breakdown, each column suppressed as a group."""
    labels = [label for label, _ in labels_and_counts]
    now = shown_group([count for _, count in labels_and_counts])
    before: Sequence[str | None] = [None] * len(labels)  # no last term: an empty column
    if previous_counts is not None:
        before = shown_group(previous_counts)
    return list(zip(labels, now, before, strict=True))


def _breakdown(keys_and_labels, current: dict, previous: dict | None) -> list[tuple]:
    pairs = [(label, current.get(key, 0)) for key, label in keys_and_labels]
    return _grouped(pairs, [previous.get(key, 0) for key, _ in keys_and_labels] if previous is not None else None)


def category_counts(data: ReportFigures) -> list[tuple]:
    """(category, this term, last term) for every category seen in either term, busiest first."""
    now = data.current.incidents
    categories = {name: [n, 0] for name, n in now["by_category"]}
    for name, n in (data.previous.incidents["by_category"] if data.previous else []):
        categories.setdefault(name, [0, 0])[1] = n
    return [(name, n, m) for name, (n, m) in sorted(categories.items(), key=lambda item: (-item[1][0], item[0]))]


def tables(data: ReportFigures) -> dict:
    now, before = data.current, data.previous
    inc, inc_before = now.incidents, before.incidents if before else None

    def previous(key: str) -> Any:
        return inc_before[key] if inc_before is not None else None

    categories = category_counts(data)
    aup_rows = []
    for row in data.aup["rows"]:
        signed, declined, outstanding = shown_group([row.signed, row.declined, row.outstanding])
        exact = WITHHELD not in (signed, declined, outstanding) and not any(
            is_small(count) for count in (row.signed, row.declined, row.outstanding))
        aup_rows.append((row.label, shown(row.total), signed, declined, outstanding,
                         percent(row.signed, row.total) if exact else "—",
                         percent(row.outstanding, row.total) if exact else "—"))
    return {
        "headline": [
            ("Incidents reported", inc["total"], previous("total")),
            ("Urgent (a child at immediate risk)", inc["urgent"], previous("urgent")),
            ("Possibly illegal", inc["possibly_illegal"], previous("possibly_illegal")),
            ("Still open at the end of term", inc["open_at_end"], previous("open_at_end")),
            ("Pupils in more than one incident", inc["pupils_repeated"], previous("pupils_repeated")),
        ],
        "categories": _grouped([(name, n) for name, n, _ in categories],
                               [m for _, _, m in categories] if before else None),
        "concerning": _breakdown([("about_pupils", "Pupils"), ("about_staff", "Staff"),
                                  ("about_others", "Other adults")], inc, inc_before),
        "locations": _breakdown(incident_selectors.LOCATION_LABELS.items(), inc["by_location"],
                                previous("by_location")),
        "key_stages": _breakdown([(stage, stage) for stage in KEY_STAGES], inc["by_key_stage"],
                                 previous("by_key_stage")),
        "referrals": [row for row in _breakdown(incident_selectors.AGENCY_LABELS.items(), inc["referrals"],
                                                previous("referrals"))
                      if row[1] != "0" or row[2] not in (None, "0")],
        "policies": _breakdown(policy_selectors.STATUS_LABELS.items(), now.policies["policies"],
                               before.policies["policies"] if before else None),
        "filtering": _breakdown(filtering_selectors.REQUEST_STATUS_LABELS, now.filtering["requests"],
                                before.filtering["requests"] if before else None),
        "aup": aup_rows,
    }
