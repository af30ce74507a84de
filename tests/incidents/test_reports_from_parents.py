"""Reports from parents and carers: the school's public "report an online safety concern" form (no account), linked
from the public policies page and the parent's own pages. A report is a new case "reported by a parent" in the
triage queue; the parent gets a receipt reference on screen and by an email that names nothing; a danger now makes
the case urgent and tells them to call 999; an email address is limited to a few reports an hour and a network to
more (a parents' evening on the school's wifi); a filled honeypot, of any length, is discarded but looks accepted;
the receipt is shown once, on its own school's page; the pages are never cached; a staff member's details are never
filled in; and no "feedback to the reporter" is offered on the case (no one could read it)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import rights, services
from incidents.models import Illegal, Incident, OutsideReport, ReporterKind
from incidents.outside_views import RECEIPT_SESSION_KEY
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import RuleBroken
from onlinesafety.submissions.tokens import FIELD, new_token

pytestmark = pytest.mark.django_db

WHAT = "Older pupils are sharing a video of my son in a group chat."
RECEIPT = re.compile(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}")


def form(**changes):
    data = {"reporter_name": "Pat Carer", "reporter_email": "pat.carer@home.example", "child_name": "Sam Carer",
            "child_class": "Year 8", "what_happened": WHAT,
            "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "platform": "Messaging app or text messages", "danger_now": "no", "homepage": "", FIELD: new_token()}
    data.update(changes)
    return data


def url(school):
    return reverse("incidents:parent_report", args=[school.slug])


def send(client, school, capture=None, extra=None, **changes):
    if capture is None:
        return client.post(url(school), form(**changes), **(extra or {}))
    with capture(execute=True):
        return client.post(url(school), form(**changes), **(extra or {}))


def test_it_is_linked_from_the_public_policies_page_and_the_parents_pages(client, oakfield, people):
    public = client.get(reverse("policies:public", args=[oakfield.slug])).content.decode()
    assert url(oakfield) in public
    client.force_login(people.parent)
    assert url(oakfield) in client.get(reverse("aup:family")).content.decode()


def test_it_opens_without_an_account_and_chooses_nothing(client, oakfield):
    page = client.get(url(oakfield))
    html = page.content.decode()
    assert page.status_code == 200 and "Report an online safety concern" in html and "999" in html
    assert "checked" not in html


def test_it_fills_in_a_signed_in_parents_name_and_email(client, oakfield, people):
    client.force_login(people.parent)
    html = client.get(url(oakfield)).content.decode()
    assert f'value="{people.parent.email}"' in html


def test_it_makes_a_case_reported_by_a_parent_and_shows_a_receipt(client, oakfield, people,
                                                               django_capture_on_commit_callbacks):
    response = send(client, oakfield, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:parent_report_sent", args=[oakfield.slug])
    incident = Incident.objects.get(school=oakfield)
    assert incident.reporter_kind == ReporterKind.PARENT and incident.reported_by is None
    assert (incident.description, incident.platform) == (WHAT, "Messaging app or text messages")
    assert incident.category.code == "other" and incident.level == "" and not incident.is_urgent
    assert incident.possibly_illegal == Illegal.NOT_ASKED and not incident.pupils.exists()
    outside = incident.outside_report
    assert (outside.reporter_name, outside.reporter_email, outside.child_name, outside.child_class) == (
        "Pat Carer", "pat.carer@home.example", "Sam Carer", "Year 8")
    assert outside.occurred_on == timezone.localdate() - timedelta(days=1)
    assert RECEIPT.fullmatch(outside.receipt)
    page = client.get(response["Location"]).content.decode()
    assert outside.receipt in page and incident.reference not in page
    assert "Sam" not in page and "video" not in page
    event = AuditEvent.objects.get(verb="incident.reported_by_parent")
    assert event.actor is None and "Pat" not in str(event.detail) and "pat.carer" not in str(event.detail)


def test_it_emails_a_receipt_that_names_nothing(client, oakfield, django_capture_on_commit_callbacks):
    send(client, oakfield, django_capture_on_commit_callbacks)
    outside = OutsideReport.objects.get()
    [receipt] = [m for m in mail.outbox if m.to == ["pat.carer@home.example"]]
    text = receipt.subject + receipt.body
    assert outside.receipt in text and oakfield.name in text
    for detail in ("Pat", "Carer", "Sam", "Year 8", "video", "group chat", "Messaging", outside.incident.reference):
        assert detail not in text, detail
    assert OutboundEmail.objects.filter(kind="incident_parent_receipt").count() == 1
    # The team's alert names no one either
    for message in mail.outbox:
        assert "Sam" not in message.body and WHAT not in message.body


def test_it_makes_a_danger_now_urgent_and_says_to_call_999(client, oakfield, people,
                                                         django_capture_on_commit_callbacks):
    response = send(client, oakfield, django_capture_on_commit_callbacks, danger_now="yes")
    incident = Incident.objects.get()
    assert incident.is_urgent and incident.immediate_risk
    page = client.get(response["Location"]).content.decode()
    assert "call 999 now" in page and "marked urgent" in page
    assert any("Urgent" in m.subject for m in mail.outbox if m.to == [people.dsl.email])


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reporter_name": ""}, "reporter_name", "Enter your name"),
    ({"reporter_email": ""}, "reporter_email", "Enter your email address, so we can send your reference"),
    ({"reporter_email": "not an email"}, "reporter_email", "Enter an email address like name@example.com"),
    ({"what_happened": ""}, "what_happened", "Enter what happened"),
    ({"occurred_on": ""}, "occurred_on", "Enter the day it happened, or your best guess"),
    ({"occurred_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "occurred_on",
     "The day it happened must be today or in the past"),
    ({"platform": ""}, "platform", "Select where it happened, or Other or not known"),
    ({"danger_now": ""}, "danger_now", "Select yes if a child is in danger right now"),
])
def test_it_shows_each_mistake_in_the_error_summary_and_saves_nothing(client, oakfield, changes, field, message):
    response = send(client, oakfield, **changes)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert escape(message) in html, html[html.find("error-summary"):][:800]
    assert not Incident.objects.exists() and not mail.outbox


def test_it_discards_a_filled_honeypot_but_looks_accepted(client, oakfield, django_capture_on_commit_callbacks):
    response = send(client, oakfield, django_capture_on_commit_callbacks, homepage="http://spam.example")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "your report has been sent" in page and RECEIPT.search(page)
    assert not Incident.objects.exists() and not OutsideReport.objects.exists() and not mail.outbox


def test_it_hides_the_honeypot_from_people(client, oakfield):
    html = client.get(url(oakfield)).content.decode()
    honeypot = html[html.find('<div class="d-none" aria-hidden="true">'):]
    assert 'name="homepage"' in honeypot[:400] and 'tabindex="-1"' in honeypot[:400]


def test_it_limits_reports_from_one_network(client, oakfield, settings, ratelimit_clock):
    """The per-network limit (higher than the per-address one: a parents' evening on the school's wifi)."""
    settings.RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR = 2
    assert send(client, oakfield).status_code == 302
    assert send(client, oakfield).status_code == 302
    refused = send(client, oakfield)
    assert refused.status_code == 429 and "Your report was not sent" in refused.content.decode()
    assert "call 999" in refused.content.decode()
    assert Incident.objects.count() == 2
    assert send(client, oakfield, extra={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302  # another network
    assert AuditEvent.objects.filter(verb="ratelimit.reports_limited").count() == 1
    ratelimit_clock.advance(3600)
    assert send(client, oakfield).status_code == 302


def test_it_does_not_count_a_form_sent_back_with_mistakes(client, oakfield, settings, ratelimit_clock):
    settings.RATE_LIMIT_PARENT_REPORTS_PER_NETWORK_PER_HOUR = 1
    settings.RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR = 1
    for _ in range(3):
        assert send(client, oakfield, what_happened="").status_code == 200
    assert send(client, oakfield).status_code == 302


def test_it_answers_an_unknown_school_404(client):
    assert client.get(reverse("incidents:parent_report", args=["no-such-school"])).status_code == 404


def test_it_sends_the_sent_page_back_to_the_form_without_a_report(client, oakfield):
    response = client.get(reverse("incidents:parent_report_sent", args=[oakfield.slug]))
    assert response.status_code == 302 and response["Location"] == url(oakfield)


def test_it_shows_the_reporter_type_on_triage_and_the_parent_on_the_case(client, oakfield, people, make_incident):
    make_incident()
    send(client, oakfield)
    incident = Incident.objects.get(reporter_kind=ReporterKind.PARENT)
    client.force_login(people.dsl)
    triage = client.get(reverse("incidents:triage")).content.decode()
    assert 'data-reporter="parent"' in triage and "Parent or carer" in triage
    case = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert "a parent or carer" in case and "pat.carer@home.example" in case
    assert incident.outside_report.receipt in case and "Sam Carer" in case


def test_it_gives_a_signed_in_parent_no_view_of_the_case(client, oakfield, people):
    client.force_login(people.parent)
    send(client, oakfield)
    incident = Incident.objects.get()
    assert incident.reported_by is None and rights.case_access(people.parent, incident) is None
    assert client.get(reverse("incidents:case", args=[incident.pk])).status_code == 404


def test_it_gives_each_report_its_own_receipt(oakfield):
    receipts = {services.new_receipt() for _ in range(200)}
    assert len(receipts) == 200 and all(RECEIPT.fullmatch(r) for r in receipts)


def test_it_keeps_the_receipt_out_of_every_address(client, oakfield):
    response = send(client, oakfield)
    receipt = client.session[RECEIPT_SESSION_KEY]["receipt"]
    assert receipt not in response["Location"]


def test_it_limits_reports_from_one_email_address(client, oakfield, settings, ratelimit_clock):
    """Per address, as the issue asks: the same email address is refused after its hourly reports (whatever its
    case), from any network; another parent on the same network is not."""
    settings.RATE_LIMIT_PARENT_REPORTS_PER_EMAIL_PER_HOUR = 2
    assert send(client, oakfield).status_code == 302
    assert send(client, oakfield, reporter_email="Pat.Carer@home.example").status_code == 302
    refused = send(client, oakfield, extra={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429 and "Your report was not sent" in refused.content.decode()
    assert send(client, oakfield, reporter_email="sam.parent@home.example").status_code == 302
    assert Incident.objects.count() == 3
    ratelimit_clock.advance(3600)
    assert send(client, oakfield).status_code == 302


def test_it_lets_a_parents_evening_send_from_the_school_wifi(client, oakfield, ratelimit_clock):
    """The default per-network limit is well above one family's: ten parents on one network are all sent."""
    for number in range(10):
        assert send(client, oakfield, reporter_email=f"parent{number}@home.example").status_code == 302


def test_it_fills_in_no_staff_members_details(client, oakfield, people):
    """Only a parent's own name and email are filled in: a member of staff (who may use the form, e.g. for a parent
    at the desk) gets an empty form, and what they send is still a parent or carer's report."""
    client.force_login(people.dsl)
    html = client.get(url(oakfield)).content.decode()
    assert f'value="{people.dsl.email}"' not in html and f'value="{escape(people.dsl.full_name)}"' not in html
    assert 'name="reporter_email"' in html
    assert send(client, oakfield).status_code == 302
    incident = Incident.objects.get()
    assert incident.reporter_kind == ReporterKind.PARENT and incident.reported_by is None


def test_it_shows_a_parents_receipt_only_on_the_school_they_sent_it_to(client, oakfield, riverside):
    """The receipt in the session is tied to its school: another school's "sent" page shows nothing (it sends them
    to that school's form), so no parent is told a school has their report when it has not."""
    assert send(client, oakfield).status_code == 302
    other = client.get(reverse("incidents:parent_report_sent", args=[riverside.slug]))
    assert other.status_code == 302 and other["Location"] == url(riverside)
    assert client.get(reverse("incidents:parent_report_sent", args=[oakfield.slug])).status_code == 200


def test_it_shows_the_receipt_once(client, oakfield):
    """The receipt is dropped once shown: the next person at a shared computer cannot open the page again."""
    send(client, oakfield)
    sent = reverse("incidents:parent_report_sent", args=[oakfield.slug])
    assert RECEIPT.search(client.get(sent).content.decode())
    again = client.get(sent)
    assert again.status_code == 302 and again["Location"] == url(oakfield)
    assert RECEIPT_SESSION_KEY not in client.session


def test_it_makes_a_long_honeypot_look_accepted_too(client, oakfield):
    """Any filled honeypot, whatever its length (and whatever else is wrong), is discarded with the same redirect
    to the "sent" page: never an error about a field no person can see."""
    for changes in ({"homepage": "http://spam.example/" + "a" * 300}, {"homepage": "x", "what_happened": ""}):
        response = send(client, oakfield, **changes)
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:parent_report_sent", args=[oakfield.slug])
    assert not Incident.objects.exists()


def test_it_keeps_the_parents_pages_out_of_caches(client, oakfield):
    """The form, the form sent back with what they wrote, and the "sent" page (their reference, whether it was
    urgent) are "private, no-store": a shared family computer's cache or back button shows them to no one."""
    assert client.get(url(oakfield))["Cache-Control"] == "private, no-store"
    assert send(client, oakfield, what_happened="")["Cache-Control"] == "private, no-store"
    send(client, oakfield)
    sent = client.get(reverse("incidents:parent_report_sent", args=[oakfield.slug]))
    assert sent["Cache-Control"] == "private, no-store"


def test_it_offers_and_allows_no_feedback_on_a_parents_case(client, oakfield, people):
    """A parent has no account to read "feedback to the reporter": not offered on the case, refused by the service."""
    send(client, oakfield)
    incident = Incident.objects.get()
    client.force_login(people.dsl)
    html = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert 'value="feedback"' not in html
    with pytest.raises(RuleBroken, match="no one to give feedback to"):
        services.add_note(incident=incident, actor=people.dsl, text="Thanks.", kind="feedback")
