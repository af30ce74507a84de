"""Every figure of the report against a data set with known answers, the small-number rule, anonymity."""

import datetime
import io

import pytest
from pypdf import PdfReader

from filtering.models import AnnualReview, ChangeRequest, FilterCheck
from governors import figures, services
from governors.models import TermReport
from onlinesafety import suppression
from policies.models import Duty, DutyCompletion
from tests.factories import PupilFactory
from tests.governors.conftest import DESCRIPTIONS, LONDON, at

pytestmark = pytest.mark.django_db


def summer(known):
    return figures.collect(known.school, known.summer)


def test_it_counts_the_incident_figures(known):
    data = summer(known)
    now = data.current.incidents
    assert (now["total"], now["urgent"], now["possibly_illegal"]) == (5, 1, 1)
    assert (now["about_pupils"], now["about_staff"], now["about_others"]) == (4, 1, 1)
    assert dict(now["by_category"]) == {"Cyberbullying": 3, "Youth-produced sexual imagery (nudes and semi-nudes)": 1,
                                        "Other": 1}
    assert now["by_location"] == {"in_school": 2, "out_of_school": 2, "online_only": 1}
    assert [(month.month, n) for month, n in now["by_month"]] == [(4, 1), (5, 2), (6, 1), (7, 1)]
    assert now["by_key_stage"] == {"KS1": 2, "KS2": 1, "EYFS": 1}
    assert now["referrals"] == {"police_101": 1}
    assert now["open_at_end"] == 2  # one never closed, one closed after the term
    assert now["pupils_repeated"] == 1
    assert data.current.median_hours_to_acknowledge == 4.0
    assert data.current.median_days_to_close == 5.0  # 3, 5 and 7 days closed within the term


def test_it_counts_last_term_for_comparison(known):
    before = summer(known).previous
    assert before.term == known.spring
    assert (before.incidents["total"], before.incidents["open_at_end"]) == (2, 0)
    # Two cases are fewer than the threshold: a median of two would nearly give each case's time away.
    assert before.median_hours_to_acknowledge is None and before.median_days_to_close is None


def test_it_counts_a_term_in_the_schools_days(known):
    # 23:30 on the last day of term in London is 22:30 UTC the same day: inside; 00:30 the next day is outside.
    known.incident("other", "in_school", [], datetime.datetime(2026, 7, 22, 23, 30, tzinfo=LONDON), 1, None)
    known.incident("other", "in_school", [], datetime.datetime(2026, 7, 23, 0, 30, tzinfo=LONDON), 1, None)
    assert summer(known).current.incidents["total"] == 6


def test_it_counts_the_policy_and_calendar_figures(known, people, make_policy_for_report):
    make_policy_for_report(next_review_on=datetime.date(2026, 7, 1))  # overdue at the end of term
    make_policy_for_report(title="Later", next_review_on=datetime.date(2027, 3, 1))
    duty = Duty.objects.filter(school=known.school).first()
    DutyCompletion.objects.create(duty=duty, due_on=datetime.date(2026, 5, 1), completed_on=datetime.date(2026, 4, 28),
                                  completed_by=people.osl)
    DutyCompletion.objects.create(duty=duty, due_on=datetime.date(2026, 6, 1), completed_on=datetime.date(2026, 6, 9),
                                  completed_by=people.osl)
    policies = summer(known).current.policies
    assert policies["policies"]["overdue"] == 1 and policies["policies"]["approved"] == 1
    assert (policies["duties_done"], policies["duties_on_time"]) == (2, 1)


def change(known, status, requested, **fields):
    request = ChangeRequest.objects.create(
        school=known.school, action="unblock", target_type="domain", target="secret.example",
        target_display="secret.example", user_group="all_pupils", reason="Secret reason", status=status,
        requested_by=known.people.reporter, **fields)
    ChangeRequest.objects.filter(pk=request.pk).update(requested_at=requested)
    return request


def test_it_counts_the_filtering_figures(known):
    change(known, "rejected", at(datetime.date(2026, 5, 1)), is_temporary=False)
    change(known, "reverted", at(datetime.date(2026, 5, 2)), is_temporary=True, starts_on=datetime.date(2026, 5, 4),
           ends_on=datetime.date(2026, 5, 8), implemented_at=at(datetime.date(2026, 5, 4)),
           reverted_at=at(datetime.date(2026, 5, 12)))  # due the 9th: late
    change(known, "reverted", at(datetime.date(2026, 5, 2)), is_temporary=True, starts_on=datetime.date(2026, 5, 4),
           ends_on=datetime.date(2026, 5, 8), implemented_at=at(datetime.date(2026, 5, 4)),
           reverted_at=at(datetime.date(2026, 5, 9)))  # on time
    change(known, "active", at(datetime.date(2026, 3, 1)), is_temporary=False)  # last term
    FilterCheck.objects.create(school=known.school, checked_on=datetime.date(2026, 6, 1),
                               checked_by=known.people.technician, method="m", devices="d", user_groups="g",
                               results={})
    AnnualReview.objects.create(
        school=known.school, reviewed_on=datetime.date(2026, 2, 10), senior_leader=known.people.head,
        governor=known.people.governor, filtering_provider="p", monitoring_provider="m", categories_blocked="c",
        alert_route="a", alert_speed="s", out_of_hours="o", training="t", findings="f",
        actions="Fix the wifi\n\nTrain the new staff\n", recorded_by=known.people.dsl)
    filtering = summer(known).current.filtering
    assert filtering["requests"] == {"rejected": 1, "reverted": 2}
    assert (filtering["reverted"], filtering["reverted_late"], filtering["checks"]) == (2, 1, 1)
    assert (filtering["review_on"], filtering["review_actions"], filtering["review_signed_off"]) == (
        datetime.date(2026, 2, 10), 2, False)


def test_it_does_not_count_allegations_seen_by_the_head_or_the_chair_alone(known, people):
    from incidents.models import Incident

    for visibility in ("headteacher", "chair"):
        incident = known.incident("staff_conduct", "online_only", [], at(datetime.date(2026, 6, 10)), 1, None,
                                  subject=people.head)
        Incident.objects.filter(pk=incident.pk).update(visibility=visibility)
    now = summer(known).current.incidents
    assert (now["total"], now["about_staff"], now["open_at_end"]) == (5, 1, 2)
    assert "Staff online conduct" not in dict(now["by_category"])


def texts(rows):
    return [str(now) for _, now, _ in rows]


def test_it_withholds_another_count_in_a_breakdown_of_a_printed_total():
    labels = ["a", "b", "c"]
    assert texts(figures.breakdown(labels, [7, 4, 1], None, totals=(12, None))) == ["7", "withheld", "fewer than 3"]
    assert texts(figures.breakdown(labels, [7, 2, 1], None, totals=(10, None))) == [
        "7", "fewer than 3", "fewer than 3"]  # 1 and 2, or 2 and 1: enough
    assert texts(figures.breakdown(labels, [7, 4, 0], None, totals=(11, None))) == ["7", "4", "0"]
    # Without a total printed, a count stands alone: nothing to work it out from.
    assert texts(figures.breakdown(labels, [7, 4, 1], None)) == ["7", "4", "fewer than 3"]


def test_it_does_not_ask_about_a_rise_between_two_small_totals(known):
    from incidents.models import Incident

    Incident.objects.filter(reported_at__month__in=[5, 6, 7]).delete()  # summer keeps 1, spring 2 -> 1: no rise
    Incident.objects.filter(reported_at__month=3).delete()  # spring 1, summer 1
    known.incident("other", "in_school", [], at(datetime.date(2026, 6, 1)), 1, 2)  # summer 2
    asks = " ".join(summer(known).questions)
    assert "rose" not in asks


def test_it_applies_the_small_number_rule(settings):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 3
    assert [figures.shown(n) for n in (0, 1, 2, 3, 40)] == ["0", "fewer than 3", "fewer than 3", "3", "40"]
    fifty, twenty_five = suppression.figure(50, 3), suppression.figure(25, 3)
    assert figures.percent(twenty_five, fifty) == "50%"
    assert figures.percent(suppression.figure(1, 3), fifty) == "—"  # a hidden part, or whole, gives no share
    assert figures.percent(twenty_five, suppression.Figure(50, suppression.Status.WITHHELD, 3)) == "—"
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 6
    assert figures.shown(5) == "fewer than 6"


def pdf_text(known, settings=None, term=None) -> str:
    report = services.request_report(school=known.school, term=term or known.summer)
    services.build(report.pk)
    report.refresh_from_db()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.file.read())).pages).replace(
        "\x00", "")


def test_it_names_nobody_and_describes_nothing_in_the_pdf(known, people):
    text = pdf_text(known)
    forbidden = [*DESCRIPTIONS, "secret.example", "Secret reason", "A visiting coach",
                 *[p.full_name for p in (known.ann, known.bob, known.cat, known.dan)],
                 *[p.first_name for p in (known.ann, known.bob, known.cat, known.dan)],
                 *[getattr(people, name).full_name for name in ("reporter", "other_staff", "dsl", "head", "governor")]]
    assert [word for word in forbidden if word in text] == []
    assert "What governors should ask about" in text and "Summer 2026" in text and "Page 1 of" in text
    assert "Incidents reported 5 fewer than 3" in text  # this term, last term (2)
    assert "Fewer than 3 urgent cases" in text
    # Where it happened: in school 2, out of school 2, online only 1: the 1 is hidden, so one more is withheld.
    assert "In school fewer than 3" in text and "Online only fewer than 3" in text
    assert "Urgent (a child at immediate risk) fewer than 3 0" in text
    # Cyberbullying 3, imagery 1, other 1: "withheld" (3 or more) and two "fewer than 3" making 5 are 3, 1 and 1.
    assert "Not broken down, so that no count fewer than 3 can be worked out from the rest." in text
    assert "Youth-produced" not in text


def test_it_takes_the_threshold_from_the_settings(known, settings):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 6
    text = pdf_text(known)
    assert "Incidents reported fewer than 6 fewer than 6" in text
    assert "Any count from 1 to 5" in text


def test_it_draws_the_charts_as_vector_graphics(known):
    for day in (2, 3):  # cyberbullying 5, imagery 1, other 1 of 7: the 5 is withheld, the two others can be 1 or 2
        known.incident("cyberbullying", "in_school", [], at(datetime.date(2026, 6, day)), 1, None)
    charts = services._charts(figures.tables(summer(known)), with_previous=True)
    assert charts["categories"].startswith("<svg") and "withheld" in charts["categories"]
    assert charts["categories"].count(">fewer than 3</text>") == 2  # drawn twice (and named in the alt text)
    assert charts["months"].startswith("<svg") and "fewer than 3" in charts["months"]


def test_it_builds_a_report_in_a_fixed_number_of_queries(known, people, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.incidents.helpers import bulk_incidents

    counts = []
    for extra in (5, 60):
        bulk_incidents(known.school, people.reporter, extra, pupils=[PupilFactory(school=known.school)],
                       start_number=1000 + extra)
        with CaptureQueriesContext(connection) as queries:
            figures.collect(known.school, known.summer)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 52  # one query per figure (pupils by role and checklists added one each)
    assert TermReport.objects.count() == 0


def test_it_prints_a_school_name_with_quotes_in_the_footer(known):
    known.school.name = 'St Mary\'s "Upper" School & <Nursery>'
    known.school.save()
    text = pdf_text(known)
    assert 'St Mary\'s "Upper" School & <Nursery> · Summer 2026 · version 1' in text
