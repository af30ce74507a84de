"""Suppression by rule: random tables, and the governor report's own finding, against an exact search of every
completion a reader could make of what is printed (``tests/kernel/suppression_check.py``)."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from onlinesafety import suppression
from onlinesafety.suppression import Status, Totals, Unprotectable, figure, suppress
from tests.kernel.suppression_check import worked_out

COUNT = st.one_of(st.integers(0, 4), st.integers(0, 6), st.sampled_from([0, 1, 2, 3, 4]), st.integers(0, 12),
                  st.integers(0, 60), st.integers(100, 900))  # mostly near the threshold, where it matters


@st.composite
def tables(draw):
    """A table of random shape and counts, printed with one of the sets of totals reports use."""
    height, width = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    cells = [[draw(COUNT) for _ in range(width)] for _ in range(height)]
    kind = draw(st.sampled_from(["columns", "columns overlapping", "rows", "all", "grand", "none"]))
    rows = columns = grand = None
    if kind == "columns":  # a breakdown by term under totals printed above it (the governors' report)
        columns = Totals(fixed=draw(st.booleans()))
    elif kind == "columns overlapping":  # key stages: an incident can have pupils in two
        values = [draw(st.integers(min(column), sum(column))) if any(column) else 0
                  for column in ([row[j] for row in cells] for j in range(width))]
        values = [min(value, max(column)) if column else value
                  for value, column in zip(values, ([row[j] for row in cells] for j in range(width)), strict=True)]
        values = [max(value, max(column)) for value, column in
                  zip(values, ([row[j] for row in cells] for j in range(width)), strict=True)]
        columns = Totals(values=values, fixed=True, overlapping=True)
    elif kind == "rows":  # agreements: asked, and signed, declined, outstanding
        rows = Totals()
    elif kind == "all":  # a trust: schools by categories, every total, the grand total maybe printed elsewhere
        rows, columns, grand = Totals(), Totals(), Totals(fixed=draw(st.booleans()))
    elif kind == "grand":
        grand = Totals()
    return cells, rows, columns, grand, draw(st.sampled_from([3, 3, 3, 4, 5]))


@settings(max_examples=500, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_it_leaves_no_hidden_count_that_can_be_worked_out(table):
    cells, rows, columns, grand, threshold = table
    printed = suppress(cells, threshold=threshold, row_totals=rows, column_totals=columns, grand_total=grand)
    found = worked_out(cells, printed, rows, columns, grand)
    assert [name for name, value in found if value < threshold] == []  # no small count, ever
    # A larger one only where fixed totals give it away, whatever is held back (one row: its total is the grand).
    assert not found or any(totals and totals.fixed for totals in (rows, columns, grand))


def every_figure(printed):
    yield from (cell for row in printed.cells for cell in row)
    yield from printed.row_totals or ()
    yield from printed.column_totals or ()
    if printed.grand_total:
        yield printed.grand_total


@settings(max_examples=300, deadline=None, database=None)
@given(tables())
def test_it_shows_no_count_below_the_threshold_but_zero_and_labels_each_truly(table):
    cells, rows, columns, grand, threshold = table
    printed = suppress(cells, threshold=threshold, row_totals=rows, column_totals=columns, grand_total=grand)
    for shown in every_figure(printed):
        least, most = shown.bounds
        assert least <= shown.value <= most
        if shown.status is Status.SHOWN:
            assert shown.value == 0 or shown.value >= threshold
    for totals, figures in ((columns, printed.column_totals), (grand, [printed.grand_total])):
        if totals is not None and totals.fixed:  # printed elsewhere too: only ever "fewer than N"
            assert all(total.status in (Status.SHOWN, Status.SMALL) for total in figures)


def test_it_no_longer_lets_ten_hidden_categories_be_worked_out_from_the_total():
    # The finding: 34 incidents, 14 in the categories shown, ten "fewer than 3" that must then each be 2.
    cells = [[5], [5], [4]] + [[2]] * 10
    printed = suppress(cells, threshold=3, column_totals=Totals(fixed=True))
    texts = [str(row[0]) for row in printed.cells]
    assert texts == ["5", "5", "withheld"] + ["fewer than 3"] * 10
    assert str(printed.column_totals[0]) == "34"
    assert worked_out(cells, printed, columns=Totals(fixed=True)) == []


def test_it_finds_the_old_rule_wanting():
    # What the old rule printed (only a single hidden cell got a second one) is worked out by the same check.
    cells = [[5], [5], [4]] + [[2]] * 10
    old = suppress(cells, threshold=3, column_totals=Totals(fixed=True))
    old_cells = tuple((suppression.Figure(row[0].value, Status.SHOWN if row[0].value >= 3 else Status.SMALL, 3),)
                      for row in old.cells)
    old = suppression.Table(cells=old_cells, column_totals=old.column_totals)
    assert len(worked_out(cells, old, columns=Totals(fixed=True))) == 10


@pytest.mark.parametrize(("cells", "texts"), [
    ([[4], [1], [0]], ["withheld", "fewer than 3", "0"]),  # 5 - 4 = 1 without the second
    ([[3], [1], [0]], ["not given", "not given", "not given"]),  # withheld (3 or more) + fewer than 3 = 4: 3 and 1
    ([[3], [1], [1], [0]], ["not given"] * 4),  # 3, 1 and 1 make 5 only one way
    ([[2], [2], [1]], ["fewer than 3"] * 3),  # 5 from three of 1 or 2: each can be 1 or 2, nothing more needed
    ([[9], [0], [0]], ["9", "0", "0"]),
])
def test_it_holds_back_what_a_breakdown_of_a_printed_total_needs(cells, texts):
    printed = suppress(cells, threshold=3, column_totals=Totals(fixed=True))
    assert [str(row[0]) for row in printed.cells] == texts


def test_it_does_not_break_down_a_total_fewer_than_the_threshold():
    # Two parts of a total "fewer than 3" that are not zero would each be 1.
    printed = suppress([[1], [1], [0]], threshold=3, column_totals=Totals(fixed=True))
    assert [str(row[0]) for row in printed.cells] == ["not given"] * 3
    assert str(printed.column_totals[0]) == "fewer than 3"


def test_it_withholds_the_cheapest_cycle_in_a_table_with_every_total():
    cells = [[10, 1, 5], [20, 4, 7], [3, 3, 9]]
    totals = {"row_totals": Totals(), "column_totals": Totals(), "grand_total": Totals()}
    printed = suppress(cells, threshold=3, **totals)
    assert [[str(cell) for cell in row] for row in printed.cells] == [
        ["10", "fewer than 3", "withheld"], ["20", "withheld", "withheld"], ["3", "3", "9"]]
    assert worked_out(cells, printed, Totals(), Totals(), Totals()) == []


def test_it_never_lets_the_threshold_go_below_three(settings):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 2
    assert suppression.small_number() == 3
    with pytest.raises(ValueError, match="at least 3"):
        suppress([[1]], threshold=2)
    with pytest.raises(ValueError, match="at least 3"):
        figure(1, 2)


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (1, "fewer than 3"), (2, "fewer than 3"), (3, "3")])
def test_it_prints_a_count_on_its_own(value, text):
    assert str(figure(value, 3)) == text


@pytest.mark.parametrize("kwargs", [
    {"column_totals": Totals(values=[5])},  # the counts add up to 4
    {"column_totals": Totals(values=[3], overlapping=True)},  # overlapping but not fixed
    {"column_totals": Totals(values=[3], fixed=True, overlapping=True), "row_totals": Totals()},
    {"column_totals": Totals(values=[1], fixed=True, overlapping=True)},  # a part (3) more than its total
    {"grand_total": Totals(values=[7])},
])
def test_it_refuses_totals_that_do_not_fit_the_counts(kwargs):
    with pytest.raises(ValueError):
        suppress([[3], [1]], threshold=3, **kwargs)


def test_it_refuses_counts_that_are_not_whole_and_positive():
    with pytest.raises(ValueError):
        suppress([[1, -1]], threshold=3)
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]], threshold=3)


def test_it_says_so_when_fixed_totals_leave_nothing_to_hold_back():
    # Every total printed elsewhere: the single small count is its row's and its column's total.
    with pytest.raises(Unprotectable, match="small count"):
        suppress([[5, 1], [7, 0]], threshold=3, row_totals=Totals(fixed=True), column_totals=Totals(fixed=True),
                 grand_total=Totals(fixed=True))
