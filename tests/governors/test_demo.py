import pytest
from django.core.management import call_command
from django.urls import reverse

from governors.models import TermReport

pytestmark = pytest.mark.django_db


def test_it_has_last_terms_report_ready_for_governors_in_the_demo(settings, client):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    report = TermReport.objects.get(school__slug="oakfield")
    assert report.status == "ready" and report.sha256
    client.login(username="governor@oakfield.example", password="demo-password-for-tests")
    page = client.get(reverse("governors:reports"), follow=True).content.decode()
    assert "Download PDF" in page and report.sha256 in page
