"""The largest request the site reads (MAX_REQUEST_BYTES): refused before the body is read, with the site's own
"too large" page; the provider log import takes its own larger size."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Incident
from onlinesafety.uploads import MEGABYTE
from tests.incidents.helpers import png_bytes

pytestmark = pytest.mark.django_db

REPORT = reverse("incidents:report")


def test_it_takes_fifty_megabytes_by_default_and_documents_the_setting():
    from pathlib import Path

    assert settings.MAX_REQUEST_BYTES == 50 * MEGABYTE
    assert "MAX_REQUEST_BYTES" in settings.ENVIRONMENT_VARIABLES
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    operations = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text()
    assert "`MAX_REQUEST_BYTES`" in readme and "`MAX_REQUEST_BYTES`" in operations


def test_it_refuses_twelve_files_of_nine_megabytes_before_reading_them(client, people):
    """The finding: 12 x 9 MB in one request was read and processed. The length alone now refuses it."""
    client.force_login(people.reporter)
    response = client.post(REPORT, {"description": "x"}, CONTENT_LENGTH=str(12 * 9 * MEGABYTE))
    assert response.status_code == 413
    page = response.content.decode()
    assert "That was too much to send at once" in page and "more than 50 MB" in page and "Nothing was saved" in page
    assert "Report a concern" in page  # the site's own page, with its menu
    assert not Incident.objects.exists()


def test_it_refuses_a_real_body_over_the_limit_and_takes_one_under_it(client, oakfield, people, settings):
    settings.MAX_REQUEST_BYTES = 20_000
    client.force_login(people.reporter)
    large = SimpleUploadedFile("shot.png", png_bytes() + b"\0" * 30_000, content_type="image/png")
    assert client.post(REPORT, {"evidence": large}).status_code == 413
    small = client.post(REPORT, {"description": ""})
    assert small.status_code == 200  # read, and the form shown again with its errors


def test_it_lets_the_provider_log_import_take_its_own_larger_size(client, people, settings):
    settings.MAX_REQUEST_BYTES = 20_000
    client.force_login(people.technician)
    csv = SimpleUploadedFile("log.csv", b"Timestamp,Username,Group,URL,Category,Action\r\n" + b"x" * 30_000)
    response = client.post(reverse("filtering:imports"), {"file": csv})
    assert response.status_code != 413
    assert client.post(reverse("filtering:imports"), {}, CONTENT_LENGTH=str(502 * MEGABYTE)).status_code == 413


def test_it_refuses_a_body_sent_without_a_length(client, people):
    """Django reads Content-Length bytes, so a chunked body would arrive empty: refused rather than taken as an
    empty form."""
    client.force_login(people.reporter)
    response = client.generic("POST", REPORT, b"", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert "The form could not be sent" in response.content.decode()


@pytest.mark.parametrize("length", ["-1", "12abc", "1e9", "²"])
def test_it_answers_a_length_that_is_not_a_number_with_the_bad_request_page(client, people, length):
    client.force_login(people.reporter)
    response = client.generic("POST", REPORT, b"", CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_it_keeps_the_report_forms_evidence_under_the_limit_in_the_browser_too(client, people):
    client.force_login(people.reporter)
    page = client.get(REPORT).content.decode()
    assert f'data-max-files-bytes="{settings.MAX_REQUEST_BYTES - MEGABYTE}"' in page
    assert "up to 10 MB each (49 MB in all)" in page
