import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents import services
from tests.factories import PupilFactory

from .helpers import incident_fields, png_bytes


@pytest.fixture
def make_incident(oakfield, people):
    def make(school=None, reporter=None, pupils=(), allegation_subject=None, pupil_roles=None, **overrides):
        school = school or oakfield
        return services.report_incident(
            school=school, reporter=reporter or people.reporter, **incident_fields(school, **overrides),
            pupils=pupils, pupil_roles=pupil_roles, allegation_subject=allegation_subject,
        )

    return make


@pytest.fixture
def pupil(oakfield):
    return PupilFactory(school=oakfield, first_name="Poppy", last_name="Example")


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("screenshot.png", png_bytes(), content_type="image/png")
