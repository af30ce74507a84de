import re

import pytest
from django.core import mail
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_shows_the_login_page(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'for="id_login"' in response.content
    assert b"Email address" in response.content


def test_it_logs_in_with_email_in_any_case_and_audits_it(client, teacher):
    response = client.post(
        reverse("accounts:login"), {"login": "TEACHER@Test.Example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    event = AuditEvent.objects.get(verb="auth.login")
    assert event.actor == teacher
    assert event.ip_address == "127.0.0.1"


def test_it_rejects_a_wrong_password_with_a_clear_message(client, teacher):
    response = client.post(reverse("accounts:login"), {"login": teacher.email, "password": "nope"})
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert b'id="error-summary"' in response.content
    assert AuditEvent.objects.filter(verb="auth.login_failed", actor=None).count() == 1
    assert "_auth_user_id" not in client.session


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_logs_out_with_post(client, teacher):
    client.force_login(teacher)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.logout", actor=teacher).exists()


def test_it_resets_a_password_by_email(client, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": teacher.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get().sent_at is not None
    assert OutboundEmail.objects.get().body == ""  # cleared once sent
    from django.conf import settings

    assert "testserver" not in mail.outbox[0].body  # the link starts with SITE_URL, not the request's host
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/\S+/)",
                     mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    new_password = "a-brand-new-passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password(new_password)
    assert AuditEvent.objects.filter(verb="auth.password_reset", actor=teacher).exists()


def test_it_does_not_reveal_whether_an_address_has_an_account(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_shows_an_expired_page_for_a_bad_reset_link(client, teacher):
    response = client.get("/accounts/password/reset/key/1-not-a-token/", follow=True)
    assert response.status_code == 200
    assert b"This link has expired" in response.content


def test_it_hashes_passwords_with_argon2():
    from onlinesafety import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_stores_email_addresses_in_lower_case(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("Mixed.Case@Example.ORG", "x-long-password", full_name="M C")
    assert user.email == "mixed.case@example.org"


def test_it_changes_a_password_after_checking_the_old_one(client, teacher):
    client.force_login(teacher)
    url = reverse("accounts:password_change")
    wrong = client.post(url, {"oldpassword": "nope", "password1": "another-passphrase-9",
                              "password2": "another-passphrase-9"})
    assert wrong.status_code == 200
    teacher.refresh_from_db()
    assert teacher.check_password(TEST_PASSWORD)
    right = client.post(url, {"oldpassword": TEST_PASSWORD, "password1": "another-passphrase-9",
                              "password2": "another-passphrase-9"})
    assert right.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("another-passphrase-9")
    assert AuditEvent.objects.filter(verb="auth.password_changed", actor=teacher).exists()


def test_it_sends_no_reset_link_to_an_account_without_a_password(client, django_capture_on_commit_callbacks):
    """An account with no password yet (a new member waiting for their invitation, or a parent the roster import
    made for a contact with an email) is opened only by an invitation the school sends: "forgot your password"
    answers as for an address with no account, and sends nothing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    users = get_user_model().objects
    users.create_user("invited@example.org", None, full_name="Not Yet")
    users.create(email="imported@example.org", full_name="Imported Carer", password=make_password(None))
    users.create(email="blank@example.org", full_name="No Hash At All")  # a password of "": none either
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("invited@example.org", "IMPORTED@example.org", "blank@example.org", "nobody@example.org"):
            response = client.post(reverse("accounts:password_reset"), {"email": email})
            answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(302, reverse("account_reset_password_done"))}
    assert mail.outbox == [] and not OutboundEmail.objects.exists()


def test_it_still_sends_a_reset_link_to_a_switched_on_account_with_a_password(
        client, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": teacher.email.upper()})
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    teacher.is_active = False
    teacher.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": teacher.email})
    assert len(mail.outbox) == 1
