"""The DSL team triages an alert: dismiss it with a reason, add it to a case as evidence, or open a case from it in
one click (the category follows the alert's where it maps; the level is left for the DSL)."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from incidents.models import Incident, IncidentCategory, TimelineEntry
from incidents.services import report_incident
from monitoring import services
from monitoring.models import AlertStatus, DismissReason, MonitoringAlert
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed, RuleBroken

from .conftest import alert_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(send, secret, amy):
    send(alert_json(category="Self-harm", risk_level="high", captured_text="searched: how to hurt myself"), secret)
    return MonitoringAlert.objects.get()


@pytest.fixture
def team_case(oakfield, people):
    from incidents.services import set_up_school_defaults

    set_up_school_defaults(school=oakfield)
    return report_incident(school=oakfield, reporter=people.reporter, occurred_at=alert_json()["time"],
                           location="in_school", category=IncidentCategory.objects.get(school=oakfield, code="other"),
                           description="Worried about a pupil", immediate_risk=False, possibly_illegal="no")


def test_it_dismisses_an_alert_with_a_reason(client, alert, people):
    client.force_login(people.deputy)
    response = client.post(reverse("monitoring:dismiss", args=[alert.pk]), {"reason": "false_positive"})
    assert response["Location"] == reverse("monitoring:inbox")
    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason, alert.triaged_by) == (AlertStatus.DISMISSED,
                                                                       DismissReason.FALSE_POSITIVE, people.deputy)
    assert AuditEvent.objects.filter(verb="monitoring.alert_dismissed", detail__reason="false_positive").exists()


def test_it_needs_words_for_another_reason_and_a_choice_of_reason(client, alert, people):
    client.force_login(people.dsl)
    response = client.post(reverse("monitoring:dismiss", args=[alert.pk]), {"reason": "other", "note": "  "})
    assert response.status_code == 400
    assert escape("Say why the alert is dismissed.") in response.content.decode()
    response = client.post(reverse("monitoring:dismiss", args=[alert.pk]), {})
    assert escape("Choose why the alert is dismissed.") in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW
    client.post(reverse("monitoring:dismiss", args=[alert.pk]), {"reason": "other", "note": "A drama lesson script"})
    alert.refresh_from_db()
    assert (alert.dismiss_reason, alert.dismiss_note) == ("other", "A drama lesson script")


def test_it_preselects_no_reason(client, alert, people):
    client.force_login(people.dsl)
    page = client.get(reverse("monitoring:alert", args=[alert.pk])).content.decode()
    assert 'name="reason"' in page and "checked" not in page


def test_it_opens_a_case_in_one_click_with_the_alert_as_its_evidence(client, alert, people, amy, oakfield):
    client.force_login(people.dsl)
    response = client.post(reverse("monitoring:open_case", args=[alert.pk]))
    incident = Incident.objects.get(school=oakfield)
    assert response["Location"] == reverse("incidents:case", args=[incident.pk])
    assert "searched: how to hurt myself" in incident.description and "Self-harm" in incident.description
    assert list(incident.pupils.all()) == [amy]
    assert incident.level == "" and incident.reported_by == people.dsl
    assert incident.category.code == "other"  # self-harm has no category of its own: "Other"
    alert.refresh_from_db()
    assert (alert.status, alert.incident_id) == (AlertStatus.CASE_OPENED, incident.pk)
    assert AuditEvent.objects.filter(verb="monitoring.case_opened", detail__incident_id=incident.pk).exists()


@pytest.mark.parametrize(("category", "code"), [("Cyberbullying", "cyberbullying"), ("Extremism", "radicalisation"),
                                                 ("Hate speech", "online_hate"), ("Proxy / VPN", "filter_bypass"),
                                                 ("Grooming", "sexual_abuse"), ("Gaming", "other")])
def test_it_takes_the_case_category_from_the_alert(send, secret, people, category, code):
    send(alert_json(category=category), secret)
    incident_id = services.open_case(alert=MonitoringAlert.objects.get(), actor=people.dsl)
    assert Incident.objects.get(pk=incident_id).category.code == code


def test_it_adds_an_alert_to_an_existing_case(client, alert, people, team_case):
    client.force_login(people.dsl)
    response = client.post(reverse("monitoring:link", args=[alert.pk]), {"case_reference": team_case.reference})
    assert response["Location"] == reverse("incidents:case", args=[team_case.pk])
    note = TimelineEntry.objects.filter(incident=team_case, kind="note").get()
    assert "Evidence from the monitoring system" in note.text and "how to hurt myself" in note.text
    alert.refresh_from_db()
    assert (alert.status, alert.incident_id) == (AlertStatus.LINKED, team_case.pk)


def test_it_says_so_when_the_case_reference_names_no_case(client, alert, people, team_case):
    client.force_login(people.dsl)
    for reference, message in (("OAKT-9999", "There is no case with that reference that you can open."),
                               ("nonsense", "Enter the case's reference, for example OAKF-0007."),
                               ("", "Enter the case's reference.")):
        response = client.post(reverse("monitoring:link", args=[alert.pk]), {"case_reference": reference})
        assert response.status_code == 400
        assert escape(message) in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_it_refuses_to_triage_an_alert_twice(alert, people):
    services.dismiss(alert=alert, actor=people.dsl, reason=DismissReason.ALREADY_KNOWN)
    with pytest.raises(RuleBroken, match="already been triaged"):
        services.open_case(alert=alert, actor=people.deputy)
    assert not Incident.objects.exists()


def test_it_lets_only_the_dsl_team_triage(alert, people):
    for someone in (people.head, people.technician, people.reporter, people.riverside_dsl):
        with pytest.raises(NotAllowed):
            services.dismiss(alert=alert, actor=someone, reason=DismissReason.FALSE_POSITIVE)


def test_it_refuses_a_case_reference_with_another_schools_prefix(client, alert, people, team_case):
    """Guards "add to a case" against another school's prefix ("ZZZZ-0001" is not this school's case 1): refused
    with the school's own prefix in the message, the alert still new; the school's own prefix, any case, or the
    bare number, is taken."""
    client.force_login(people.dsl)
    number = team_case.reference.rpartition("-")[2]
    response = client.post(reverse("monitoring:link", args=[alert.pk]), {"case_reference": f"ZZZZ-{number}"})
    assert response.status_code == 400
    prefix = team_case.reference.rpartition("-")[0]
    assert escape(f"There is no case with that reference at this school: its case references begin {prefix}-."
                  ) in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "new"
    assert services.parse_case_reference(f" {prefix.lower()}-{number} ") == (prefix, int(number))
    assert services.parse_case_reference("7") == ("", 7)
    response = client.post(reverse("monitoring:link", args=[alert.pk]),
                           {"case_reference": team_case.reference.lower()})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "linked"
