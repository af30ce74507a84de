"""The case page: the report first, no level chosen for the DSL, closing needs a level and confirms open actions,
and who viewed the case once per person per day."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import services
from incidents.models import CaseAction, Level, Outcome, Status
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import RuleBroken

from .helpers import with_level

pytestmark = pytest.mark.django_db


def case_url(incident):
    return reverse("incidents:case", args=[incident.pk])


def close(client, incident, **data):
    incident.refresh_from_db()
    payload = {"close-version": incident.version, "close-outcome": Outcome.RESOLVED_INTERNALLY,
               "close-summary": "Spoke to both families.",
               "close-close_unanswered_checklist": "on"}  # its cyberbullying checklist is not answered
    payload.update({f"close-{key}": value for key, value in data.items()})
    return client.post(reverse("incidents:change", args=[incident.pk, "close"]), payload)


def open_action(incident, people, description="Speak to parents"):
    return services.add_action(incident=incident, actor=people.dsl, description=description, owner=people.osl,
                               due_on=timezone.localdate() + timedelta(days=3))


def viewed(incident, person, days_ago):
    """A view of the case recorded ``days_ago`` days ago (audit events cannot be changed afterwards)."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=days_ago)):
        services.record_case_view(incident=incident, actor=person)


@pytest.fixture
def incident(make_incident, pupil):
    return make_incident(pupils=[pupil])


def test_it_shows_the_report_before_the_panel_that_manages_it(client, people, incident):
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    assert page.index("What was reported") < page.index("Manage this case")
    assert page.index("Unkind messages in a class chat.") < page.index('id="manage"')
    manage = page[page.index('id="manage"'):]
    for form in ("acknowledge", "assign", "level", "status", "close", "action", "note", "referral"):
        assert f"/change/{form}/" in manage


def test_it_starts_the_level_unset_and_says_so(client, people, incident):
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    assert re.search(r'id="case-level">not set<', page)
    level_select = re.search(r'<select name="level-level".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', level_select) == [""]
    assert '<option value="" selected>Select a level</option>' in level_select
    assert escape(Level.ILLEGAL_IMMEDIATE_RISK.label) in level_select  # offered, not chosen


def test_it_refuses_a_level_form_sent_empty(client, people, incident):
    client.force_login(people.dsl)
    response = client.post(reverse("incidents:change", args=[incident.pk, "level"]),
                           {"level-version": incident.version, "level-level": ""})
    assert response.status_code == 400
    assert "Select the case&#x27;s level." in response.content.decode()
    incident.refresh_from_db()
    assert incident.level == ""


def test_it_shows_a_refused_change_in_the_error_summary_alone(client, people, incident):
    client.force_login(people.dsl)
    response = client.post(reverse("incidents:change", args=[incident.pk, "level"]),
                           {"level-version": incident.version, "level-level": ""})
    page = response.content.decode()
    assert page.count("alert-danger") == 1  # the summary, with no second box above it
    assert page.count("There is a problem") == 1


def test_it_refuses_to_close_a_case_with_no_level_and_changes_nothing(client, people, incident):
    client.force_login(people.dsl)
    version = incident.version
    response = close(client, incident)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert escape("Set the case's level before closing it.") in page
    assert "Spoke to both families." in page  # what was typed is kept
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.version) == (Status.NEW, "", version)
    assert not AuditEvent.objects.filter(verb="incident.closed").exists()


def test_it_refuses_closing_without_a_level_in_the_service_too(people, incident):
    with pytest.raises(RuleBroken, match="level"):
        services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                            expected_version=incident.version)


def test_it_closes_a_case_with_no_open_actions_at_once(client, people, incident):
    with_level(incident)
    client.force_login(people.dsl)
    assert close(client, incident).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_it_asks_before_closing_a_case_with_open_actions_then_closes_them_as_its_closer(client, people, incident):
    with_level(incident)
    first, second = open_action(incident, people), open_action(incident, people, "Check the chat is removed")
    done = open_action(incident, people, "Tell the class teacher")
    services.complete_action(action=done, actor=people.osl)
    client.force_login(people.dsl)

    asked = close(client, incident)
    assert asked.status_code == 400
    page = asked.content.decode()
    assert "Close the case and its 2 open actions" in page
    confirm = page[page.index('id="open-actions-confirm"'):]
    assert "Speak to parents" in confirm and "Check the chat is removed" in confirm
    assert "Tell the class teacher" not in confirm.split("</div>")[0]
    assert "Spoke to both families." in page
    assert 'href="#id_close-close_open_actions"' in page  # the summary links to the box
    incident.refresh_from_db()
    assert incident.status == Status.NEW
    assert CaseAction.objects.filter(done_at__isnull=True).count() == 2

    assert close(client, incident, close_open_actions="on").status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    for action in (first, second):
        action.refresh_from_db()
        assert (action.done_by, action.closed_with_case) == (people.dsl, True)
        assert action.done_at == incident.closed_at
    done.refresh_from_db()
    assert (done.done_by, done.closed_with_case) == (people.osl, False)
    event = AuditEvent.objects.get(verb="incident.closed")
    assert sorted(event.detail["actions_closed"]) == sorted([first.pk, second.pk])
    assert "closed with the case" in client.get(case_url(incident)).content.decode()


def test_it_opens_again_on_reopening_only_the_actions_that_closed_with_the_case(people, incident):
    with_level(incident)
    closed_with_it = open_action(incident, people)
    finished = open_action(incident, people, "Tell the class teacher")
    services.complete_action(action=finished, actor=people.osl)
    incident.refresh_from_db()
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                        expected_version=incident.version, close_open_actions=True)
    services.reopen_case(incident=incident, actor=people.dsl, reason="New messages came to light",
                         expected_version=incident.version)
    closed_with_it.refresh_from_db()
    finished.refresh_from_db()
    assert (closed_with_it.done_at, closed_with_it.done_by, closed_with_it.closed_with_case) == (None, None, False)
    assert (finished.done_by, finished.done_at is not None) == (people.osl, True)
    assert AuditEvent.objects.get(verb="incident.reopened").detail == {"actions_reopened": [closed_with_it.pk]}


def test_it_refuses_in_the_service_to_close_open_actions_not_confirmed(people, incident):
    with_level(incident)
    open_action(incident, people)
    incident.refresh_from_db()
    with pytest.raises(RuleBroken, match="open action"):
        services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                            expected_version=incident.version)


def test_it_lists_each_viewer_once_a_day_with_a_count(client, people, incident):
    client.force_login(people.dsl)
    for _ in range(3):
        client.get(case_url(incident))
    viewed(incident, people.deputy, days_ago=1)
    client.force_login(people.deputy)
    client.get(case_url(incident))
    yesterday = timezone.now() - timedelta(days=1)
    page = client.get(case_url(incident)).content.decode()
    viewers = page[page.index('id="viewers"'):]
    viewers = viewers[:viewers.index("</section>")]
    today = timezone.localdate()
    assert f"{escape(people.dsl.full_name)}, 3 views on {today:%-d %b %Y}" in viewers
    assert f"{escape(people.deputy.full_name)}, 2 views on {today:%-d %b %Y}" in viewers  # this page too
    assert f"{escape(people.deputy.full_name)}, 1 view on {timezone.localdate(yesterday):%-d %b %Y}" in viewers
    assert viewers.count(escape(people.dsl.full_name)) == 1


def _add_views_and_actions(incident, people, days):
    for day in days:
        open_action(incident, people, f"Action {day}")
        for person in (people.dsl, people.deputy, people.osl):
            viewed(incident, person, days_ago=day)
            viewed(incident, person, days_ago=day)


def _queries_for_the_page(client, incident):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case_url(incident)).status_code == 200
    return len(queries)


def test_it_shows_the_case_in_a_fixed_number_of_queries(client, people, incident, django_assert_max_num_queries):
    client.force_login(people.dsl)
    _add_views_and_actions(incident, people, days=[1])
    client.get(case_url(incident))  # the session and the second factor settle
    few = _queries_for_the_page(client, incident)
    _add_views_and_actions(incident, people, days=range(2, 12))
    with django_assert_max_num_queries(few):
        page = client.get(case_url(incident)).content.decode()
    viewers = page[page.index('id="viewers"'):page.index("</section>", page.index('id="viewers"'))]
    assert viewers.count("<li>") == 1 + 3 * 11  # the DSL today, then three people on each of 11 days
