"""Invitations: a one-time link to set a password, emailed to a new member. Stored as a SHA-256 only; expiring
(INVITATION_DAYS); single use; a re-send spends the old links; unknown and tampered tokens are 404 pages, expired
ones 410 with what to do, spent ones a sign-in link. No password is ever emailed, and no name or token reaches an
email body, a log line or the audit trail beyond what must be there."""

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import Invitation
from onlinesafety.accounts.services import InvitationSpent, accept_invitation, send_invitation
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import Membership
from onlinesafety.schools.people import services
from onlinesafety.schools.roles import Role
from tests.factories import ParentLinkFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/([A-Za-z0-9_-]+)/)")
NEW_PASSWORD = "wobbly-lantern-pasture"


@pytest.fixture
def invite(oakfield, people, django_capture_on_commit_callbacks):
    """Add a new member of staff through the service and return (user, token, the delivered email)."""

    def invite(email="ann@t.example", full_name="Ann Example", role=Role.STAFF):
        with django_capture_on_commit_callbacks(execute=True):
            services.add_member(school=oakfield, actor=people.head, full_name=full_name, email=email, role=role)
        return (User.objects.get(email=email), *latest_link(email))

    return invite


def latest_link(email):
    message = [m for m in mail.outbox if m.to == [email]][-1]
    return LINK.search(message.body).group(2), message


SET_PASSWORD = "/accounts/invitation/set-password/"


def url_of(token):
    return reverse("accounts:invitation", args=[token])


def open_link(client, token):
    """Open the emailed link as a browser does: it answers with a redirect to the token-less page, which answers."""
    return client.get(url_of(token), follow=True)


def set_password(client, token, first=NEW_PASSWORD, second=None):
    """Open the link, then send the form of the page it leads to."""
    client.get(url_of(token))
    return client.post(SET_PASSWORD, {"new_password1": first, "new_password2": second or first})


def test_it_emails_a_link_and_nothing_personal(invite, oakfield, people):
    user, token, message = invite(full_name="Annabel Quarrington")
    assert message.subject == f"Set your password for Online Safety at {oakfield.name}"
    assert oakfield.name in message.body and url_of(token) in message.body
    for personal in ("Annabel", "Quarrington", people.head.full_name, people.head.email):
        assert personal not in message.body and personal not in message.subject
    assert "does not contain a password" in message.body
    assert not re.search(r"password\s*[:=]", message.body, re.IGNORECASE)
    # Delivered: the outbox row keeps no body (the link with it).
    assert OutboundEmail.objects.get(to=user.email).body == ""


def test_it_stores_only_the_sha256_of_the_token(invite):
    user, token, _ = invite()
    invitation = Invitation.objects.get(user=user)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in Invitation.objects.values().get())
    assert token not in stored
    for event in AuditEvent.objects.all():
        assert token not in str(event.detail) and invitation.token_hash not in str(event.detail)


def test_it_gives_a_new_account_no_usable_password_until_it_is_set(client, invite):
    user, token, _ = invite()
    assert not user.has_usable_password()
    assert not client.login(username=user.email, password="")
    response = client.post(reverse("accounts:login"), {"login": user.email, "password": "anything-at-all"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_it_sets_the_password_signs_the_person_in_and_lands_on_their_home_page(client, invite, oakfield):
    user, token, _ = invite()
    page = open_link(client, token)
    assert page.status_code == 200
    assert "Set your password" in page.content.decode() and oakfield.name in page.content.decode()
    response = set_password(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "home/staff.html" in [t.name for t in home.templates]
    invitation = Invitation.objects.get(user=user)
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(verb="invitation.accepted")
    assert event.actor == user and event.school == oakfield and event.object_id == str(invitation.pk)


def test_it_works_once(client, invite):
    user, token, _ = invite()
    set_password(client, token)
    other = Client()
    again = open_link(other, token)
    assert again.status_code == 410
    page = again.content.decode()
    assert "already been used" in page and reverse("accounts:login") in page
    assert set_password(other, token, "a-different-long-password").status_code == 410
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(verb="invitation.accepted").count() == 1


def test_it_sets_the_password_once_when_the_form_is_sent_twice(client, invite):
    user, token, _ = invite()
    first = set_password(client, token)
    second = set_password(Client(), token, "some-other-passphrase")
    assert (first.status_code, second.status_code) == (302, 410)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_it_offers_the_invitee_their_home_page_when_they_open_the_spent_link_signed_in(client, invite):
    _, token, _ = invite()
    set_password(client, token)
    page = open_link(client, token).content.decode()
    assert "Go to your home page" in page


def test_it_expires_after_the_invitation_days_setting(client, invite, settings, oakfield, people):
    settings.INVITATION_DAYS = 3
    user, token, message = invite()
    invitation = Invitation.objects.get(user=user)
    assert abs(invitation.expires_at - (invitation.created_at + timedelta(days=3))) < timedelta(seconds=1)
    expires = timezone.localtime(invitation.expires_at)
    assert f"until {expires.day} {expires:%B %Y}" in message.body
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=4),
                                                       expires_at=timezone.now() - timedelta(seconds=1))
    response = open_link(client, token)
    assert response.status_code == 410
    page = response.content.decode()
    assert "has expired" in page and f"ask {oakfield.name} for a new invitation" in page
    assert set_password(client, token).status_code == 410
    user.refresh_from_db()
    assert not user.has_usable_password()
    event = AuditEvent.objects.filter(verb="invitation.expired_attempt").first()
    assert event is not None and event.object_id == str(invitation.pk) and token not in str(event.detail)


def test_it_answers_404_for_an_unknown_or_tampered_token(client, invite):
    _, token, _ = invite()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, "not-a-token", "x" * 500):
        response = open_link(client, bad)
        assert response.status_code == 404 and "This link does not work" in response.content.decode()
        assert set_password(client, bad).status_code == 404
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()


def test_it_checks_the_password_with_djangos_validators_in_the_gov_uk_pattern(client, invite):
    user, token, _ = invite(email="lantern@t.example")
    for first, second, anchor, message in (
            ("short", "short", "#id_new_password1", "This password is too short"),
            ("password123", "password123", "#id_new_password1", "This password is too common"),
            ("12345678901234", "12345678901234", "#id_new_password1", "This password is entirely numeric"),
            (NEW_PASSWORD, NEW_PASSWORD + "x", "#id_new_password2", "The two passwords do not match"),
            ("", "", "#id_new_password1", "Choose a password")):
        response = set_password(client, token, first, second)
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page and f'href="{anchor}">{message}' in page, message
    user.refresh_from_db()
    assert not user.has_usable_password() and not Invitation.objects.get(user=user).accepted_at
    assert set_password(client, token).status_code == 302


def test_it_resends_a_fresh_link_and_spends_the_old_ones(
        client, invite, oakfield, people, django_capture_on_commit_callbacks):
    user, old_token, _ = invite()
    member = Membership.objects.get(user=user, school=oakfield)
    seen = Invitation.objects.get(user=user).pk
    client.force_login(people.head)
    url = reverse("people:resend", args=[oakfield.slug, member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"seen": seen}).status_code == 302
        client.post(url, {"seen": seen})  # sent twice: one new link only
    assert len([m for m in mail.outbox if m.to == [user.email]]) == 2
    new_token, _ = latest_link(user.email)
    assert new_token != old_token
    assert Invitation.objects.filter(user=user, withdrawn_at__isnull=False).count() == 1
    visitor = Client()
    assert open_link(visitor, old_token).status_code == 410
    assert open_link(visitor, new_token).status_code == 200
    assert AuditEvent.objects.filter(verb="invitation.sent").count() == 2


def test_it_resends_an_expired_invitation(client, invite, oakfield, people):
    user, _, _ = invite()
    invitation = Invitation.objects.get(user=user)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=9),
                                                       expires_at=timezone.now() - timedelta(days=2))
    client.force_login(people.head)
    assert "Invitation expired" in client.get(reverse("people:list", args=[oakfield.slug])).content.decode()
    member = Membership.objects.get(user=user, school=oakfield)
    client.post(reverse("people:resend", args=[oakfield.slug, member.pk]), {"seen": invitation.pk})
    assert Invitation.objects.filter(user=user, accepted_at=None, withdrawn_at=None,
                                     expires_at__gt=timezone.now()).count() == 1


def test_it_does_not_invite_someone_who_can_already_sign_in(oakfield, people):
    with pytest.raises(RuleBroken, match="already set a password"):
        send_invitation(user=people.reporter, school=oakfield, actor=people.head, kind=Invitation.Kind.STAFF)
    member = Membership.objects.get(user=people.reporter, school=oakfield)
    with pytest.raises(RuleBroken, match="already set a password"):
        services.resend_invitation(membership=member, actor=people.head, seen_invitation=None)
    assert not Invitation.objects.exists()


def test_it_does_not_send_a_second_link_for_a_second_role(invite, oakfield, people):
    user, token, _ = invite()
    services.add_member(school=oakfield, actor=people.head, full_name="Ann Example", email=user.email,
                        role=Role.DEPUTY_DSL)
    assert Invitation.objects.filter(user=user).count() == 1
    assert open_link(Client(), token).status_code == 200


def test_it_withdraws_the_link_of_someone_who_leaves(client, invite, oakfield, people):
    user, token, _ = invite()
    services.end_membership(membership=Membership.objects.get(user=user, school=oakfield), actor=people.head)
    assert open_link(client, token).status_code == 410
    assert Invitation.objects.get(user=user).withdrawn_at is not None
    assert "invitation.withdrawn" in AuditEvent.objects.values_list("verb", flat=True)


def test_it_keeps_tokens_and_names_out_of_every_log_line_and_email(
        client, caplog, oakfield, people, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    pupil = PupilFactory(school=oakfield, first_name="Zebedee", last_name="Quartermaine")
    ParentLinkFactory(parent=people.parent, pupil=pupil)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_member(school=oakfield, actor=people.head, full_name="Ottoline Pemberton-Vance",
                            email="ottoline@t.example", role=Role.STAFF)
    token, message = latest_link("ottoline@t.example")
    visitor = Client()
    open_link(visitor, token[:-2] + "zz")  # unknown: 404
    set_password(visitor, token, "short")  # refused: 400
    member = Membership.objects.get(user__email="ottoline@t.example")
    head = Client()
    head.force_login(people.head)
    with django_capture_on_commit_callbacks(execute=True):
        head.post(reverse("people:resend", args=[oakfield.slug, member.pk]),
                  {"seen": Invitation.objects.get(accepted_at=None, withdrawn_at=None).pk})
    open_link(visitor, token)  # replaced: 410
    new_token, second = latest_link("ottoline@t.example")
    Invitation.objects.filter(withdrawn_at=None).update(created_at=timezone.now() - timedelta(days=8),
                                                        expires_at=timezone.now() - timedelta(days=1))
    open_link(visitor, new_token)  # expired: 410
    Invitation.objects.filter(withdrawn_at=None).update(expires_at=timezone.now() + timedelta(days=1))
    set_password(visitor, new_token)
    assert caplog.records, "the flow logs something (sent emails, at least)"
    secrets_ = (token, new_token, "Ottoline", "Pemberton", "Zebedee", "Quartermaine", people.head.full_name,
                people.parent.full_name)
    for record in caplog.records:
        line = record.getMessage()
        assert not any(secret in line for secret in secrets_), line
    for email in (message, second):
        assert not any(name in email.body for name in secrets_[2:]), email.body
    for event in AuditEvent.objects.all():
        assert not any(secret in str(event.detail) for secret in secrets_)


# ---------------------------------------------------------------- a password set another way spends every link

def test_it_never_lets_an_old_link_replace_a_password_set_another_way(client, invite):
    user, token, _ = invite()
    user.set_password("my-own-chosen-password-1")  # as the admin's form and `manage.py changepassword` do
    user.save()
    response = open_link(client, token)
    assert response.status_code == 410 and "already been used" in response.content.decode()
    assert set_password(client, token, "attacker-chosen-pass-9").status_code == 410
    user.refresh_from_db()
    assert user.check_password("my-own-chosen-password-1")
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_link_of_an_account_with_a_password_even_if_the_invitation_is_still_unspent(client, invite):
    """Whatever the invitation's row says (a password written before the withdrawal existed, or straight into the
    database), an account with a password accepts no invitation: the page and the service both refuse."""
    user, token, _ = invite()
    User.objects.filter(pk=user.pk).update(password=make_password("my-own-chosen-password-1"))
    invitation = Invitation.objects.get(user=user)
    assert not invitation.is_spent
    assert open_link(client, token).status_code == 410
    with pytest.raises(InvitationSpent):
        accept_invitation(invitation=invitation, password="attacker-chosen-pass-9")
    user.refresh_from_db()
    assert user.check_password("my-own-chosen-password-1")


def admin_sets_the_password(user):
    admin = Client()
    admin.force_login(UserFactory(email="superuser@site.example", is_staff=True, is_superuser=True))
    response = admin.post(reverse("admin:auth_user_password_change", args=[user.pk]),
                          {"password1": "set-by-the-admin-9", "password2": "set-by-the-admin-9"})
    assert response.status_code == 302, response.content.decode()


def reset_from_a_link(user):
    visitor = Client()
    link = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
    form_page = visitor.get(link, follow=True)
    response = visitor.post(form_page.redirect_chain[-1][0],
                            {"password1": "set-from-a-reset-9", "password2": "set-from-a-reset-9"})
    assert response.status_code == 302


def change_on_the_password_page(user):
    User.objects.filter(pk=user.pk).update(password=make_password("the-old-password-9"))  # the signal not sent
    user.refresh_from_db()
    person = Client()
    person.force_login(user)
    response = person.post(reverse("accounts:password_change"), {
        "oldpassword": "the-old-password-9", "password1": "set-on-the-page-9", "password2": "set-on-the-page-9"})
    assert response.status_code == 302 and response["Location"] == reverse("account_change_password")


def by_a_command(user):
    user.set_password("set-by-a-command-9")  # what `manage.py changepassword` does
    user.save()


@pytest.mark.parametrize("way", [admin_sets_the_password, reset_from_a_link, change_on_the_password_page, by_a_command],
                         ids=lambda way: way.__name__)
def test_it_withdraws_the_unspent_invitation_however_the_password_is_set(invite, oakfield, way):
    user, token, _ = invite()
    way(user)
    invitation = Invitation.objects.get(user=user)
    assert invitation.withdrawn_at is not None and invitation.accepted_at is None
    event = AuditEvent.objects.get(verb="invitation.withdrawn")
    assert event.school == oakfield and event.object_id == str(invitation.pk)
    assert event.detail == {"count": 1, "user_id": user.pk, "reason": "password set"}
    assert open_link(Client(), token).status_code == 410


def test_it_withdraws_nothing_when_a_password_is_only_rehashed_at_sign_in(client, invite, settings):
    """Django re-hashes a password in a newer format at sign-in: that is not a new password."""
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user, token, _ = invite()
    User.objects.filter(pk=user.pk).update(password=make_password("an-older-hash-9", hasher="pbkdf2_sha256"))
    assert client.login(username=user.email, password="an-older-hash-9")
    user.refresh_from_db()
    assert not user.password.startswith("pbkdf2_sha256")
    assert not Invitation.objects.get(user=user).is_spent  # (and still refused: the account has a password)


# ---------------------------------------------------------------- the token leaves the address at once

def test_it_moves_the_token_out_of_every_address_after_the_first_request(client, invite, oakfield):
    """As Django's password reset confirm view: the emailed address answers only with a redirect to a token-less
    one, so the token is in one access log line at most, and never in a later address, Location, Referer or
    page. That first answer asks the browser to send no Referer at all; the token-less pages keep the site's
    same-origin policy (under "no-referrer" a browser posts the form with ``Origin: null``, which CSRF refuses)."""
    user, token, _ = invite()
    first = client.get(url_of(token))
    assert first.status_code == 302 and first["Location"] == SET_PASSWORD
    assert first["Referrer-Policy"] == "no-referrer"
    assert token not in str(dict(client.session))  # the session keeps the hash that is stored anyway

    responses = [client.get(SET_PASSWORD),
                 client.post(SET_PASSWORD, {"new_password1": "short", "new_password2": "short"})]
    assert [r.status_code for r in responses] == [200, 400]
    assert oakfield.name in responses[0].content.decode()
    responses.append(client.post(SET_PASSWORD, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}))
    assert responses[-1].status_code == 302 and responses[-1]["Location"] == reverse("home")
    for response in responses:
        assert response["Referrer-Policy"] == "same-origin"
        assert token not in response.content.decode() and token not in response.get("Location", "")
    assert token not in str(dict(client.session))


@pytest.mark.parametrize("problem", ["used", "expired", "unknown"])
def test_it_keeps_the_token_off_the_pages_of_a_link_that_does_not_work(client, invite, problem):
    user, token, _ = invite()
    if problem == "used":
        set_password(Client(), token)
    elif problem == "expired":
        Invitation.objects.filter(user=user).update(created_at=timezone.now() - timedelta(days=9),
                                                    expires_at=timezone.now() - timedelta(days=2))
    else:
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = open_link(client, token)
    assert response.status_code == {"used": 410, "expired": 410, "unknown": 404}[problem]
    assert [url for url, _ in response.redirect_chain] == [SET_PASSWORD]
    assert token not in response.content.decode()


def test_it_shows_the_link_does_not_work_when_the_page_is_opened_without_the_link(client, invite):
    invite()
    response = client.get(SET_PASSWORD)
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert client.post(SET_PASSWORD, {"new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD}).status_code == 404
    assert not Invitation.objects.filter(accepted_at__isnull=False).exists()
