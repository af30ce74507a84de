"""Reports from pupils: a school's "tell a trusted adult" link (no account) opens a plain form; what a pupil sends
is a new case "reported by a pupil" in the triage queue, naming them only if they chose to; the thank-you page
shows nothing of it; an unknown or switched-off link is a friendly 404 (only an unknown one counts towards the
network's lockout, so old posters cannot lock a school out of its new link); the link is shown, made again and
switched off by the safeguarding team, audited; the pages show no staff account and are never cached; a pupil
refused by the limit keeps what they wrote; a null reporter matches nobody; no "feedback to the reporter" on a
pupil's case."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from incidents import rights, selectors, services
from incidents.models import (
    Danger,
    Illegal,
    Incident,
    OutsideReport,
    PupilReportLink,
    ReporterKind,
    Status,
    TimelineEntry,
)
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import Notification
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.submissions.tokens import FIELD, new_token

pytestmark = pytest.mark.django_db

WHAT = "Someone in a game keeps asking me for photos and says not to tell."


@pytest.fixture
def link(oakfield, people):
    return services.make_pupil_link(school=oakfield, actor=people.dsl)


@pytest.fixture
def token(link):
    return services.pupil_link_token(link)


def form(**changes):
    data = {"what_happened": WHAT, "where": "online game", "danger_now": "no", "name": "", "school_class": "",
            FIELD: new_token()}
    data.update(changes)
    return data


def send(client, token, capture=None, **changes):
    url = reverse("incidents:tell", args=[token])
    if capture is None:
        return client.post(url, form(**changes))
    with capture(execute=True):
        return client.post(url, form(**changes))


def test_it_opens_the_pupils_form_without_an_account(client, token, oakfield):
    page = client.get(reverse("incidents:tell", args=[token]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tell a trusted adult" in html and escape(oakfield.name) in html
    assert "0800 1111" in html and "https://www.ceop.police.uk/Safety-Centre/" in html
    assert "you don&#x27;t have to" in html.lower() or "you don't have to" in html.lower()
    assert 'checked' not in html  # no answer chosen for the child


def test_it_makes_an_anonymous_report_a_new_case_reported_by_a_pupil(client, token, oakfield, people,
                                                                   django_capture_on_commit_callbacks):
    response = send(client, token, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("incidents:tell_thanks", args=[token])
    incident = Incident.objects.get(school=oakfield)
    assert incident.reporter_kind == ReporterKind.PUPIL and incident.reported_by is None
    assert (incident.description, incident.platform, incident.status) == (WHAT, "online game", Status.NEW)
    assert incident.category.code == "other" and incident.level == ""
    assert incident.possibly_illegal == Illegal.NOT_ASKED and not incident.is_urgent
    assert not incident.pupils.exists()
    outside = OutsideReport.objects.get(incident=incident)
    assert (outside.kind, outside.reporter_name, outside.child_name, outside.receipt) == ("pupil", "", "", None)
    entry = TimelineEntry.objects.get(incident=incident)
    assert entry.author is None and entry.kind == "reported"
    event = AuditEvent.objects.get(verb="incident.reported_by_pupil")
    assert event.actor is None and event.detail == {"urgent": False, "named": False}
    # The team is told, as for a staff report, in words that name no one
    alerts = Notification.objects.filter(user=people.dsl)
    assert alerts.count() == 1 and "reported by a pupil" in alerts.get().message
    assert WHAT not in " ".join(m.body for m in mail.outbox)


def test_it_keeps_the_name_a_pupil_chooses_to_give_as_text(client, token, oakfield, pupil):
    send(client, token, name="Poppy Example", school_class="5B")
    incident = Incident.objects.get(school=oakfield)
    assert (incident.outside_report.reporter_name, incident.outside_report.child_class) == ("Poppy Example", "5B")
    assert not incident.pupils.exists()  # the team links the pupil record after checking
    assert AuditEvent.objects.get(verb="incident.reported_by_pupil").detail["named"] is True
    assert "Poppy" not in str(AuditEvent.objects.get(verb="incident.reported_by_pupil").detail)


@pytest.mark.parametrize(("answer", "urgent", "risk"), [("yes", True, True), ("not_sure", True, False),
                                                        ("no", False, False)])
def test_it_makes_a_report_urgent_when_someone_may_be_in_danger(client, token, oakfield, answer, urgent, risk):
    send(client, token, danger_now=answer)
    incident = Incident.objects.get(school=oakfield)
    assert (incident.is_urgent, incident.immediate_risk) == (urgent, risk)
    assert incident.outside_report.danger_now == answer


def test_it_shows_a_calm_thank_you_that_reads_nothing_back(client, token):
    response = send(client, token, name="Poppy Example")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Thank you for telling us" in html
    assert "Poppy" not in html and "photos" not in html
    incident = Incident.objects.get()
    assert incident.reference not in html and "case" not in html.lower()


@pytest.mark.parametrize(("changes", "message"), [
    ({"what_happened": ""}, "Tell us what happened, in your own words."),
    ({"where": ""}, "Choose where it happened. If you are not sure, choose Somewhere else."),
    ({"danger_now": ""}, "Choose Yes, No or I don&#x27;t know."),
    ({"where": "the moon"}, "Select a valid choice"),
])
def test_it_shows_what_is_missing_and_saves_nothing(client, token, changes, message):
    response = send(client, token, **changes)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Incident.objects.exists()


def test_it_answers_an_unknown_link_with_a_friendly_404(client):
    response = client.get(reverse("incidents:tell", args=["not-a-real-link"]))
    assert response.status_code == 404
    assert "This link does not work any more" in response.content.decode()
    assert client.post(reverse("incidents:tell", args=["not-a-real-link"]), form()).status_code == 404
    assert not Incident.objects.exists()


def test_it_stops_an_old_link_when_a_new_one_is_made(client, oakfield, people, link, token):
    new = services.make_pupil_link(school=oakfield, actor=people.deputy)
    new_token_ = services.pupil_link_token(new)
    assert new_token_ != token
    assert client.get(reverse("incidents:tell", args=[token])).status_code == 404
    assert send(client, token).status_code == 404
    assert client.get(reverse("incidents:tell", args=[new_token_])).status_code == 200
    assert PupilReportLink.objects.filter(school=oakfield, revoked_at__isnull=True).get() == new
    assert AuditEvent.objects.filter(verb="incident.pupil_link_made").count() == 2


def test_it_answers_a_switched_off_link_404(client, oakfield, people, token):
    services.switch_off_pupil_link(school=oakfield, actor=people.dsl)
    assert client.get(reverse("incidents:tell", args=[token])).status_code == 404
    assert client.get(reverse("incidents:tell_thanks", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(verb="incident.pupil_link_switched_off").count() == 1
    with pytest.raises(RuleBroken):
        services.switch_off_pupil_link(school=oakfield, actor=people.dsl)


def test_it_keeps_no_token_only_its_hash(link, token):
    assert token not in str(PupilReportLink.objects.filter(pk=link.pk).values().get())


def test_it_shows_the_link_to_the_safeguarding_team_and_records_who_saw_it(client, oakfield, people, token):
    client.force_login(people.dsl)
    page = client.get(reverse("incidents:pupil_link"))
    assert page.status_code == 200 and f"/tell/{token}/" in page.content.decode()
    assert AuditEvent.objects.filter(verb="incident.pupil_link_shown", actor=people.dsl).count() == 1
    assert token not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_it_makes_the_first_link_and_a_new_one_from_the_page(client, oakfield, people):
    client.force_login(people.dsl)
    assert "no pupil link switched on" in client.get(reverse("incidents:pupil_link")).content.decode()
    client.post(reverse("incidents:pupil_link"), {"action": "new", FIELD: new_token()})
    first = selectors.live_pupil_link(oakfield)
    client.post(reverse("incidents:pupil_link"), {"action": "new", FIELD: new_token()})
    second = selectors.live_pupil_link(oakfield)
    assert first is not None and second is not None and first != second
    client.post(reverse("incidents:pupil_link"), {"action": "off", FIELD: new_token()})
    assert selectors.live_pupil_link(oakfield) is None


@pytest.mark.parametrize("who", ["reporter", "technician", "governor", "parent", "visitor"])
def test_it_keeps_the_link_page_to_the_safeguarding_leads(client, oakfield, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("incidents:pupil_link")).status_code == 403
    with pytest.raises(NotAllowed):
        services.make_pupil_link(school=oakfield, actor=getattr(people, who))


def test_it_limits_reports_through_one_link_and_keeps_what_the_pupil_wrote(client, settings, ratelimit_clock,
                                                                          token):
    """A pupil refused by the link's hourly limit gets their form back with their own words in it and a message in a
    child's words (tell a trusted adult now, Childline, 999): nothing is saved, and nothing they wrote is lost."""
    settings.RATE_LIMIT_PUPIL_REPORTS_PER_HOUR = 2
    assert send(client, token).status_code == 302
    assert send(client, token).status_code == 302
    refused = send(client, token, what_happened="A boy in my class keeps sending me mean messages.")
    html = refused.content.decode()
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "What you wrote has not been sent yet" in html and "tell a trusted adult now" in html
    assert "0800 1111" in html and "999" in html
    assert escape("A boy in my class keeps sending me mean messages.") in html  # still in the form
    assert Incident.objects.count() == 2
    assert AuditEvent.objects.filter(verb="ratelimit.reports_limited").count() == 1
    ratelimit_clock.advance(3600)
    assert send(client, token).status_code == 302


def test_it_speaks_to_a_child_on_the_429_page_of_the_pupil_link(client, settings, ratelimit_clock, token):
    """A classroom locked out by links that do not work sees a 429 page for a child (tell a trusted adult now,
    Childline 0800 1111, 999), in the pupils' layout without any staff account."""
    settings.RATE_LIMIT_LINK_FAILURES = 2
    for _ in range(2):
        client.get(reverse("incidents:tell", args=["0" * 40]))
    refused = client.get(reverse("incidents:tell", args=[token]))
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "tell a trusted adult now" in html and "0800 1111" in html and "999" in html
    assert "Too many attempts from this network" not in html


def test_it_shows_no_staff_account_on_the_pupils_pages(client, oakfield, people, token):
    """The pupils' pages use the layout without any account: on a classroom computer where a teacher is signed in,
    the child's page shows neither the teacher's name, "Sign out", nor the staff menus (the teacher's own reports)."""
    client.force_login(people.reporter)
    for page in (reverse("incidents:tell", args=[token]), reverse("incidents:tell_thanks", args=[token]),
                 reverse("incidents:tell", args=["0" * 40])):
        html = client.get(page).content.decode()
        assert escape(people.reporter.full_name) not in html
        assert reverse("incidents:mine") not in html and "Sign out" not in html


def test_it_keeps_the_pupils_pages_out_of_caches(client, token):
    """The pupils' form (also sent back with what they wrote) and thank-you page are never kept by a browser."""
    assert client.get(reverse("incidents:tell", args=[token]))["Cache-Control"] == "private, no-store"
    assert send(client, token, what_happened="")["Cache-Control"] == "private, no-store"
    assert client.get(reverse("incidents:tell_thanks", args=[token]))["Cache-Control"] == "private, no-store"


def test_it_keeps_the_new_pupil_link_open_when_classrooms_still_open_the_old_one(client, oakfield, people, settings,
                                                                                ratelimit_clock):
    """A switched-off link the school gave out (posters, bookmarks) is not a failed link: opening it from the
    school's one network, however often, does not lock that network out of the school's new pupil link. (A token
    that never was a link still counts: the lockout still stops guessing.)"""
    settings.RATE_LIMIT_LINK_FAILURES = 3
    old = services.pupil_link_token(services.make_pupil_link(school=oakfield, actor=people.dsl))
    new = services.pupil_link_token(services.make_pupil_link(school=oakfield, actor=people.dsl))
    for _ in range(3):
        assert client.get(reverse("incidents:tell", args=[old])).status_code == 404
    assert client.get(reverse("incidents:tell", args=[new])).status_code == 200
    for _ in range(3):
        assert client.get(reverse("incidents:tell", args=["f" * 40])).status_code == 404
    assert client.get(reverse("incidents:tell", args=[new])).status_code == 429
    assert AuditEvent.objects.filter(verb="ratelimit.locked_out").count() == 1


def test_it_offers_and_allows_no_feedback_on_a_pupils_case(client, token, people):
    """A pupil has no account, so no one could read "feedback to the reporter": the case page does not offer it
    and the service refuses it, saying why."""
    send(client, token)
    incident = Incident.objects.get(reporter_kind=ReporterKind.PUPIL)
    client.force_login(people.dsl)
    html = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert f'value="{TimelineEntry.Kind.FEEDBACK}"' not in html and "Note or lesson learnt" in html
    with pytest.raises(RuleBroken, match="no one to give feedback to"):
        services.add_note(incident=incident, actor=people.dsl, text="Well done.", kind=TimelineEntry.Kind.FEEDBACK)
    assert not TimelineEntry.objects.filter(incident=incident, kind=TimelineEntry.Kind.FEEDBACK).exists()
    assert services.add_note(incident=incident, actor=people.dsl, text="Spoke to the class.").pk


def test_it_shows_the_reporter_type_on_triage_and_the_case(client, token, oakfield, people, make_incident):
    make_incident()
    send(client, token, name="Poppy Example", school_class="5B")
    pupil_case = Incident.objects.get(reporter_kind=ReporterKind.PUPIL)
    client.force_login(people.dsl)
    triage = client.get(reverse("incidents:triage")).content.decode()
    assert 'data-reporter="pupil"' in triage and 'data-reporter="staff"' in triage
    case = client.get(reverse("incidents:case", args=[pupil_case.pk])).content.decode()
    assert "reported by a pupil" in case and "Poppy Example" in case and "Pupil (no account)" in case


def test_it_lets_no_one_hold_a_pupils_report_as_its_reporter(client, token, oakfield, people):
    send(client, token)
    incident = Incident.objects.get()
    for person in (people.reporter, people.parent, people.visitor, people.governor):
        assert rights.case_access(person, incident) is None
    anonymous = AnonymousUser()
    assert anonymous.pk is None
    assert rights._level(anonymous, incident) is None
    assert not selectors.reports_by(people.reporter, oakfield).filter(pk=incident.pk).exists()


def test_it_exports_a_pupils_report_in_the_log(client, token, people):
    send(client, token)
    incident = Incident.objects.get()
    services.acknowledge(incident=incident, actor=people.dsl, expected_version=incident.version)
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:export"))
    body = b"".join(response.streaming_content).decode()
    assert incident.reference in body and "Acknowledged" in body


def test_it_refuses_a_report_through_a_switched_off_link_in_the_service(oakfield, people, link):
    services.switch_off_pupil_link(school=oakfield, actor=people.dsl)
    link.refresh_from_db()
    with pytest.raises(RuleBroken):
        services.report_from_pupil(link=link, description=WHAT, where="website", danger=Danger.NO)
    assert not Incident.objects.exists()
