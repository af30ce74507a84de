"""The report holds counts back by rule: nothing hidden can be worked out from the totals it prints, this term's
or last term's, and a held-back count is never labelled as smaller than it is."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from governors import charts, figures, services
from incidents.models import CategoryCode, Incident, IncidentCategory
from onlinesafety.schools.models import Term
from onlinesafety.suppression import Figure, Status, Table, Totals, figure
from tests.factories import TermFactory
from tests.governors.conftest import at
from tests.kernel.suppression_check import worked_out

pytestmark = pytest.mark.django_db

# The finding: 34 incidents; 5, 5 and 4 in three categories; 2 in each of ten more, printed as "fewer than 3".
FINDING = {CategoryCode.CYBERBULLYING: 5, CategoryCode.DELIBERATE_ACCESS: 5, CategoryCode.ACCOUNT_MISUSE: 4,
           **{code: 2 for code in [CategoryCode.ONLINE_HATE, CategoryCode.YOUTH_IMAGERY, CategoryCode.SEXUAL_ABUSE,
                                   CategoryCode.INDECENT_IMAGES, CategoryCode.RADICALISATION,
                                   CategoryCode.ACCIDENTAL_NOT_REPORTED, CategoryCode.FILTER_BYPASS,
                                   CategoryCode.DATA_BREACH, CategoryCode.COPYRIGHT, CategoryCode.DEVICE_MISUSE]}}


@pytest.fixture
def term_of_34(oakfield, people):
    term = TermFactory(school=oakfield, name="Autumn 2025", starts_on=datetime.date(2025, 9, 3),
                       ends_on=datetime.date(2025, 12, 19))
    categories = {c.code: c for c in IncidentCategory.objects.filter(school=oakfield)}
    number = 0
    for code, count in FINDING.items():
        for _ in range(count):
            number += 1
            day = datetime.date(2025, 9 + number % 4, 3 + number % 15)
            incident = Incident.objects.create(
                school=oakfield, number=number, reported_by=people.reporter, occurred_at=at(day),
                location="in_school" if number % 2 else "online_only", category=categories[code],
                description="Words", acknowledged_at=at(day))
            Incident.objects.filter(pk=incident.pk).update(reported_at=at(day))
    return term


def category_table(rows, total):
    """What a reader has of the categories: the printed rows (the ones left out are zeros) and the total."""
    cells = [[now.value] for _, now, _ in rows]
    printed = Table(cells=tuple((now,) for _, now, _ in rows), column_totals=(figure(total, 3),))
    return cells, printed


def test_it_no_longer_lets_the_ten_small_categories_be_worked_out(term_of_34, oakfield):
    data = figures.collect(oakfield, term_of_34)
    rows = figures.tables(data)["categories"]
    assert [(label, str(now)) for label, now, _ in rows][:3] == [
        ("Cyberbullying", "5"), ("Deliberate access to inappropriate content", "5"),
        ("Account misuse or password sharing", "withheld")]
    assert [str(now) for _, now, _ in rows[3:]] == ["fewer than 3"] * 10
    cells, printed = category_table(rows, 34)
    assert worked_out(cells, printed, columns=Totals(fixed=True)) == []


def test_it_prints_the_same_in_the_pdf(term_of_34, oakfield):
    report = services.request_report(school=oakfield, term=term_of_34)
    services.build(report.pk)
    report.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.file.read())).pages)
    assert "Incidents reported 34" in text
    assert "Account misuse or password sharing withheld" in text
    assert "Online sexual abuse, grooming or exploitation fewer than 3" in text
    assert "“withheld” is a count of 3 or more" in text


def test_it_never_labels_a_count_held_back_for_another_as_fewer_than_three(term_of_34, oakfield):
    data = figures.collect(oakfield, term_of_34)
    for name, table in figures.tables(data).items():
        for row in table:
            for cell in row[1:]:
                if isinstance(cell, Figure) and cell.value >= 3:
                    assert cell.status is not Status.SMALL, (name, row)


def report_figures(oakfield, now_total, before_total, threshold=3, now_categories=(), before_categories=()):
    def term_figures(name, total, categories):
        incidents = {"total": total, "by_category": list(categories)}
        return figures.TermFigures(term=Term(school=oakfield, name=name), incidents=incidents, policies={},
                                   filtering={})

    return figures.ReportFigures(school=oakfield, current=term_figures("Now", now_total, now_categories),
                                 previous=term_figures("Before", before_total, before_categories), aup={"rows": []},
                                 categories=["Alpha", "Beta", "Gamma", "Zeta"])


def test_it_holds_back_in_last_terms_column_what_last_terms_total_would_give_away(oakfield):
    # Last term: 15 incidents, 11 of them Alpha; the two "fewer than 3" would make 4, so each 2.
    data = report_figures(oakfield, 9, 15, now_categories=[("Alpha", 9)],
                          before_categories=[("Alpha", 11), ("Beta", 2), ("Gamma", 2)])
    rows = figures.category_rows(data)
    assert [(label, str(now), str(before)) for label, now, before in rows] == [
        ("Alpha", "9", "withheld"), ("Beta", "0", "fewer than 3"), ("Gamma", "0", "fewer than 3")]


def test_it_orders_categories_by_what_is_printed_only(oakfield):
    # Zeta 2 and Alpha 1 both print "fewer than 3": listing Zeta first would say it is the larger.
    data = report_figures(oakfield, 10, 0, now_categories=[("Gamma", 7), ("Zeta", 2), ("Alpha", 1)])
    assert [label for label, _, _ in figures.category_rows(data)] == ["Gamma", "Alpha", "Zeta"]


def test_it_does_not_break_down_a_term_of_fewer_than_three_incidents(oakfield):
    # Two categories of a total "fewer than 3" would each be 1; and a category listed only when it has an
    # incident would say as much of a count "not given": every category is listed, and these print nothing.
    data = report_figures(oakfield, 2, 0, now_categories=[("Alpha", 1), ("Beta", 1)])
    assert figures.category_rows(data) == []
    rows = figures.breakdown(["a", "b", "c"], [1, 1, 0], None, totals=(2, None))
    assert [str(now) for _, now, _ in rows] == ["not given"] * 3


@pytest.mark.parametrize("before", [1, 2, 3, 4, 5])
def test_it_asks_about_a_rise_from_what_is_printed_only(oakfield, settings, before):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 6
    data = report_figures(oakfield, 6, before)
    data.current.incidents.update(urgent=0, possibly_illegal=0, open_at_end=0, pupils_repeated=0)
    data.current.policies.update(policies={}, duties_done=0, duties_on_time=0, duties_overdue_at_end=0)
    data.current.filtering.update(reverted_late=0, revert_overdue_at_end=0, review_on=None, checks=0)
    # 6 > 1.25 x 4 but not 1.25 x 5: asking only for some "fewer than 6" would tell them apart.
    assert not any("rose" in ask for ask in figures.questions_for(data))


class AgreementRow:
    def __init__(self, label, signed, declined, outstanding):
        self.label, self.signed, self.declined, self.outstanding = label, signed, declined, outstanding
        self.total = signed + declined + outstanding


def test_it_suppresses_the_answers_to_an_agreement_by_the_people_asked():
    rows = figures.agreement_rows([AgreementRow("Staff", 28, 1, 1), AgreementRow("Pupils", 27, 1, 2),
                                   AgreementRow("Parents", 60, 0, 40)])
    assert [[str(cell) for cell in row[1:]] for row in rows] == [
        ["30", "withheld", "fewer than 3", "fewer than 3"],  # 1 and 1 of 30 with 28 shown: each 1
        ["30", "27", "fewer than 3", "fewer than 3"],  # 1 and 2, or 2 and 1
        ["100", "60", "0", "40"]]


def test_it_scales_a_chart_by_the_shown_counts_only():
    def drawn(hidden):
        svg = charts.bar_chart([("a", [Figure(hidden, Status.WITHHELD, 3)]), ("b", [Figure(10, Status.SHOWN, 3)])])
        return re.sub(r"hatch-\d+", "hatch", svg)

    assert drawn(40) == drawn(400)
