"""Review of step-up (issue 13): pages that show an allegation's or an old case's content without asking for the
second factor again. Each test fails until the hole is closed."""

import time
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident

pytestmark = pytest.mark.django_db

SECRET_WORDS = "Staff member sent a pupil private messages at night."


def second_factor_given(client, user, minutes_ago):
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time() - minutes_ago * 60,
                                                  "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def test_it_asks_again_before_a_refused_change_shows_an_allegation(client, people, make_incident):
    """A change that fails validation answers with the whole case page (case_change renders case.html): with a
    second factor given 20 minutes ago it shows the allegation without step-up."""
    TOTP.activate(people.head, pyotp.random_base32())
    case = make_incident(allegation_subject=people.reporter, description=SECRET_WORDS)
    client.force_login(people.head)
    second_factor_given(client, people.head, minutes_ago=20)
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 302  # the case page asks
    response = client.post(reverse("incidents:change", args=[case.pk, "note"]), {"note-text": ""})
    assert SECRET_WORDS.encode() not in response.content, "the refused note shows the allegation"


def test_it_asks_again_before_a_pupils_chronology_shows_an_old_case(client, people, make_incident, pupil):
    """The chronology lists every case of a pupil with the first 40 words of each description, old ones too."""
    TOTP.activate(people.dsl, pyotp.random_base32())
    case = make_incident(pupils=[pupil], description=SECRET_WORDS)
    Incident.objects.filter(pk=case.pk).update(reported_at=timezone.now() - timedelta(days=400))
    client.force_login(people.dsl)
    second_factor_given(client, people.dsl, minutes_ago=20)
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 302  # the case page asks
    response = client.get(reverse("incidents:chronology", args=[pupil.pk]))
    assert SECRET_WORDS.encode() not in response.content, "the chronology shows the old case's description"


def test_it_offers_a_passkey_when_step_up_asks_someone_whose_second_factor_is_a_passkey(client, people):
    """Someone with a passkey (and the recovery codes that come with it) but no authenticator app is sent to
    mfa_reauthenticate, whose overridden template offers only a code box: every step-up spends a recovery code."""
    Authenticator.objects.create(user=people.head, type=Authenticator.Type.WEBAUTHN,
                                 data={"name": "Laptop", "credential": {}})
    Authenticator.objects.create(user=people.head, type=Authenticator.Type.RECOVERY_CODES,
                                 data={"seed": "0" * 40, "used_mask": 0})
    client.force_login(people.head)
    second_factor_given(client, people.head, minutes_ago=20)
    asked = client.get(reverse("incidents:export"))
    assert asked.status_code == 302
    page = client.get(asked.url)
    assert page.status_code == 200
    assert reverse("mfa_reauthenticate_webauthn").encode() in page.content, "no way to use the passkey"
