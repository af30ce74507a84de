"""The governors' report as a tagged PDF: structure tree, language, title, reading order, charts with words."""

import pytest

from governors import figures, services
from tests.kernel.tagged_pdf import assert_in_order, assert_tagged

pytestmark = pytest.mark.django_db


def built(known, term):
    report = services.request_report(school=known.school, term=term)
    return services.render(report, figures.collect(known.school, term))


def test_it_tags_the_report_with_its_language_title_and_headings_in_order(known):
    tagged = assert_tagged(built(known, known.summer), title="Online safety report: Summer 2026", headings=[
        "Online safety report to governors", "What governors should ask about", "1. Incidents rose",
        "The term at a glance", "Figure This term Last term", "Incidents reported 5 fewer than 3",
        "Urgent (a child at immediate risk) fewer than 3 0", "Incidents", "By category", "Who it concerned",
        "Concerning This term Last term", "Pupils 4 fewer than 3", "Staff fewer than 3 0", "Pupils' key stage",
        "Where it happened", "By month", "Referrals to outside agencies", "Acceptable use agreements",
        "Policies and the compliance calendar", "Filtering and monitoring"])
    assert tagged.blocks()[:3] == ["Document", "Sect", "H1"]
    charts = tagged.tags("Figure")
    assert charts and all(chart.alt.startswith(("By key stage.", "By month.", "Incidents by category."))
                          for chart in charts)
    assert "April 2026: fewer than 3" in " ".join(chart.alt for chart in charts)


def test_it_keeps_the_numbers_of_the_questions_in_reading_order(known):
    tagged = assert_tagged(built(known, known.summer), title="Online safety report: Summer 2026",
                           headings=["What governors should ask about"])
    assert_in_order(tagged.text, ["1. Incidents rose", "2. Fewer than 3 urgent cases", "The term at a glance"])
