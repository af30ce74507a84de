"""The agreements-first redirect never holds up reporting a concern, a case (an urgent alert's link) or the alerts."""

import pytest
from django.urls import reverse

from incidents import services as incident_services
from tests.factories import TEST_PASSWORD
from tests.incidents.helpers import incident_fields

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    client.post(reverse("accounts:login"), {"login": user.email, "password": TEST_PASSWORD})


@pytest.mark.parametrize("url", [reverse("incidents:report"), reverse("alerts")])
def test_it_lets_an_unsigned_member_report_or_read_alerts_straight_after_signing_in(client, published, people, url):
    sign_in(client, people.reporter)
    assert client.get(url).status_code == 200


def test_it_lets_an_unsigned_member_open_a_case_from_an_alert(client, published, people):
    case = incident_services.report_incident(school=published, reporter=people.reporter,
                                             **incident_fields(published, immediate_risk=True))
    sign_in(client, people.reporter)  # a case page, here their own report's
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 200


def test_it_still_shows_the_agreement_first_on_the_next_other_page(client, published, people):
    sign_in(client, people.reporter)
    client.get(reverse("incidents:report"))
    later = client.get(reverse("policies:to_read"))
    assert later.status_code == 302 and later["Location"].startswith(reverse("aup:mine"))
