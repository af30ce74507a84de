"""Alerts: each names its case without naming anyone, urgent unread ones first, read once opened."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import CategoryCode
from incidents.services import new_case_message
from onlinesafety.mail.models import Notification
from onlinesafety.mail.services import notify
from tests.incidents.helpers import category, incident_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(oakfield, people):
    def make(**overrides):
        return incident_services.report_incident(school=oakfield, reporter=people.reporter,
                                                 **incident_fields(oakfield, **overrides))
    return make


def test_it_names_the_case_its_category_and_its_urgency_and_no_one(oakfield, people, report):
    from tests.factories import PupilFactory

    pupil = PupilFactory(school=oakfield, first_name="Niamh", last_name="O'Connor")
    urgent = report(immediate_risk=True, category=category(oakfield, CategoryCode.SEXUAL_ABUSE),
                    description="Niamh O'Connor was sent messages.")
    urgent.pupils.set([pupil])
    ordinary = report()
    urgent_text, ordinary_text = new_case_message(urgent)[0], new_case_message(ordinary)[0]
    assert urgent_text.startswith(f"Urgent: case {urgent.reference} (")
    assert urgent.category.name.lower() in urgent_text and "needs you now" in urgent_text
    assert ordinary_text == f"New case {ordinary.reference} (cyberbullying) to acknowledge."
    assert urgent_text != ordinary_text
    for text in (urgent_text, ordinary_text):
        for secret in ("Niamh", "O'Connor", "messages", people.reporter.full_name):
            assert secret not in text
    stored = set(Notification.objects.filter(user=people.dsl).values_list("message", flat=True))
    assert stored == {urgent_text, ordinary_text}


def test_it_says_when_a_case_may_involve_something_illegal(report):
    assert "may involve something illegal" in new_case_message(report(possibly_illegal="yes"))[0]


def test_it_says_a_confidential_case_is_for_the_head_alone(oakfield, people, report):
    case = incident_services.report_incident(school=oakfield, reporter=people.reporter,
                                             allegation_subject=people.other_staff, **incident_fields(oakfield))
    text = new_case_message(case)[0]
    assert text.startswith(f"Confidential: case {case.reference}") and people.other_staff.full_name not in text


def test_it_pins_urgent_unread_alerts_first(client, oakfield, people):
    notify(users=[people.dsl], school=oakfield, message="Older urgent", url="/", is_urgent=True)
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    notify(users=[people.dsl], school=oakfield, message="Newer ordinary", url="/")
    notify(users=[people.dsl], school=oakfield, message="Urgent but read", url="/", is_urgent=True)
    Notification.objects.filter(message="Urgent but read").update(read_at=timezone.now())
    client.force_login(people.dsl)
    shown = [note.message for note in client.get(reverse("alerts")).context["notifications"]]
    assert shown == ["Older urgent", "Urgent but read", "Newer ordinary"]


def test_it_marks_an_alert_read_when_opened_and_follows_it(client, oakfield, people):
    notify(users=[people.dsl, people.deputy], school=oakfield, message="New case", url="/incidents/triage/")
    mine = Notification.objects.get(user=people.dsl)
    client.force_login(people.dsl)
    response = client.get(reverse("open_alert", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/incidents/triage/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(user=people.deputy).read_at is None  # only the one opened
    body = client.get(reverse("alerts")).content.decode()
    assert reverse("open_alert", args=[mine.pk]) in body


def test_it_answers_404_for_someone_elses_alert(client, oakfield, riverside, people):
    notify(users=[people.deputy], school=oakfield, message="Theirs", url="/")
    theirs = Notification.objects.get()
    client.force_login(people.dsl)
    assert client.get(reverse("open_alert", args=[theirs.pk])).status_code == 404
    client.force_login(people.riverside_dsl)
    assert client.get(reverse("open_alert", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("stored", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""])
def test_it_only_ever_follows_a_path_on_this_site(client, oakfield, people, stored):
    Notification.objects.create(user=people.dsl, school=oakfield, message="Odd", url=stored)
    client.force_login(people.dsl)
    response = client.get(reverse("open_alert", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("alerts")


def test_it_keeps_mark_all_read(client, oakfield, people):
    notify(users=[people.dsl], school=oakfield, message="One", url="/")
    notify(users=[people.dsl], school=oakfield, message="Two", url="/")
    client.force_login(people.dsl)
    client.post(reverse("alerts"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
