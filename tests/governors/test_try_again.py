"""A failed report says so on its page, and the people who build reports can try it again."""

import pytest
from django.urls import reverse

from governors import services
from governors.models import TermReport
from onlinesafety.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(known):
    return TermReport.objects.create(school=known.school, term=known.summer, version=1, attempts=3,
                                     status=TermReport.Status.FAILED, failure="OSError")


def test_it_shows_a_failed_report_with_a_try_again_button_to_those_who_build_reports(client, people, failed):
    client.force_login(people.dsl)
    page = client.get(reverse("governors:reports")).content.decode()
    assert "Failed: try again." in page and reverse("governors:retry", args=[failed.pk]) in page
    assert "hx-get" not in page  # nothing left polling a report that will not move by itself
    client.force_login(people.governor)
    page = client.get(reverse("governors:reports")).content.decode()
    assert "Failed: try again." in page and reverse("governors:retry", args=[failed.pk]) not in page


def test_it_builds_the_report_when_tried_again(client, people, failed, django_capture_on_commit_callbacks):
    client.force_login(people.dsl)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governors:retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.failure) == ("ready", 4, "")
    assert AuditEvent.objects.filter(verb="governors.report_retried", actor=people.dsl).count() == 1


def test_it_refuses_to_try_again_a_report_that_has_not_failed(client, people, known):
    report = services.request_report(school=known.school, term=known.summer)
    services.build(report.pk)
    client.force_login(people.dsl)
    response = client.post(reverse("governors:retry", args=[report.pk]), follow=True)
    assert "This report has not failed" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="governors.report_retried").exists()


def test_it_lets_no_governor_try_again(client, people, failed):
    client.force_login(people.governor)
    assert client.post(reverse("governors:retry", args=[failed.pk])).status_code in (403, 404)
    failed.refresh_from_db()
    assert failed.status == "failed"
