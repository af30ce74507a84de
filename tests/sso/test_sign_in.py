"""Signing in with Microsoft or Google against the fake provider: the right tenant signs in an existing member (and is
audited), everything else is refused with a page that says why, an audit event without the address, and no account
made or changed."""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.middleware import SESSION_KEY as CURRENT_SCHOOL
from onlinesafety.schools.models import Membership
from onlinesafety.schools.roles import Role
from onlinesafety.sso.constants import MFA_BY_IDENTITY_PROVIDER_SESSION_KEY
from tests.factories import MembershipFactory, administrator_of, member_of
from tests.sso.helpers import (
    DOMAIN,
    GOOGLE,
    OTHER_TENANT,
    back_from_provider,
    google_identity,
    microsoft_identity,
    query_of,
    sign_in_through,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def refusals():
    return list(AuditEvent.objects.filter(verb="auth.sso_refused").order_by("id"))


def assert_refused(response, client, reason, text):
    assert response.status_code == 403
    assert text in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert signed_in_user(client) is None
    [event] = refusals()
    assert event.detail["reason"] == reason
    assert event.actor is None
    assert "@" not in json.dumps(event.detail)  # ids only: never the address the provider gave
    return event


# ---------------------------------------------------------------- the right tenant


def test_it_signs_in_a_member_of_the_right_tenant_and_audits_it(client, fake_provider, microsoft, staff_dsl,
                                                                 oakfield):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, sub="entra-subject-1"))
    response = sign_in_through(client, fake_provider, microsoft)
    assert response.status_code == 302 and response.url == "/"
    assert signed_in_user(client) == str(staff_dsl.pk)
    [event] = AuditEvent.objects.filter(verb="auth.sso_login")
    assert (event.actor, event.school, event.object_type, event.object_id) == (
        staff_dsl, oakfield, "sso.identityprovider", str(microsoft.pk))
    assert event.detail == {"identity_provider": microsoft.pk, "kind": "microsoft", "mfa_by_identity_provider": False}
    assert AuditEvent.objects.filter(verb="auth.login", actor=staff_dsl).exists()
    [connected] = SocialAccount.objects.all()
    assert (connected.user, connected.provider, connected.uid) == (staff_dsl, microsoft.provider_id, "entra-subject-1")
    # A DSL still needs a second factor: this school has not recorded that its identity provider asks for one.
    assert client.get(reverse("home")).url.startswith(reverse("accounts:second_factor"))


def test_it_sends_the_provider_the_client_and_a_pkce_challenge_and_never_the_secret_in_the_address(
        client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": microsoft.provider_id}))
    asked = query_of(started.url)
    assert asked["client_id"] == microsoft.client_id
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"]
    assert asked["prompt"] == "select_account"
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["redirect_uri"].endswith(f"/accounts/oidc/{microsoft.provider_id}/login/callback/")
    assert microsoft.client_secret not in started.url
    assert back_from_provider(client, fake_provider, started).status_code == 302
    [exchange] = fake_provider.token_requests
    assert exchange["client_secret"] == microsoft.client_secret and exchange["code_verifier"]


def test_it_signs_in_the_next_time_by_the_connected_identity(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, sub="entra-subject-2"))
    sign_in_through(client, fake_provider, microsoft)
    client.logout()
    response = sign_in_through(client, fake_provider, microsoft)
    assert response.status_code == 302 and signed_in_user(client) == str(staff_dsl.pk)
    assert SocialAccount.objects.count() == 1
    assert AuditEvent.objects.filter(verb="sso.identity_connected").count() == 1
    assert AuditEvent.objects.filter(verb="auth.sso_login").count() == 2


def test_it_goes_on_to_the_page_asked_for(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    response = sign_in_through(client, fake_provider, microsoft, next_url="/pupils/")
    assert response.url == "/pupils/"


def test_it_never_goes_on_to_another_site(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    response = sign_in_through(client, fake_provider, microsoft, next_url="https://evil.example/")
    assert response.url == "/"


def test_it_makes_the_configuration_s_school_the_current_one(client, fake_provider, microsoft, staff_dsl, riverside,
                                                            oakfield):
    MembershipFactory(user=staff_dsl, school=riverside, role=Role.GOVERNOR)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, microsoft)
    assert client.session[CURRENT_SCHOOL] == oakfield.pk


def test_it_signs_in_with_google_workspace(client, fake_provider, configure, oakfield, staff_dsl):
    google = configure(oakfield, GOOGLE)
    fake_provider.sign_in_as(**google_identity(staff_dsl.email))
    response = sign_in_through(client, fake_provider, google)
    assert response.status_code == 302 and signed_in_user(client) == str(staff_dsl.pk)


def test_it_takes_the_address_as_verified_when_microsoft_says_its_domain_owner_is(client, fake_provider, microsoft,
                                                                                 staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, preferred_username="d.s.l@oakfield.onmicrosoft.com",
                                                  xms_edov=True))
    assert sign_in_through(client, fake_provider, microsoft).status_code == 302
    assert signed_in_user(client) == str(staff_dsl.pk)


def test_it_signs_in_a_member_of_any_school_of_the_trust_through_the_trust_s_configuration(
        client, fake_provider, configure, trust, trust_admin, oakfield, staff_dsl):
    trusts = configure(trust, actor=trust_admin)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    assert sign_in_through(client, fake_provider, trusts).status_code == 302
    assert signed_in_user(client) == str(staff_dsl.pk)
    [event] = AuditEvent.objects.filter(verb="auth.sso_login")
    assert event.school is None and event.detail["organisation"] == trust.pk


def test_it_signs_in_the_trust_s_administrator_through_the_trust_s_configuration(
        client, fake_provider, configure, trust, oakfield):
    administrator = administrator_of(trust, f"it@{DOMAIN}")  # no role in any school
    trusts = configure(trust, actor=administrator)
    fake_provider.sign_in_as(**microsoft_identity(administrator.email))
    assert sign_in_through(client, fake_provider, trusts).status_code == 302


# ---------------------------------------------------------------- the second factor


def test_it_notes_in_the_session_that_the_identity_provider_asked_for_the_second_factor(
        client, fake_provider, configure, oakfield, staff_dsl):
    enforcing = configure(oakfield, enforces_mfa=True)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, enforcing)
    noted = client.session[MFA_BY_IDENTITY_PROVIDER_SESSION_KEY]
    assert isinstance(noted, float)
    [event] = AuditEvent.objects.filter(verb="auth.sso_login")
    assert event.detail["mfa_by_identity_provider"] is True
    # ... so the DSL, with no second factor of their own here, reaches the cases: the provider asked for one.
    assert client.get(reverse("incidents:triage")).status_code == 200


def test_it_asks_a_dsl_signed_in_through_a_provider_that_does_not_enforce_it_for_a_second_factor(
        client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, microsoft)
    response = client.get(reverse("incidents:triage"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:second_factor"))


def test_it_notes_nothing_when_the_identity_provider_does_not_enforce_it(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, microsoft)
    assert signed_in_user(client) == str(staff_dsl.pk)
    assert MFA_BY_IDENTITY_PROVIDER_SESSION_KEY not in client.session


def test_it_forgets_the_note_when_the_same_person_signs_in_again_with_a_password(
        client, fake_provider, configure, oakfield, staff_dsl):
    enforcing = configure(oakfield, enforces_mfa=True)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, enforcing)
    assert MFA_BY_IDENTITY_PROVIDER_SESSION_KEY in client.session
    client.force_login(staff_dsl)  # Django keeps the session's data when the same person signs in again
    assert MFA_BY_IDENTITY_PROVIDER_SESSION_KEY not in client.session


# ---------------------------------------------------------------- refused


def test_it_refuses_an_account_of_another_tenant(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, tenant=OTHER_TENANT))
    response = sign_in_through(client, fake_provider, microsoft)
    assert_refused(response, client, "wrong_tenant", "is not one of")
    assert not SocialAccount.objects.exists()


def test_it_refuses_a_guest_of_the_tenant_from_another_directory(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(
        staff_dsl.email, idp=f"https://sts.windows.net/{OTHER_TENANT}/"))
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "guest_account", "a guest")


def test_it_refuses_an_unknown_address_and_makes_no_account(client, fake_provider, microsoft, staff_dsl):
    before = User.objects.count()
    fake_provider.sign_in_as(**microsoft_identity(f"stranger@{DOMAIN}"))
    response = sign_in_through(client, fake_provider, microsoft)
    event = assert_refused(response, client, "unknown_email", "nobody here has that email address")
    assert f"stranger@{DOMAIN}" in response.content.decode()  # shown to the person it belongs to, not recorded
    assert "user" not in event.detail
    assert User.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_it_refuses_a_person_with_no_role_at_the_school(client, fake_provider, microsoft, riverside):
    elsewhere = member_of(riverside, Role.DSL, email=f"visiting@{DOMAIN}")
    fake_provider.sign_in_as(**microsoft_identity(elsewhere.email))
    event = assert_refused(sign_in_through(client, fake_provider, microsoft), client, "no_role", "no current role")
    assert event.detail["user"] == elsewhere.pk
    assert not SocialAccount.objects.exists()


def test_it_refuses_a_person_who_left(client, fake_provider, microsoft, staff_dsl):
    Membership.objects.filter(user=staff_dsl).update(is_active=False)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "no_role", "no current role")


def test_it_refuses_a_switched_off_account(client, fake_provider, microsoft, staff_dsl):
    User.objects.filter(pk=staff_dsl.pk).update(is_active=False)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "switched_off", "switched off")


def test_it_refuses_a_person_who_left_even_with_an_identity_connected_before(client, fake_provider, microsoft,
                                                                            staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, sub="entra-subject-3"))
    sign_in_through(client, fake_provider, microsoft)
    client.logout()
    Membership.objects.filter(user=staff_dsl).update(is_active=False)
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "no_role", "no current role")


def test_it_refuses_an_address_microsoft_does_not_vouch_for(client, fake_provider, microsoft, staff_dsl):
    """An Entra administrator can type any address into ``email``: without ``xms_edov`` it must be the sign-in
    name (in one of the tenant's verified domains)."""
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, preferred_username="someone@other.example"))
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "unverified_email", "we can trust")


def test_it_refuses_a_token_without_an_address(client, fake_provider, microsoft):
    fake_provider.sign_in_as(tid=microsoft.tenant_id, preferred_username=f"dsl@{DOMAIN}")
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "no_email", "we can trust")


def test_it_refuses_an_address_outside_the_configuration_s_domains(client, fake_provider, microsoft):
    other = member_of(microsoft.school, Role.STAFF, email="teacher@personal.example")
    fake_provider.sign_in_as(**microsoft_identity(other.email))
    assert_refused(sign_in_through(client, fake_provider, microsoft), client, "wrong_domain", "is not one of")


def test_it_refuses_a_google_account_outside_the_workspace(client, fake_provider, configure, oakfield, staff_dsl):
    google = configure(oakfield, GOOGLE)
    identity = google_identity(staff_dsl.email)
    del identity["hd"]  # a personal Google account with the same address
    fake_provider.sign_in_as(**identity)
    assert_refused(sign_in_through(client, fake_provider, google), client, "wrong_tenant", "Google Workspace")


def test_it_refuses_a_google_address_that_is_not_verified(client, fake_provider, configure, oakfield, staff_dsl):
    google = configure(oakfield, GOOGLE)
    fake_provider.sign_in_as(**google_identity(staff_dsl.email, email_verified=False))
    assert_refused(sign_in_through(client, fake_provider, google), client, "unverified_email", "we can trust")


def test_it_refuses_an_identity_connected_to_someone_whose_address_has_changed(client, fake_provider, microsoft,
                                                                              staff_dsl, oakfield):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, sub="entra-subject-4"))
    sign_in_through(client, fake_provider, microsoft)
    client.logout()
    staff_dsl.email = f"former.dsl@{DOMAIN}"
    staff_dsl.save()
    newcomer = member_of(oakfield, Role.STAFF, email=f"dsl@{DOMAIN}")  # the address now belongs to someone else
    response = sign_in_through(client, fake_provider, microsoft)
    event = assert_refused(response, client, "other_account", "a different person")
    assert event.detail["user"] == newcomer.pk


def test_it_refuses_a_configuration_switched_off_while_signing_in(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": microsoft.provider_id}))
    type(microsoft).objects.filter(pk=microsoft.pk).update(enabled=False)
    response = back_from_provider(client, fake_provider, started)
    assert response.status_code == 404  # allauth has no app for it any more
    assert signed_in_user(client) is None


def test_it_refuses_to_connect_an_identity_to_whoever_is_signed_in(client, fake_provider, microsoft, staff_dsl,
                                                                  oakfield):
    someone = member_of(oakfield, Role.STAFF, email=f"someone@{DOMAIN}")
    client.force_login(someone)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": microsoft.provider_id}),
                          {"process": "connect"})
    response = back_from_provider(client, fake_provider, started)
    assert response.status_code == 403
    assert refusals()[0].detail["reason"] == "not_sign_in"
    assert not SocialAccount.objects.exists()


def test_it_answers_404_for_an_unknown_configuration(client, fake_provider):
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "school-999-microsoft"}))
    assert response.status_code == 404


# ---------------------------------------------------------------- the exchange fails


def test_it_shows_a_clear_page_when_the_person_cancels_at_the_provider(client, fake_provider, microsoft):
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": microsoft.provider_id}))
    state = query_of(started.url)["state"]
    response = client.get(reverse("openid_connect_callback", kwargs={"provider_id": microsoft.provider_id}),
                          {"error": "access_denied", "state": state})
    assert response.status_code == 200
    assert "Signing in was cancelled" in response.content.decode()
    [event] = AuditEvent.objects.filter(verb="auth.sso_failed")
    assert event.detail["error"] == "cancelled"


def test_it_refuses_a_callback_it_did_not_start(client, fake_provider, microsoft):
    response = client.get(reverse("openid_connect_callback", kwargs={"provider_id": microsoft.provider_id}),
                          {"code": "made-up", "state": "made-up"})
    assert response.status_code == 400
    assert "Signing in did not work" in response.content.decode()
    assert signed_in_user(client) is None
    assert AuditEvent.objects.filter(verb="auth.sso_failed").count() == 1


def test_it_shows_a_clear_page_when_the_provider_refuses_the_code(client, fake_provider, microsoft, staff_dsl):
    fake_provider.register_client(microsoft.client_id, "a-secret-the-school-no-longer-has")
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    response = sign_in_through(client, fake_provider, microsoft)
    assert response.status_code == 400
    assert signed_in_user(client) is None
    [event] = AuditEvent.objects.filter(verb="auth.sso_failed")
    assert event.detail["exception"] == "OAuth2Error"
    assert microsoft.client_secret not in json.dumps(event.detail)


def test_it_refuses_a_token_from_another_issuer(client, fake_provider, microsoft, staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email, iss="https://login.example/other/"))
    response = sign_in_through(client, fake_provider, microsoft)
    assert response.status_code == 400
    assert signed_in_user(client) is None
