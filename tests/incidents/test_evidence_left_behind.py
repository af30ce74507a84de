"""Review of issue 19: what a failure leaves behind."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from incidents import services
from incidents.models import Evidence
from onlinesafety.uploads import check_upload
from tests.failing_storage import files_under

from .helpers import png_bytes

pytestmark = pytest.mark.django_db


def test_it_keeps_no_evidence_file_when_the_case_cannot_record_it(make_incident, people, settings):
    """The file is stored, then the database refuses the rest of the change (a lock timeout on the case's row): the
    row rolls back, so the file must go too, as it does for a report's files and a provider CSV."""
    incident = make_incident()
    upload = check_upload(SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png"),
                          allowed=("image/png",), max_bytes=10**7)
    with mock.patch("incidents.services._bump", side_effect=OperationalError("lock timeout")), \
            pytest.raises(OperationalError):
        services.add_evidence(incident=incident, actor=people.dsl, upload=upload)
    assert not Evidence.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []  # no evidence file kept on disk with no record of it
