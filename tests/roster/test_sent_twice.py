"""Every roster form sent twice with one token writes once: one dry run, one confirmation (one import applied),
one read of the MIS's API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onlinesafety.roster import services
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .helpers import dry_run, pupils_csv

pytestmark = pytest.mark.django_db


def _upload(s):
    return (s.head, reverse("roster:upload", args=[s.school.slug, "pupils"]), {"columns": "sims"},
            lambda: {"file": SimpleUploadedFile("export.csv", pupils_csv(3), content_type="text/csv")})


def _step(name, prepare=None):
    def case(s):
        roster_import = dry_run(s.school, s.head, "pupils", pupils_csv(3))
        if prepare:
            prepare(s, roster_import)
        return s.head, reverse(f"roster:{name}", args=[s.school.slug, roster_import.pk]), {}
    return case


def _failed(s, roster_import):
    services.confirm_import(roster_import=roster_import, actor=s.head)
    type(roster_import).objects.filter(pk=roster_import.pk).update(status="failed")


CASES = {
    "upload a file": ("roster:upload", _upload),
    "confirm": ("roster:confirm", _step("confirm")),
    "discard": ("roster:discard", _step("discard")),
    "try again": ("roster:retry", _step("retry", _failed)),
    "read the MIS's API": ("roster:fetch", lambda s: (s.request.getfixturevalue("connected") and s.head, reverse(
        "roster:fetch", args=[s.school.slug, "pupils"]), {})),
    "settings": ("roster:settings", lambda s: (s.head, reverse("roster:settings", args=[s.school.slug]), {
        "dfe_number": "873/2345", "api_staff_role": "staff"})),
}


class Setting:
    def __init__(self, school, head, request):
        self.school, self.head, self.request = school, head, request


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, head, case, request,
                                                  django_capture_on_commit_callbacks):
    user, url, data, *files = case(Setting(oakfield, head, request))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data, *files)
