"""The report's charts: labels wrap whole, a held-back count has no bar, the chart in words for its alt text."""

import re

import pytest

from governors import charts
from onlinesafety.suppression import Figure, Status

LONG = "Youth-produced sexual imagery (nudes and semi-nudes)"


def shown(value):
    return Figure(value, Status.SHOWN, 3)


def held_back(value, status=Status.SMALL):
    return Figure(value, status, 3)


def bars(svg):
    return [float(width) for width in re.findall(r'<rect class="bar" [^>]*width="([\d.]+)"', svg)]


def label_text(svg):
    return [" ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label))
            for label in re.findall(r'<text class="label".*?</text>', svg)]


def test_it_wraps_a_long_label_onto_several_lines_without_cutting_it():
    svg = charts.bar_chart([(LONG, [shown(4)]), ("Other", [shown(5)])], title="By category")
    assert label_text(svg) == [LONG, "Other"]
    first = re.search(r'<text class="label".*?</text>', svg).group(0)
    assert first.count("<tspan") >= 2


def test_it_makes_room_for_a_wrapped_label():
    short = charts.bar_chart([("Other", [shown(4)])])
    long = charts.bar_chart([(LONG, [shown(4)])])
    height = re.compile(r'height="(\d+)"')
    assert int(height.search(long).group(1)) > int(height.search(short).group(1))


@pytest.mark.parametrize("cell", [held_back(1), held_back(2), held_back(4, Status.WITHHELD),
                                  held_back(0, Status.NOT_GIVEN)])
def test_it_draws_a_held_back_count_without_a_bar_and_with_its_words(cell):
    svg = charts.bar_chart([("Cyberbullying", [cell]), ("Other", [shown(6)])])
    assert bars(svg) == [pytest.approx(220.0)]  # the shown 6 alone: nothing of the held-back count's size
    assert svg.count('class="held-back"') == 1 and f">{cell.text}</text>" in svg


def test_it_draws_every_held_back_count_alike_whatever_it_hides():
    one = charts.bar_chart([("A", [held_back(1)]), ("B", [shown(5)])])
    two = charts.bar_chart([("A", [held_back(2)]), ("B", [shown(5)])])
    assert re.sub(r"hatch-\d+", "", one) == re.sub(r"hatch-\d+", "", two)


def test_it_draws_no_bar_for_a_zero():
    svg = charts.bar_chart([("None", [shown(0)]), ("Some", [shown(3)])])
    assert bars(svg) == [pytest.approx(220.0)] and ">0</text>" in svg


def test_it_gives_the_chart_in_words_as_its_alternative_text():
    svg = charts.bar_chart([(LONG, [shown(4), held_back(1)]), ("Other", [held_back(2), shown(0)])],
                           series=("This term", "Last term"), title="Incidents by category")
    title = re.search(r"<title>(.*?)</title>", svg).group(1)
    assert title == ("Incidents by category. Youth-produced sexual imagery (nudes and semi-nudes): this term 4, "
                     "last term fewer than 3; Other: this term fewer than 3, last term 0.")
