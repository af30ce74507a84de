"""The site administrator's list of every app's failed background jobs."""

import datetime

import pytest
from django.urls import reverse

from filtering.models import ProviderImport
from governors.models import TermReport
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.mail.selectors import ALERT_AFTER_ATTEMPTS
from onlinesafety.roster.models import RosterImport
from tests.factories import TermFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("failed_jobs")


@pytest.fixture
def site_admin():
    return UserFactory(is_staff=True, is_superuser=True)


def fail_one_of_each(school, people, n=1, first=0):
    from django.utils import timezone

    term = TermFactory(school=school, starts_on=datetime.date(2020 + first, 1, 5),
                       ends_on=datetime.date(2020 + first, 3, 27))
    for index in range(n):
        ProviderImport.objects.create(school=school, uploaded_by=people.technician, file="provider-logs/x.csv",
                                      original_name="x.csv", state="failed", failure="OSError",
                                      finished_at=timezone.now())
        TermReport.objects.create(school=school, term=term, version=index + 1, status="failed", attempts=3,
                                  failure="The worker stopped", finished_at=timezone.now())
        RosterImport.objects.create(school=school, kind="pupils", status="failed", failure="Wonde could not be read",
                                    expires_at=timezone.now(), finished_at=timezone.now())
        OutboundEmail.objects.create(to=f"someone{index}@example.org", subject="A secret subject", body="Body",
                                     kind="password_reset", attempts=ALERT_AFTER_ATTEMPTS, last_error="SMTPException")


def test_it_lists_every_kind_of_failed_job_naming_no_one(client, site_admin, oakfield, people):
    fail_one_of_each(oakfield, people)
    client.force_login(site_admin)
    page = client.get(URL).content.decode()
    for kind in ("Provider log import", "Governor report", "Roster import (pupils)", "Email"):
        assert kind in page
    for reason in ("OSError", "The worker stopped", "Wonde could not be read", "SMTPException"):
        assert reason in page
    assert "someone0@example.org" not in page and "A secret subject" not in page


def test_it_lists_them_in_a_fixed_number_of_queries(client, site_admin, oakfield, people,
                                                    django_assert_max_num_queries):
    client.force_login(site_admin)
    fail_one_of_each(oakfield, people, n=1)
    with django_assert_max_num_queries(12) as few:
        client.get(URL)
    fail_one_of_each(oakfield, people, n=15, first=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).content.decode().count("Provider log import") == 16


def test_it_says_so_when_nothing_failed(client, site_admin):
    client.force_login(site_admin)
    assert "No failed jobs." in client.get(URL).content.decode()


def test_it_is_only_for_the_site_administrator(client, people):
    client.force_login(people.head)
    assert client.get(URL).status_code == 404
