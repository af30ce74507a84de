"""Step-up ("elevated access"): an allegation about staff, a case older than the school's step-up age and the
incident log ask for the second factor again when the last one is older than STEP_UP_MINUTES."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from tests.conftest import login_password_only

pytestmark = pytest.mark.django_db


def second_factor_given(client, user, minutes_ago):
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time() - minutes_ago * 60,
                                                  "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def totp_secret(people):
    secret = pyotp.random_base32()
    TOTP.activate(people.head, secret)
    return secret


def test_it_asks_again_before_an_allegation_about_staff_opens(client, people, make_incident, totp_secret):
    case = make_incident(allegation_subject=people.reporter)
    client.force_login(people.head)
    url = reverse("incidents:case", args=[case.pk])
    assert client.get(url).status_code == 200  # the second factor was just given
    second_factor_given(client, people.head, minutes_ago=16)
    asked = client.get(url)
    assert asked.status_code == 302 and asked.url.startswith(reverse("mfa_reauthenticate"))
    answered = client.post(asked.url, {"code": pyotp.TOTP(totp_secret).now()})
    assert answered.status_code == 302 and answered.url == url
    assert client.get(url).status_code == 200


def test_it_opens_a_recent_ordinary_case_without_asking(client, people, make_incident):
    case = make_incident()
    client.force_login(people.dsl)
    second_factor_given(client, people.dsl, minutes_ago=60)
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 200


def test_it_asks_again_before_a_case_older_than_the_schools_step_up_age(client, people, make_incident, oakfield):
    case = make_incident()
    Incident.objects.filter(pk=case.pk).update(reported_at=timezone.now() - timedelta(days=400))
    client.force_login(people.dsl)
    second_factor_given(client, people.dsl, minutes_ago=20)
    response = client.get(reverse("incidents:case", args=[case.pk]))
    assert response.status_code == 302  # no authenticator yet: set one up first
    assert response.url.startswith(reverse("accounts:second_factor"))
    oakfield.step_up_case_age_days = 500
    oakfield.save()
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 200


def test_it_asks_again_before_the_incident_log_downloads(client, people, totp_secret):
    client.force_login(people.head)
    assert client.get(reverse("incidents:export")).status_code == 200
    second_factor_given(client, people.head, minutes_ago=15.5)
    response = client.get(reverse("incidents:export"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_reauthenticate"))


def test_it_never_lets_a_password_only_session_through_step_up(client, people, make_incident, totp_secret):
    case = make_incident(allegation_subject=people.reporter)
    login_password_only(client, people.head)
    response = client.get(reverse("incidents:case", args=[case.pk]))
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=people.head).exists()
    assert re.match(r"^/accounts/2fa/reauthenticate/", response.url)
