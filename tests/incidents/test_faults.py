"""When the uploads folder or the database fails, or someone else changed the case: nothing typed is lost, and the
person is told plainly what was kept and what was not."""

import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, OperationalError
from django.urls import reverse
from django.utils.html import escape

from incidents import services
from incidents.models import Evidence, Incident, Outcome, Status
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import Notification
from tests.failing_storage import PARTIAL, fail_storage, files_under

from .helpers import png_bytes, with_level
from .test_reporting import URL, form_data

pytestmark = pytest.mark.django_db


def png(name):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.mark.parametrize("urgent", ["no", "yes"])
def test_it_keeps_a_report_whose_file_cannot_be_stored(client, oakfield, people, settings, monkeypatch, urgent,
                                                       django_capture_on_commit_callbacks):
    tried = fail_storage(monkeypatch, times=1)  # the first file fails, the second is stored
    client.force_login(people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**form_data(oakfield, immediate_risk=urgent),
                                     "evidence": [png("chat-screenshot.png"), png("second.png")]})
    incident = Incident.objects.get()
    assert response.status_code == 302 and len(tried) == 2
    assert incident.is_urgent == (urgent == "yes")
    assert sorted(incident.timeline.values_list("kind", "text")) == [("evidence_not_stored", "chat-screenshot.png"),
                                                                     ("reported", "")]
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["second.png"]
    # Nothing of the refused file is left in the uploads folder: only the stored one.
    stored = files_under(settings.MEDIA_ROOT)
    assert [p.read_bytes() for p in stored] == [png_bytes()]
    verbs = set(AuditEvent.objects.filter(object_id=str(incident.pk)).values_list("verb", flat=True))
    assert {"incident.reported", "incident.evidence_not_stored"} <= verbs
    failed = AuditEvent.objects.get(verb="incident.evidence_not_stored")
    assert failed.detail == {"files": 1}  # ids and counts only
    assert set(Notification.objects.values_list("user__email", flat=True)) == {u.email for u in people.dsl_team()}

    page = client.get(response.url).content.decode()
    assert "Your report is saved, but a file was NOT attached" in page
    assert "chat-screenshot.png" in page and "second.png" not in page
    assert "Give the file to the Designated Safeguarding Lead yourself" in page
    if urgent == "yes":
        assert "Urgent: act now" in page

    client.force_login(people.dsl)
    case = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert "File not stored: ask the reporter for it" in case and "chat-screenshot.png" in case


def test_it_keeps_the_report_when_no_file_can_be_stored(client, oakfield, people, settings, monkeypatch):
    fail_storage(monkeypatch)
    client.force_login(people.reporter)
    response = client.post(URL, {**form_data(oakfield), "evidence": [png("a.png"), png("b.png")]}, follow=True)
    incident = Incident.objects.get()
    assert incident.timeline.filter(kind="evidence_not_stored").count() == 2
    assert not Evidence.objects.exists() and files_under(settings.MEDIA_ROOT) == []
    assert "2 files were NOT attached" in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError("database is locked"), DatabaseError("server closed")])
def test_it_says_a_report_was_not_saved_and_keeps_what_was_typed(client, oakfield, people, error):
    client.force_login(people.reporter)
    typed = "Ella's older brother sent \"horrible\" messages at 9pm."
    with mock.patch("incidents.services.report_incident", side_effect=error):
        response = client.post(URL, form_data(oakfield, description=typed, platform="Snapchat"))
    page = response.content.decode()
    assert response.status_code == 503
    assert "Your report was NOT saved. Tell the DSL in person now." in page
    assert page.index("Your report was NOT saved") < page.index("Report an online safety concern</h1>")
    assert 'id="error-summary"' in page
    assert escape(typed) in page and 'value="Snapchat"' in page  # the form, as it was typed
    assert not Incident.objects.exists()
    # The form may be sent again once the database is back.
    assert client.post(URL, form_data(oakfield, description=typed)).status_code == 302
    assert Incident.objects.get().description == typed


def test_it_says_an_evidence_file_was_not_stored_and_changes_nothing(client, make_incident, people, settings,
                                                                     monkeypatch):
    incident = make_incident()
    before = (incident.version, incident.timeline.count(), AuditEvent.objects.count())
    fail_storage(monkeypatch)
    client.force_login(people.dsl)
    response = client.post(reverse("incidents:change", args=[incident.pk, "evidence"]),
                           {"evidence-file": png("shot.png")})
    page = response.content.decode()
    assert response.status_code == 503
    assert "The file was not stored" in page and "nothing else changed" in page
    assert f"Case {incident.reference}" in page  # the case's own page, not the site's error page
    incident.refresh_from_db()
    # Only the views of the page are new in the audit log.
    assert (incident.version, incident.timeline.count()) == before[:2]
    assert not AuditEvent.objects.filter(verb="incident.evidence_added").exists()
    assert not Evidence.objects.exists() and files_under(settings.MEDIA_ROOT) == []


def test_it_deletes_the_part_of_a_file_the_storage_wrote(oakfield, people, settings, monkeypatch):
    from onlinesafety.uploads import check_upload

    tried = fail_storage(monkeypatch)
    incident = services.report_incident(school=oakfield, reporter=people.reporter, **_fields(oakfield),
                                        files=[check_upload(png("a.png"), allowed=("image/png",), max_bytes=10**7)])
    assert len(tried) == 1 and not any(p.read_bytes() == PARTIAL for p in files_under(settings.MEDIA_ROOT))
    assert incident.timeline.filter(kind="evidence_not_stored", text="a.png").exists()


def _fields(school):
    from .helpers import incident_fields

    return incident_fields(school)


# ---------------------------------------------------------------- someone else changed the case

def _version_on(page, form):
    return int(re.search(rf'name="{form}-version" value="(\d+)"', page).group(1))


def test_it_keeps_the_typed_close_summary_when_someone_else_changed_the_case(client, make_incident, people):
    incident = with_level(make_incident())
    client.force_login(people.dsl)
    seen = _version_on(client.get(reverse("incidents:case", args=[incident.pk])).content.decode(), "close")
    # Meanwhile the deputy works on it.
    services.assign(incident=incident, actor=people.deputy, assignee=people.deputy, expected_version=seen)
    services.add_note(incident=incident, actor=people.deputy, text="Phoned the class teacher.")
    incident.refresh_from_db()

    summary = "Talked to both pupils' parents; the messages have stopped."
    response = client.post(reverse("incidents:change", args=[incident.pk, "close"]),
                           {"close-outcome": Outcome.RESOLVED_INTERNALLY, "close-summary": summary,
                            "close-version": seen, "close-close_unanswered_checklist": "on"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this case while you were working on it" in page
    assert escape(summary) in page  # what the DSL typed is still in the form
    assert _version_on(page, "close") == incident.version
    changed = page[page.index('id="changed-meanwhile"'):]
    changed = changed[:changed.index("</section>")]
    assert "Assigned" in changed and "Note" in changed and escape(people.deputy.full_name) in changed
    assert "Reported" not in changed  # only what happened after the page the DSL saw
    assert "Phoned the class teacher" not in changed  # kinds, authors and times only
    incident.refresh_from_db()
    assert incident.status == Status.OPEN  # as the deputy left it: not closed

    again = client.post(reverse("incidents:change", args=[incident.pk, "close"]),
                        {"close-outcome": Outcome.RESOLVED_INTERNALLY, "close-summary": summary,
                         "close-version": _version_on(page, "close"), "close-close_unanswered_checklist": "on"})
    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert summary in incident.timeline.get(kind="closed").text


def test_it_keeps_the_typed_reopen_reason_when_someone_else_changed_the_case(client, make_incident, people):
    incident = with_level(make_incident())
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.NO_FURTHER_ACTION,
                        expected_version=incident.version)
    seen = incident.version
    services.add_note(incident=incident, actor=people.deputy, text="Checked again.")
    client.force_login(people.dsl)
    reason = "New messages came to light on Friday."
    response = client.post(reverse("incidents:change", args=[incident.pk, "reopen"]),
                           {"reopen-reason": reason, "reopen-version": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert escape(reason) in page
    assert client.post(reverse("incidents:change", args=[incident.pk, "reopen"]),
                       {"reopen-reason": reason, "reopen-version": _version_on(page, "reopen")}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.OPEN


def test_it_says_a_report_was_not_saved_when_the_database_really_fails(client, oakfield, people):
    """A real error from the database before the service's own transaction (on PostgreSQL it aborts the request's
    transaction): the page is still the report form, saying so."""
    from django.db import connection

    def broken(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM incidents_incident")

    client.force_login(people.reporter)
    with mock.patch("incidents.services.rights.can_report", side_effect=broken):
        response = client.post(URL, form_data(oakfield, description="Messages sent at night."))
    assert response.status_code == 503
    assert "Your report was NOT saved" in response.content.decode()
    assert "Messages sent at night." in response.content.decode()
    assert not Incident.objects.exists()
