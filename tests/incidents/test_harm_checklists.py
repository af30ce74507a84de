"""The harms' procedure checklists: each harm's checklist and its items, which category brings which, another added
by the team, answers stored with who and when and audited, the data breach's 72-hour clock, closing with items
unanswered, the governors' counts and who may answer."""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import checklists, selectors, services
from incidents.models import CaseChecklist, CategoryCode, ChecklistAnswer, ChecklistKind, Incident, Outcome, Status
from onlinesafety.audit.models import AuditEvent
from onlinesafety.reporting import ReportPeriod
from onlinesafety.rules import NotAllowed, RuleBroken

from .helpers import category, with_level

pytestmark = pytest.mark.django_db

UKCIS_ITEMS = ["review_meeting", "risk_adult", "risk_coercion", "risk_extreme", "risk_vulnerable", "risk_harm",
               "referred", "not_viewed", "deletion_advice"]


def case_url(incident):
    return reverse("incidents:case", args=[incident.pk])


def answer_url(incident, kind):
    return reverse("incidents:checklist_answer", args=[incident.pk, kind])


def post_answers(client, incident, kind, **answers):
    data = {f"checklist-{kind}-{key}": value for key, value in answers.items()}
    return client.post(answer_url(incident, kind), data)


# ---------------------------------------------------------------- the checklists themselves

def test_it_has_a_checklist_for_each_harm_with_its_items():
    assert set(checklists.CHECKLISTS) == set(ChecklistKind.values)
    nudes = checklists.CHECKLISTS[ChecklistKind.SHARING_NUDES]
    assert [item.key for item in nudes.items] == UKCIS_ITEMS
    assert set(nudes.escalation_triggers) == {"risk_adult", "risk_coercion", "risk_extreme", "risk_vulnerable",
                                              "risk_harm"}
    assert {item.key for item in checklists.CHECKLISTS[ChecklistKind.CYBERBULLYING].items} >= {
        "evidence_kept", "platforms_reported"}
    assert "prevent_referral" in checklists.CHECKLISTS[ChecklistKind.RADICALISATION].keys
    assert "channel_outcome" in checklists.CHECKLISTS[ChecklistKind.RADICALISATION].keys
    breach = checklists.CHECKLISTS[ChecklistKind.DATA_BREACH]
    assert breach.deadline_hours == 72 and breach.deadline_item in breach.keys and "dpo_told" in breach.keys
    for definition in checklists.CHECKLISTS.values():
        assert 5 <= definition.size <= 10, definition.kind  # short
        assert len(definition.keys) == definition.size


@pytest.mark.parametrize(("code", "kind"), list(checklists.CATEGORY_CHECKLISTS.items()))
def test_it_gives_a_new_case_its_categorys_checklist(make_incident, oakfield, code, kind):
    incident = make_incident(category=category(oakfield, code))
    assert list(incident.checklists.values_list("kind", "added_by")) == [(kind, None)]


def test_it_gives_no_checklist_to_a_category_without_one(make_incident, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.FILTER_BYPASS))
    assert not incident.checklists.exists()
    assert selectors.unanswered_checklist_items(incident) == []


def test_it_lets_the_dsl_add_another_checklist(client, make_incident, people, oakfield):
    incident = make_incident()  # cyberbullying
    client.force_login(people.dsl)
    response = client.post(reverse("incidents:checklist_add", args=[incident.pk]),
                           {"add_checklist-kind": ChecklistKind.SHARING_NUDES})
    assert response.status_code == 302
    added = incident.checklists.get(kind=ChecklistKind.SHARING_NUDES)
    assert added.added_by == people.dsl
    assert AuditEvent.objects.filter(verb="incident.checklist_added", object_id=str(incident.pk)).exists()
    page = client.get(case_url(incident)).content.decode()
    assert 'id="checklist-cyberbullying"' in page and 'id="checklist-sharing_nudes"' in page
    # The same one twice is refused, on the form.
    again = client.post(reverse("incidents:checklist_add", args=[incident.pk]),
                        {"add_checklist-kind": ChecklistKind.SHARING_NUDES})
    assert again.status_code == 400 and "error-summary" in again.content.decode()
    assert incident.checklists.count() == 2


# ---------------------------------------------------------------- answers

def test_it_stores_each_answer_with_who_and_when_and_audits_the_change(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    client.force_login(people.dsl)
    before = timezone.now()
    response = post_answers(client, incident, "sharing_nudes", review_meeting="yes", risk_adult="no")
    assert response.status_code == 302
    answers = {a.item: a for a in ChecklistAnswer.objects.filter(checklist__incident=incident)}
    assert set(answers) == {"review_meeting", "risk_adult"}
    assert answers["review_meeting"].answer == "yes" and answers["review_meeting"].answered_by == people.dsl
    assert answers["review_meeting"].answered_at >= before
    # A change by a colleague: the row now says who and when; the audit keeps what it was.
    client.force_login(people.deputy)
    assert post_answers(client, incident, "sharing_nudes", risk_adult="yes").status_code == 302
    changed = ChecklistAnswer.objects.get(checklist__incident=incident, item="risk_adult")
    assert changed.answer == "yes" and changed.answered_by == people.deputy
    history = list(AuditEvent.objects.filter(verb="incident.checklist_answered", object_id=str(incident.pk),
                                             detail__item="risk_adult").order_by("pk").values_list(
        "detail__previous", "detail__answer"))
    assert history == [(None, "no"), ("no", "yes")]
    assert incident.timeline.filter(kind="checklist").count() == 2
    page = client.get(case_url(incident)).content.decode()
    assert "2 of 9 answered" in page
    assert escape(people.deputy.full_name) in page
    # A risk answered yes with no referral: the page says refer now.
    assert 'id="checklist-sharing_nudes-warning"' in page


def test_it_needs_a_note_when_images_were_viewed(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    client.force_login(people.dsl)
    refused = post_answers(client, incident, "sharing_nudes", not_viewed="no", review_meeting="yes")
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "error-summary" in body and "id_checklist-sharing_nudes-not_viewed-note" in body
    assert not ChecklistAnswer.objects.filter(checklist__incident=incident).exists()  # nothing changed
    saved = post_answers(client, incident, "sharing_nudes", not_viewed="no",
                         **{"not_viewed-note": "The head agreed the DSL could look, to judge the risk"})
    assert saved.status_code == 302
    assert ChecklistAnswer.objects.get(checklist__incident=incident, item="not_viewed").note.startswith("The head")


def test_it_refuses_an_answer_the_page_did_not_offer(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    client.force_login(people.dsl)
    assert post_answers(client, incident, "sharing_nudes", review_meeting="maybe").status_code == 400
    assert post_answers(client, incident, "sharing_nudes").status_code == 400  # nothing answered
    assert post_answers(client, incident, "data_breach", contained="yes").status_code == 404  # not on this case
    assert not ChecklistAnswer.objects.exists()
    with pytest.raises(RuleBroken):
        services.answer_checklist(incident=incident, actor=people.dsl, kind="sharing_nudes",
                                  answers={"no_such_item": ("yes", "")})


def test_it_shows_no_preselected_answer(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    section = page[page.index('id="checklist-sharing_nudes"'):page.index('id="evidence-heading"')]
    assert "checked" not in section
    assert "0 of 9 answered" in section


# ---------------------------------------------------------------- the data breach's clock

def test_it_computes_the_72_hour_deadline_and_shows_it_overdue(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.DATA_BREACH))
    record = incident.checklists.get()
    assert record.clock_started_at == incident.reported_at
    view = selectors.case_checklists(incident)[0]
    assert view.deadline.due_at == incident.reported_at + timedelta(hours=72)
    assert not view.deadline.overdue and 70 <= view.deadline.hours_left <= 72
    client.force_login(people.dsl)
    discovered = timezone.localtime() - timedelta(hours=80)
    response = client.post(reverse("incidents:checklist_clock", args=[incident.pk, "data_breach"]),
                           {"clock-data_breach-started_at": discovered.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    view = selectors.case_checklists(incident)[0]
    assert view.deadline.overdue and view.deadline.hours_overdue >= 7
    page = client.get(case_url(incident)).content.decode()
    assert "Overdue: ICO decision" in page and "ICO decision overdue" in page  # in the box and by the title
    # Answered: met, after the deadline.
    services.answer_checklist(incident=incident, actor=people.dsl, kind="data_breach",
                              answers={"ico_decision": ("yes", "")})
    view = selectors.case_checklists(incident)[0]
    assert view.deadline.met_at is not None and not view.deadline.overdue
    assert "after the deadline" in client.get(case_url(incident)).content.decode()


def test_it_refuses_a_discovery_time_in_the_future(client, make_incident, people, oakfield):
    incident = make_incident(category=category(oakfield, CategoryCode.DATA_BREACH))
    client.force_login(people.dsl)
    later = timezone.localtime() + timedelta(days=2)
    response = client.post(reverse("incidents:checklist_clock", args=[incident.pk, "data_breach"]),
                           {"clock-data_breach-started_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert incident.checklists.get().clock_started_at == incident.reported_at


def test_it_has_no_deadline_met_by_a_no():
    definition = checklists.CHECKLISTS[ChecklistKind.DATA_BREACH]
    start, now = timezone.now() - timedelta(hours=100), timezone.now()
    assert checklists.deadline(definition, start, {"ico_decision": ("no", now)}, now).overdue
    assert not checklists.deadline(definition, start, {"ico_decision": ("na", now)}, now).overdue
    assert checklists.deadline(checklists.CHECKLISTS[ChecklistKind.CYBERBULLYING], start, {}, now) is None


# ---------------------------------------------------------------- closing

def close(client, incident, **extra):
    incident.refresh_from_db()
    data = {"close-version": incident.version, "close-outcome": Outcome.RESOLVED_INTERNALLY, **extra}
    return client.post(reverse("incidents:change", args=[incident.pk, "close"]), data)


def test_it_asks_to_confirm_closing_with_unanswered_items_and_records_it(client, make_incident, people):
    incident = with_level(make_incident())  # cyberbullying: 6 items, none answered
    client.force_login(people.dsl)
    page = client.get(case_url(incident)).content.decode()
    assert 'id="unanswered-checklist-confirm"' in page and "6 checklist items are not answered" in page
    refused = close(client, incident)
    assert refused.status_code == 400 and "error-summary" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.status != Status.CLOSED
    assert close(client, incident, **{"close-close_unanswered_checklist": "on"}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert "Closed with 6 checklist items unanswered" in incident.timeline.get(kind="closed").text
    event = AuditEvent.objects.get(verb="incident.closed", object_id=str(incident.pk))
    assert event.detail["checklist_items_unanswered"] == 6
    # A closed case's checklist is read only.
    with pytest.raises(RuleBroken):
        services.answer_checklist(incident=incident, actor=people.dsl, kind="cyberbullying",
                                  answers={"support": ("yes", "")})


def test_it_closes_without_asking_when_every_item_is_answered(client, make_incident, people):
    incident = with_level(make_incident())
    definition = checklists.CHECKLISTS[ChecklistKind.CYBERBULLYING]
    services.answer_checklist(incident=incident, actor=people.dsl, kind="cyberbullying",
                              answers={item.key: ("yes", "") for item in definition.items})
    client.force_login(people.dsl)
    assert 'id="unanswered-checklist-confirm"' not in client.get(case_url(incident)).content.decode()
    assert close(client, incident).status_code == 302
    assert "unanswered" not in Incident.objects.get(pk=incident.pk).timeline.get(kind="closed").text


# ---------------------------------------------------------------- rights

def test_only_the_team_managing_the_case_may_answer(client, make_incident, people):
    incident = make_incident()
    services.share_case(incident=incident, actor=people.dsl, colleague=people.other_staff, can_contribute=True)
    for person, status in [(people.other_staff, 403), (people.reporter, 404), (people.governor, 404),
                           (people.riverside_dsl, 404), (people.head, 302)]:
        client.force_login(person)
        response = post_answers(client, incident, "cyberbullying", support="yes")
        assert response.status_code == status, person.email
    # The colleague working on it sees the checklist, without its form.
    client.force_login(people.other_staff)
    page = client.get(case_url(incident)).content.decode()
    assert 'id="checklist-cyberbullying"' in page
    assert answer_url(incident, "cyberbullying") not in page
    with pytest.raises(NotAllowed):
        services.answer_checklist(incident=incident, actor=people.other_staff, kind="cyberbullying",
                                  answers={"support": ("no", "")})
    with pytest.raises(NotAllowed):
        services.add_checklist(incident=incident, actor=people.other_staff, kind="online_hate")


# ---------------------------------------------------------------- the governors' figures

def test_it_counts_checklists_for_governors_in_the_database(make_incident, people, oakfield,
                                                            django_assert_max_num_queries):
    complete = make_incident()
    services.answer_checklist(incident=complete, actor=people.dsl, kind="cyberbullying", answers={
        item.key: ("na", "") for item in checklists.CHECKLISTS[ChecklistKind.CYBERBULLYING].items})
    make_incident(category=category(oakfield, CategoryCode.YOUTH_IMAGERY))  # none answered
    make_incident(category=category(oakfield, CategoryCode.FILTER_BYPASS))  # no checklist
    # Complete in its category's checklist, but an added one is not answered.
    half = make_incident()
    services.answer_checklist(incident=half, actor=people.dsl, kind="cyberbullying", answers={
        item.key: ("yes", "") for item in checklists.CHECKLISTS[ChecklistKind.CYBERBULLYING].items})
    services.add_checklist(incident=half, actor=people.dsl, kind="sharing_nudes")
    today = timezone.localdate()
    period = ReportPeriod(today - timedelta(days=1), today + timedelta(days=1), zoneinfo.ZoneInfo(oakfield.timezone))
    with django_assert_max_num_queries(12):
        figures = selectors.term_figures(oakfield, period)
    assert figures["with_checklist"] == 3 and figures["checklists_complete"] == 1
    assert CaseChecklist.objects.count() == 4


def test_it_suppresses_the_checklist_counts_in_the_governors_report(oakfield, settings):
    from governors.figures import ReportFigures, TermFigures, checklist_rows
    from onlinesafety.schools.models import Term

    settings.GOVERNOR_REPORT_SMALL_NUMBER = 5
    term = Term(school=oakfield, name="Autumn", starts_on=timezone.localdate() - timedelta(days=60),
                ends_on=timezone.localdate() - timedelta(days=1))

    def rows(now, before=None):
        def term_figures(incidents):
            return TermFigures(term=term, incidents=incidents, policies={}, filtering={})
        data = ReportFigures(school=oakfield, current=term_figures(now),
                             previous=term_figures(before) if before is not None else None, aup={})
        return [(label, now.text, before.text if before else None) for label, now, before in checklist_rows(data)]

    # 12 cases, 10 complete: the 2 unanswered is small, and the 10 would give it away, so both are held back.
    shown = rows({"with_checklist": 12, "checklists_complete": 10})
    assert shown[0] == ("Cases with a procedure checklist", "12", None)
    assert "2" not in [text for _, text, _ in shown[1:]] and "10" not in [text for _, text, _ in shown[1:]]
    assert "fewer than 5" in [text for _, text, _ in shown[1:]]
    # A small number of cases: fewer than 5, and nothing broken down that would tell.
    small = rows({"with_checklist": 3, "checklists_complete": 1})
    assert small[0][1] == "fewer than 5"
    assert all(text not in ("1", "2", "3") for _, text, _ in small)
    # Large enough: shown. Last term's report from before checklists: no comparison.
    assert rows({"with_checklist": 20, "checklists_complete": 14}, {"total": 3})[1:] == [
        ("Every item answered", "14", None), ("Some items unanswered", "6", None)]
