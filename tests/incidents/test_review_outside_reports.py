"""Review of the reports from pupils and parents (issue 14): faults found, each a test that fails until fixed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import services
from incidents.models import Incident
from onlinesafety.submissions.tokens import FIELD, new_token

pytestmark = pytest.mark.django_db


def parent_form(**changes):
    data = {"reporter_name": "Pat Carer", "reporter_email": "pat.carer@home.example", "child_name": "",
            "child_class": "", "what_happened": "Someone keeps messaging my daughter at night.",
            "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "platform": "Messaging app or text messages", "danger_now": "no", "homepage": "", FIELD: new_token()}
    data.update(changes)
    return data


@pytest.fixture
def token(oakfield, people):
    return services.pupil_link_token(services.make_pupil_link(school=oakfield, actor=people.dsl))


def test_it_shows_a_parents_receipt_only_on_the_school_they_sent_it_to(client, oakfield, riverside):
    """Wrong: the receipt kept in the session is not tied to a school, so after reporting to Oakfield the address
    /p/<riverside>/report/sent/ says "your report has been sent to the safeguarding team at Riverside" with
    Oakfield's reference: a parent is told a school has their report when it has not. Expected: another school's
    sent page shows no receipt (it sends them back to that school's form)."""
    response = client.post(reverse("incidents:parent_report", args=[oakfield.slug]), parent_form())
    assert response.status_code == 302
    other = client.get(reverse("incidents:parent_report_sent", args=[riverside.slug]))
    assert other.status_code == 302
    assert other["Location"] == reverse("incidents:parent_report", args=[riverside.slug])


def test_it_makes_a_long_honeypot_look_accepted_too(client, oakfield):
    """Wrong: the honeypot field has max_length=200, so a robot that fills it with a long value gets the form back
    with an error summary about a field no person can see ("Leave this empty"), not the "sent" page: the robot
    learns the field is a trap, and the error links to a hidden field. Expected: any filled honeypot, whatever its
    length, is discarded with the same redirect to the sent page, and no case is made."""
    response = client.post(reverse("incidents:parent_report", args=[oakfield.slug]),
                           parent_form(homepage="http://spam.example/" + "a" * 300))
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:parent_report_sent", args=[oakfield.slug])
    assert not Incident.objects.exists()


def test_it_shows_no_staff_account_on_the_pupils_page(client, oakfield, people, token):
    """Wrong: the pupils' page extends the staff base template, so on a classroom computer where a teacher is signed
    in the child's "tell a trusted adult" page shows the teacher's name, "Sign out" and the staff menus (the
    teacher's own reports) one click away. Expected: the pupils' pages show no signed-in account or staff navigation."""
    client.force_login(people.reporter)
    html = client.get(reverse("incidents:tell", args=[token])).content.decode()
    assert escape(people.reporter.full_name) not in html
    assert reverse("incidents:mine") not in html


def test_it_keeps_the_parents_sent_page_out_of_caches(client, oakfield):
    """Wrong: the pupils' pages are sent "private, no-store" but the parent's "report sent" page, which shows their
    reference and whether the report was marked urgent, has no Cache-Control at all, so on a shared family computer
    the browser's cache or back button shows it to the next person (the one the report may be about). Expected: the
    sent page (and the form sent back with what they wrote) is sent with no-store, as the pupils' pages are."""
    client.post(reverse("incidents:parent_report", args=[oakfield.slug]), parent_form())
    response = client.get(reverse("incidents:parent_report_sent", args=[oakfield.slug]))
    assert "no-store" in (response.get("Cache-Control") or "")


def test_it_keeps_the_new_pupil_link_open_when_classrooms_still_open_the_old_one(client, oakfield, people, settings,
                                                                                ratelimit_clock):
    """Wrong: a switched-off pupil link counts as a "link that does not work", and RATE_LIMIT_LINK_FAILURES of those
    from one network lock that network out of every link page. A school shares one address, so after the DSL makes a
    new link (say the old one leaked), the classroom bookmarks and posters still pointing at the old one lock the whole
    school out of the new pupils' page (a 429) for the lockout's minutes: no child at school can tell anyone.
    Expected: the school's own old links opened from school do not shut the live link; the live link still opens."""
    settings.RATE_LIMIT_LINK_FAILURES = 3
    old = services.pupil_link_token(services.make_pupil_link(school=oakfield, actor=people.dsl))
    new = services.pupil_link_token(services.make_pupil_link(school=oakfield, actor=people.dsl))
    for _ in range(3):
        assert client.get(reverse("incidents:tell", args=[old])).status_code == 404
    assert client.get(reverse("incidents:tell", args=[new])).status_code == 200
