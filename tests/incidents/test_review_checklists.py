"""Review of the harms' procedure checklists (issue 14): faults found, each a failing test saying what is wrong and
what is expected."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import CategoryCode, ChecklistAnswer, ChecklistKind

from .helpers import category

pytestmark = pytest.mark.django_db


def case_url(incident):
    return reverse("incidents:case", args=[incident.pk])


def answer_url(incident, kind):
    return reverse("incidents:checklist_answer", args=[incident.pk, kind])


def post_answers(client, incident, kind, **answers):
    data = {f"checklist-{kind}-{key}": value for key, value in answers.items()}
    return client.post(answer_url(incident, kind), data)


def test_it_keeps_a_small_category_count_from_being_worked_out_from_the_checklist_total(oakfield, settings):
    """The governors' report prints "Cases with a procedure checklist" on its own (``figure``), unconnected to the
    category table's suppression. Cyberbullying (10) is printed in the category table while sharing nudes (2) is
    held back; the checklist total (12) then gives the 2 away by subtraction (12 - 10). Expected: a checklist total
    that, with the printed category counts, would reveal a held-back count of 1 or 2 is held back too (or the
    category table's suppression takes it into account)."""
    from governors.figures import ReportFigures, TermFigures, category_rows, checklist_rows
    from onlinesafety.schools.models import Term

    settings.GOVERNOR_REPORT_SMALL_NUMBER = 3
    term = Term(school=oakfield, name="Autumn", starts_on=timezone.localdate() - timedelta(days=60),
                ends_on=timezone.localdate() - timedelta(days=1))
    names = ["Cyberbullying", "Sharing nudes", "Filter bypass"]  # only the first two bring a checklist
    incidents = {"total": 20, "by_category": [("Cyberbullying", 10), ("Sharing nudes", 2), ("Filter bypass", 8)],
                 "with_checklist": 12, "checklists_complete": 6}
    data = ReportFigures(school=oakfield, current=TermFigures(term=term, incidents=incidents, policies={},
                                                              filtering={}),
                         previous=None, aup={}, categories=names)
    categories = {label: now for label, now, _ in category_rows(data)}
    assert categories["Sharing nudes"].hidden  # the category table holds the 2 back...
    with_checklist = checklist_rows(data)[0][1]
    cyberbullying = categories["Cyberbullying"]
    derivable = (not with_checklist.hidden and not cyberbullying.hidden
                 and with_checklist.value - cyberbullying.value == 2)
    assert not derivable, "12 cases with a checklist - 10 cyberbullying cases = 2 sharing nudes cases"


def test_it_shows_a_case_with_added_checklists_in_a_fixed_number_of_queries(client, make_incident, people):
    """The case page reads each added checklist's ``added_by`` ("Added by …") one query per checklist: the
    selector ``case_checklists`` prefetches the answers but does not select ``added_by``. Expected: the same
    number of queries with one added checklist as with five."""
    client.force_login(people.dsl)

    def queries_with(added):
        incident = make_incident()  # cyberbullying
        for kind in added:
            services.add_checklist(incident=incident, actor=people.dsl, kind=kind)
        client.get(case_url(incident))  # warm any per-session caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(case_url(incident)).status_code == 200
        return len(queries)

    one = queries_with([ChecklistKind.SHARING_NUDES])
    five = queries_with([ChecklistKind.SHARING_NUDES, ChecklistKind.ONLINE_HATE, ChecklistKind.GENERATIVE_AI,
                         ChecklistKind.INDECENT_IMAGES, ChecklistKind.SEXUAL_ABUSE])
    assert five == one, f"{one} queries with one added checklist, {five} with five"


def test_it_does_not_undo_a_colleagues_answer_with_a_stale_page(client, make_incident, people, oakfield):
    """The form preselects each item's recorded answer and sends every answered item back, and the service writes
    whatever differs, with no check of what the user saw. The DSL's page shows "risk: adult involved" answered
    no; meanwhile the deputy changes it to yes; the DSL then answers another item and saves: the deputy's yes is
    silently turned back into no, recorded as the DSL's answer. Expected: an item changed by someone else since the
    page was drawn is not overwritten (the save is refused as stale, or only the items the user changed are
    written)."""
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    services.answer_checklist(incident=incident, actor=people.dsl, kind="sharing_nudes",
                              answers={"risk_adult": ("no", "")})
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    drawn = page[page.index('id="id_checklist-sharing_nudes-risk_adult_1"') - 80:][:200]
    assert 'value="no"' in drawn and "checked" in drawn  # the DSL's page: risk_adult drawn as "no"
    services.answer_checklist(incident=incident, actor=people.deputy, kind="sharing_nudes",
                              answers={"risk_adult": ("yes", "")})
    # The DSL's browser sends the form as drawn (risk_adult still "no") with one new answer.
    post_answers(client, incident, "sharing_nudes", risk_adult="no", review_meeting="yes")
    answer = ChecklistAnswer.objects.get(checklist__incident=incident, item="risk_adult")
    assert (answer.answer, answer.answered_by) == ("yes", people.deputy)


def test_it_links_the_nothing_answered_error_to_the_form(client, make_incident, people, oakfield):
    """Sending a checklist with nothing answered shows "Answer at least one question of the checklist." in the
    error summary as plain text, linked to nothing (the summary has no ``first_field`` for it), so a keyboard or
    screen reader user cannot jump to the checklist. Expected: the message links to the checklist's first item
    (``#id_checklist-<kind>-<first item>_0``)."""
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    client.force_login(people.dsl)
    response = post_answers(client, incident, "sharing_nudes")
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    assert "Answer at least one question" in summary
    assert 'href="#id_checklist-sharing_nudes-review_meeting_0"' in summary


def test_it_takes_a_discovery_time_in_the_hour_the_clocks_go_back(client, make_incident, people, oakfield):
    """01:30 on 25 October 2026 happens twice in the UK (the clocks go back at 02:00 BST). A breach discovered
    then is refused with Django's generic "couldn't be interpreted in time zone" message, which tells the DSL
    neither what is wrong nor what to enter; the 72-hour clock cannot be set. Expected: the time is accepted
    (either reading is within an hour, and the earlier one keeps the deadline safe), or refused with a specific
    message saying what to enter."""
    assert oakfield.timezone == "Europe/London"
    incident = make_incident(category=category(oakfield, CategoryCode.DATA_BREACH))
    client.force_login(people.dsl)
    response = client.post(reverse("incidents:checklist_clock", args=[incident.pk, "data_breach"]),
                           {"clock-data_breach-started_at": "2026-10-25T01:30"})
    body = response.content.decode()
    assert "interpreted in time zone" not in body and "ambiguous" not in body
    if response.status_code == 302:
        started = incident.checklists.get().clock_started_at
        assert started <= timezone.make_aware(timezone.datetime(2026, 10, 25, 1, 30), timezone.get_fixed_timezone(0))


def test_it_asks_about_securing_the_devices_when_nudes_are_shared():
    """The sharing nudes checklist has no item about the devices holding the images. The UKCIS advice (and
    DOMAIN.md: "devices are secured") has the devices confiscated, switched off and kept secure when the case may
    go to the police, without anyone looking through them; the grooming and indecent images checklists ask it,
    this one does not. Expected: an item asking whether the devices were secured (not searched), answerable "not
    applicable" when no referral is made."""
    from incidents import checklists

    nudes = checklists.CHECKLISTS[ChecklistKind.SHARING_NUDES]
    assert any("device" in item.question.lower() for item in nudes.items)
