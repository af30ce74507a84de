from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incidents.models import CategoryCode, Evidence, Incident, Status, Visibility
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import Notification

from .helpers import category, png_bytes

pytestmark = pytest.mark.django_db

URL = reverse("incidents:report")


def form_data(school, **overrides):
    data = {
        "immediate_risk": "no", "possibly_illegal": "no",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "location": "in_school", "category": category(school).pk, "device": "school", "network": "school",
        "description": "Two pupils sent unkind messages about a third in the class chat.",
        "platform": "Class chat", "url": "", "no_pupil": "on",
    }
    data.update(overrides)
    return data


def test_it_logs_a_report_and_shows_a_confirmation(client, oakfield, people, pupil,
                                                   django_capture_on_commit_callbacks):
    client.force_login(people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(oakfield, pupils=[pupil.pk], **{f"role_{pupil.pk}": "witness"}))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("incidents:submitted", args=[incident.pk])
    assert (incident.reported_by, incident.status, incident.visibility) == (people.reporter, Status.NEW,
                                                                            Visibility.DSL_TEAM)
    assert list(incident.pupils.all()) == [pupil]
    assert incident.timeline.get().kind == "reported"
    assert AuditEvent.objects.filter(verb="incident.reported", object_id=str(incident.pk)).exists()
    page = client.get(response.url)
    assert b"your concern has been sent" in page.content
    assert incident.reference.encode() in page.content


def test_it_alerts_the_dsl_team_in_the_app_and_by_email_naming_no_one(
    client, oakfield, people, pupil, django_capture_on_commit_callbacks
):
    client.force_login(people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(oakfield, pupils=[pupil.pk], description="Poppy Example was sent threats.",
                                   **{f"role_{pupil.pk}": "affected"}))
    team = {u.email for u in people.dsl_team()}
    assert {m.to[0] for m in mail.outbox} == team
    assert set(Notification.objects.values_list("user__email", flat=True)) == team
    for message in mail.outbox:
        text = message.subject + message.body
        assert f"New case {Incident.objects.get().reference} (" in text and "to acknowledge" in text
        for secret in ("Poppy", "Example", "threats", people.reporter.full_name):
            assert secret not in text
        assert "http://" in message.body  # an absolute link to sign in


def test_it_marks_immediate_risk_urgent_and_tells_the_reporter_to_act_now(
    client, oakfield, people, django_capture_on_commit_callbacks
):
    client.force_login(people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(oakfield, immediate_risk="yes"), follow=True)
    incident = Incident.objects.get()
    assert incident.is_urgent and incident.immediate_risk
    assert b"999" in response.content and b"in person now" in response.content
    assert Notification.objects.filter(is_urgent=True).count() == 3
    assert all(m.subject.startswith("Urgent online safety concern") for m in mail.outbox)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("occurred_at", (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "in the future"),
        ("url", "javascript:alert(1)", "http:// or https://"),
        ("url", "https://user:secret@example.com/x", "user name or password"),
        ("description", "", "Describe what happened"),
        ("immediate_risk", "", "Select whether a child is at immediate risk of harm"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(client, oakfield, people, field, value, message):
    client.force_login(people.reporter)
    response = client.post(URL, form_data(oakfield, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Incident.objects.count() == 0


def test_it_refuses_a_pupil_of_another_school(client, oakfield, riverside, people):
    from tests.factories import PupilFactory

    client.force_login(people.reporter)
    response = client.post(URL, form_data(oakfield, pupils=[PupilFactory(school=riverside).pk]))
    assert response.status_code == 200
    assert Incident.objects.count() == 0


def test_it_keeps_evidence_by_content_outside_public_media(client, oakfield, people, settings):
    client.force_login(people.reporter)
    upload = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
    assert client.post(URL, {**form_data(oakfield), "evidence": [upload]}).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png"
    assert len(evidence.sha256) == 64
    assert "shot" not in evidence.file.name  # stored under a random name
    assert str(settings.MEDIA_ROOT) in evidence.file.path
    # No URL serves the private folder: only the case's evidence view does, after checking access.
    assert client.get("/" + evidence.file.name).status_code == 404
    assert client.get("/media/" + evidence.file.name).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.png", b"MZ\x90\x00 this is really a program", "is not a PNG, JPEG or PDF file"),
        ("notes.pdf", b"%PDF-1.7 but cut short", "is not a PNG, JPEG or PDF file"),
        ("huge.png", png_bytes() + b"\x00" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_it_refuses_files_that_are_not_what_they_claim_or_too_big(client, oakfield, people, name, content,
                                                                   message):
    client.force_login(people.reporter)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = client.post(URL, {**form_data(oakfield), "evidence": [upload]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Incident.objects.count() == 0 and Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "code", [CategoryCode.INDECENT_IMAGES, CategoryCode.YOUTH_IMAGERY, CategoryCode.SEXUAL_ABUSE]
)
def test_it_accepts_no_upload_for_sexual_images_and_explains_why(client, oakfield, people, code):
    client.force_login(people.reporter)
    upload = SimpleUploadedFile("image.png", png_bytes(), content_type="image/png")
    response = client.post(URL, {**form_data(oakfield, category=category(oakfield, code).pk), "evidence": [upload]})
    assert response.status_code == 200
    assert "Do not upload anything for this kind of concern" in response.content.decode()
    assert Incident.objects.count() == 0
    # Without a file the same report goes through.
    assert client.post(URL, form_data(oakfield, category=category(oakfield, code).pk)).status_code == 302


def test_it_explains_the_evidence_rules_on_the_form(client, people):
    client.force_login(people.reporter)
    body = client.get(URL).content.decode()
    assert "Do not look at, copy, forward, print, screenshot or save the images" in body
    assert "Is a child at immediate risk of harm?" in body and "Could this be illegal?" in body


def test_it_finds_pupils_by_name_for_the_form(client, oakfield, people, pupil):
    client.force_login(people.reporter)
    response = client.post(reverse("incidents:pupil_search"), {"pupil_q": "popp"})
    assert b"Poppy Example" in response.content
    assert b"Poppy" not in client.post(reverse("incidents:pupil_search"), {"pupil_q": "p"}).content


def test_it_keeps_the_name_searched_for_out_of_the_address(client, people, pupil):
    client.force_login(people.reporter)
    assert client.get(reverse("incidents:pupil_search"), {"pupil_q": "popp"}).status_code == 405
    form = client.get(URL).content.decode()
    assert f'hx-post="{reverse("incidents:pupil_search")}"' in form and "hx-get" not in form
    assert 'hx-params="pupil_q"' in form and "X-CSRFToken" in form  # the search only, with the CSRF header


def test_it_shows_the_reporter_status_and_feedback_but_not_case_notes(client, make_incident, people):
    from incidents import services

    incident = make_incident()
    services.add_note(incident=incident, actor=people.dsl, text="Confidential: sibling known to social care.")
    services.add_note(incident=incident, actor=people.dsl, text="Thank you, we have spoken to the pupils.",
                      kind="feedback")
    client.force_login(people.reporter)
    body = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert "Thank you, we have spoken to the pupils." in body
    assert "Confidential" not in body
    assert "New" in body
    mine = client.get(reverse("incidents:mine")).content.decode()
    assert incident.reference in mine


def test_it_refuses_an_image_bomb_without_failing(client, oakfield, people):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    client.force_login(people.reporter)
    upload = SimpleUploadedFile("bomb.png", bomb, content_type="image/png")
    response = client.post(URL, {**form_data(oakfield), "evidence": [upload]})
    assert response.status_code == 200
    assert "is not a PNG, JPEG or PDF file" in response.content.decode()


@pytest.mark.parametrize("url", ["[abc", "http://[::1", "http://[abc]/x", "mailto:someone@example.com"])
def test_it_refuses_malformed_web_addresses_with_a_message(client, oakfield, people, url):
    client.force_login(people.reporter)
    response = client.post(URL, form_data(oakfield, url=url))
    assert response.status_code == 200
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("field", ["pupils", "staff_involved"])
def test_it_refuses_ids_too_large_for_the_database(client, oakfield, people, field):
    client.force_login(people.reporter)
    response = client.post(URL, form_data(oakfield, **{field: ["99999999999999999999999"]}))
    assert response.status_code == 200
    assert Incident.objects.count() == 0


def test_it_searches_pupils_safely_with_odd_characters(client, people, pupil):
    client.force_login(people.reporter)
    assert client.post(reverse("incidents:pupil_search"), {"pupil_q": "po\x00ppy"}).status_code == 200


def test_it_refuses_a_date_from_long_ago(client, oakfield, people):
    client.force_login(people.reporter)
    response = client.post(URL, form_data(oakfield, occurred_at="0001-01-01T10:00"))
    assert "too long ago" in response.content.decode()
    assert Incident.objects.count() == 0


def test_it_leaves_no_file_behind_when_a_report_fails(oakfield, people, png_upload, settings):
    from unittest import mock

    from incidents import services
    from onlinesafety.uploads import check_upload

    from .helpers import incident_fields

    upload = check_upload(png_upload, allowed=("image/png",), max_bytes=10**7)
    with mock.patch("incidents.services._tell_new_case", side_effect=RuntimeError("broker and database down")):
        with pytest.raises(RuntimeError):
            services.report_incident(school=oakfield, reporter=people.reporter, **incident_fields(oakfield),
                                     files=[upload])
    assert Incident.objects.count() == 0 and Evidence.objects.count() == 0
    evidence_dir = settings.MEDIA_ROOT / "evidence"
    assert not evidence_dir.exists() or not any(p.is_file() for p in evidence_dir.rglob("*"))
