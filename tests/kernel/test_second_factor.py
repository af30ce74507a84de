"""Signing in with a second factor: who must have one, enrolment at the next page, the code at sign-in, lockout
and unlock, step-up, the idle timeout and "sign out everywhere" (issue 13, finding 1)."""

import re
import time

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from onlinesafety.accounts import services
from onlinesafety.accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from onlinesafety.audit.models import AuditEvent
from tests.conftest import login_password_only
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def enrol_totp(client) -> str:
    """Set up an authenticator app through the pages, as a person would (allauth asks for the password again
    first); the secret the page shows."""
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.status_code == 302 and asked.url.startswith(reverse("account_reauthenticate"))
    assert client.post(asked.url, {"password": TEST_PASSWORD}).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())[1]
    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_it_sends_a_dsl_without_a_second_factor_to_set_one_up_but_never_stops_a_report(client, people):
    login_password_only(client, people.dsl)
    triage = client.get(reverse("incidents:triage"))
    assert triage.status_code == 302 and triage.url.startswith(reverse("accounts:second_factor"))
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("incidents:report")).status_code == 200  # reporting a concern is never gated
    page = client.get(triage.url)
    assert b"Set up an authenticator app" in page.content and b"report a concern" in page.content


@pytest.mark.parametrize("who", ["head", "dsl", "deputy", "osl", "chair"])
def test_it_requires_a_second_factor_of_each_powerful_role(client, people, who):
    login_password_only(client, getattr(people, who))
    assert client.get(reverse("policies:register")).status_code == 302


def test_it_requires_one_of_the_site_administrator(client):
    admin_user = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    login_password_only(client, admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:second_factor"))


def test_it_asks_a_teacher_only_when_the_school_requires_it_for_all_staff(client, people, oakfield):
    login_password_only(client, people.reporter)
    assert client.get(reverse("policies:to_read")).status_code == 200
    oakfield.second_factor_for_all_staff = True
    oakfield.save()
    assert client.get(reverse("policies:to_read")).status_code == 302
    login_password_only(Client(), people.parent)  # parents never


def test_it_enrols_an_authenticator_app_and_asks_for_its_code_at_every_sign_in(
        client, people, django_capture_on_commit_callbacks):
    assert sign_in(client, people.dsl).status_code == 302
    assert client.get(reverse("incidents:triage")).status_code == 302  # not yet
    with django_capture_on_commit_callbacks(execute=True):  # allauth sends its signal once the change commits
        secret = enrol_totp(client)
    assert Authenticator.objects.filter(user=people.dsl, type="totp").exists()
    assert AuditEvent.objects.filter(verb="auth.second_factor_added", actor=people.dsl).exists()
    assert client.get(reverse("incidents:triage")).status_code == 200

    browser = Client()
    password_step = sign_in(browser, people.dsl)
    assert password_step.status_code == 302 and password_step.url == reverse("mfa_authenticate")
    assert browser.get(reverse("incidents:triage")).status_code == 302  # the password alone opens nothing
    wrong = browser.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and b"That code is not right" in wrong.content
    right = browser.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert browser.get(reverse("incidents:triage")).status_code == 200


def test_it_keeps_the_last_second_factor_of_a_role_that_needs_one(client, people):
    sign_in(client, people.dsl)
    enrol_totp(client)
    response = client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(user=people.dsl, type="totp").exists()
    assert response.status_code in (200, 302)


def test_it_locks_an_account_after_five_wrong_passwords_and_the_site_administrator_unlocks_it(client, people, rf):
    for _ in range(5):
        assert b"do not match an account" in sign_in(client, people.reporter, "wrong-password").content
    locked = sign_in(client, people.reporter)  # the right password, too late
    assert locked.status_code == 200 and b"locked for a while" in locked.content
    assert "_auth_user_id" not in client.session
    sign_in(client, people.reporter, "wrong-password")
    assert AuditEvent.objects.filter(verb="auth.locked_out", object_id=str(people.reporter.pk)).count() == 1
    assert sign_in(Client(), people.other_staff).status_code == 302  # another account is not locked

    admin_user = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    request = rf.post("/admin/")
    request.user = admin_user
    request.session = {}
    services.unlock_sign_in(user=people.reporter, actor=admin_user, request=request)
    assert AuditEvent.objects.filter(verb="auth.unlocked", actor=admin_user).exists()
    assert sign_in(client, people.reporter).status_code == 302


def test_it_unlocks_from_the_admin_user_list(client, people):
    for _ in range(6):
        sign_in(Client(), people.reporter, "wrong-password")
    admin_user = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "unlock_sign_in", "_selected_action": [people.reporter.pk]})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="auth.unlocked", object_id=str(people.reporter.pk)).exists()
    assert sign_in(Client(), people.reporter).status_code == 302


def test_it_sends_a_reset_email_three_times_at_most_in_a_quarter_of_an_hour(client, people,
                                                                           django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            client.post(reverse("account_reset_password"), {"email": people.reporter.email})
    assert len(mail.outbox) == 3


def test_it_signs_out_a_safeguarding_role_after_thirty_idle_minutes(client, people):
    client.force_login(people.dsl)
    assert client.get(reverse("incidents:triage")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("incidents:triage"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.idle_timeout", actor=people.dsl).exists()


def test_it_keeps_a_page_left_open_from_holding_the_session_with_its_refreshes(client, people):
    client.force_login(people.dsl)
    client.get(reverse("incidents:triage"))
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() - 29 * 60
    session.save()
    client.get(reverse("incidents:triage"), headers={"HX-Request": "true"})  # a background refresh
    session = client.session
    assert session[LAST_ACTIVITY_SESSION_KEY] < time.time() - 28 * 60


def test_it_leaves_a_teacher_signed_in_past_thirty_minutes(client, people):
    client.force_login(people.reporter)
    client.get(reverse("incidents:mine"))
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() - 31 * 60
    session.save()
    assert client.get(reverse("incidents:mine")).status_code == 200


def test_it_signs_out_everywhere(people):
    laptop, phone = Client(), Client()
    assert sign_in(laptop, people.reporter).status_code == 302
    assert sign_in(phone, people.reporter).status_code == 302
    assert phone.get(reverse("incidents:mine")).status_code == 200
    page = laptop.get(reverse("accounts:sessions"))
    assert page.status_code == 200 and page.content.count(b"<tr>") >= 3  # a header row and two browsers
    assert laptop.post(reverse("accounts:sessions")).status_code == 302
    assert phone.get(reverse("incidents:mine")).status_code == 302
    assert laptop.get(reverse("incidents:mine")).status_code == 302
    event = AuditEvent.objects.get(verb="auth.signed_out_everywhere")
    assert event.actor == people.reporter and event.detail == {"sessions_ended": 1}


def test_it_resets_a_lost_second_factor_from_the_admin(client, people):
    sign_in(client, people.dsl)
    enrol_totp(client)
    admin_user = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(admin_user)
    admin.post(reverse("admin:accounts_user_changelist"),
               {"action": "reset_second_factor", "_selected_action": [people.dsl.pk]})
    assert not Authenticator.objects.filter(user=people.dsl).exists()
    assert AuditEvent.objects.filter(verb="auth.second_factor_reset", object_id=str(people.dsl.pk)).exists()
    assert client.get(reverse("incidents:triage")).status_code == 302  # signed out everywhere


def test_it_shows_no_second_factor_secret_in_the_admin(client, people):
    sign_in(client, people.dsl)
    secret = enrol_totp(client)
    admin = Client()
    admin.force_login(UserFactory(email="root@site.example", is_staff=True, is_superuser=True))
    authenticator = Authenticator.objects.get(user=people.dsl, type="totp")
    for url in (reverse("admin:mfa_authenticator_changelist"),
                reverse("admin:mfa_authenticator_change", args=[authenticator.pk])):
        response = admin.get(url)
        assert response.status_code == 200 and secret.encode() not in response.content


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/email/", "/accounts/password/set/"])
def test_it_offers_no_sign_up_and_no_email_management(client, people, url):
    client.force_login(people.reporter)
    assert client.get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_it_sends_an_htmx_refresh_to_the_set_up_page_as_a_whole_page(client, people):
    login_password_only(client, people.dsl)
    response = client.get(reverse("incidents:triage"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("accounts:second_factor")


def test_it_sends_a_timed_out_htmx_refresh_to_sign_in(client, people):
    client.force_login(people.dsl)
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("incidents:triage"), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("account_login")


def test_it_lists_passkeys_even_when_there_is_none(client, people):
    """The access matrix found allauth's passkey list a 500: its template loads django.contrib.humanize."""
    client.force_login(people.dsl)
    assert client.get(reverse("mfa_list_webauthn")).status_code == 200


@pytest.mark.parametrize("page", ["mfa_view_recovery_codes", "mfa_generate_recovery_codes",
                                  "mfa_download_recovery_codes", "mfa_add_webauthn", "mfa_index"])
def test_it_keeps_a_password_only_session_from_the_recovery_codes_of_someone_who_has_a_factor(client, people, page):
    """A session opened with the password alone (before the person set up their app) must not read or make recovery
    codes, or add a factor of its own, with the password again: it is asked for the second factor."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(people.dsl, pyotp.random_base32())
    login_password_only(client, people.dsl)
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_reauthenticate"))
    assert client.get(reverse("mfa_reauthenticate")).status_code == 200
