import pytest
from django.core.management import call_command
from django.urls import reverse

from filtering.models import ProviderImport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_a_failed_import_to_try_again_and_lists_it_for_the_site_administrator(
        settings, client, django_capture_on_commit_callbacks):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    failed = ProviderImport.objects.get(school__slug="oakfield", state="failed")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "Provider log import" in client.get(reverse("failed_jobs")).content.decode()

    client.login(username="tech@oakfield.example", password="demo-password-for-tests")
    page = client.get(reverse("filtering:import", args=[failed.pk]), follow=True).content.decode()
    assert "Failed: try again." in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("filtering:import_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.state == "done" and failed.rows_added == 0 and failed.rows_duplicate > 0
