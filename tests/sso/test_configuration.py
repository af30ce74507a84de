"""A school's (or a trust's) sign-in with Microsoft or Google: who sets it up, the form's messages, the secret that is
never shown back nor audited, the second factor recorded with who and when, and removing it."""

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils.html import escape

from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed
from onlinesafety.schools.roles import Role
from onlinesafety.sso import services
from onlinesafety.sso.models import IdentityProvider, SignInDomain
from tests.factories import member_of
from tests.sso.helpers import DOMAIN, MICROSOFT_CLIENT, SECRET, TENANT, microsoft_identity, sign_in_through

pytestmark = pytest.mark.django_db


def form_data(**changes):
    return {"client_id": MICROSOFT_CLIENT, "client_secret": SECRET, "tenant_id": TENANT, "domains": DOMAIN,
            "enabled": "on"} | changes


def edit_url(school, kind="microsoft"):
    return reverse("sso:school_edit", args=[school.slug, kind])


# ---------------------------------------------------------------- who


@pytest.mark.parametrize("who, status", [("head", 200), ("site_admin", 200), ("trust_admin", 200),
                                         ("staff_dsl", 404), ("other_trust_admin", 404)])
def test_it_lets_only_those_who_set_the_school_up_configure_it(client, request, oakfield, trust, other_trust, who,
                                                               status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("sso:school", args=[oakfield.slug])).status_code == status
    assert client.get(edit_url(oakfield)).status_code == status
    response = client.post(edit_url(oakfield), form_data())
    assert response.status_code == (302 if status == 200 else 404)
    assert IdentityProvider.objects.exists() == (status == 200)


@pytest.mark.parametrize("who, status", [("trust_admin", 200), ("site_admin", 200), ("head", 404),
                                         ("other_trust_admin", 404)])
def test_it_lets_only_the_trust_s_administrator_configure_the_trust(client, request, trust, other_trust, head, who,
                                                                     status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("sso:organisation_edit", args=[trust.slug, "microsoft"])
    assert client.get(reverse("sso:organisation", args=[trust.slug])).status_code == status
    response = client.post(url, form_data())
    assert response.status_code == (302 if status == 200 else 404)
    if status == 200:
        [saved] = IdentityProvider.objects.all()
        assert (saved.organisation, saved.school) == (trust, None)


def test_it_sends_someone_signed_out_to_sign_in(client, oakfield):
    response = client.get(reverse("sso:school", args=[oakfield.slug]))
    assert response.status_code == 302 and "login" in response.url


def test_it_checks_the_right_again_in_the_service(oakfield, staff_dsl):
    with pytest.raises(NotAllowed):
        services.save_identity_provider(actor=staff_dsl, owner=oakfield, kind=IdentityProvider.Kind.MICROSOFT,
                                        client_id=MICROSOFT_CLIENT, client_secret=SECRET, tenant_id=TENANT,
                                        domains=[DOMAIN], enforces_mfa=False, enabled=True)
    assert not IdentityProvider.objects.exists()


def test_it_answers_404_for_a_kind_it_does_not_know(client, head, oakfield):
    client.force_login(head)
    assert client.get(edit_url(oakfield, "okta")).status_code == 404


# ---------------------------------------------------------------- saving


def test_it_saves_a_configuration_and_audits_it_without_the_secret(client, head, oakfield):
    client.force_login(head)
    response = client.post(edit_url(oakfield), form_data(domains="Oakfield.sch.uk\noakfield-primary.co.uk, "))
    assert response.status_code == 302 and response.url == reverse("sso:school", args=[oakfield.slug])
    saved = IdentityProvider.objects.get()
    assert (saved.school, saved.kind, saved.client_id, saved.client_secret, saved.tenant_id, saved.enabled) == (
        oakfield, "microsoft", MICROSOFT_CLIENT, SECRET, TENANT, True)
    assert sorted(SignInDomain.objects.values_list("domain", flat=True)) == ["oakfield-primary.co.uk", DOMAIN]
    [event] = AuditEvent.objects.filter(verb="sso.added")
    assert (event.actor, event.school) == (head, oakfield)
    assert SECRET not in json.dumps(event.detail) and SECRET[-4:] not in json.dumps(event.detail)


def test_it_never_shows_the_secret_back(client, head, oakfield, configure):
    configure(oakfield)
    client.force_login(head)
    for url in (reverse("sso:school", args=[oakfield.slug]), edit_url(oakfield)):
        page = client.get(url).content.decode()
        assert SECRET not in page
        assert "ending …" + SECRET[-4:] in page


def test_it_keeps_the_secret_when_the_field_is_left_empty(client, head, oakfield, configure):
    configure(oakfield)
    client.force_login(head)
    assert client.post(edit_url(oakfield), form_data(client_secret="", domains="oakfield.org.uk")).status_code == 302
    saved = IdentityProvider.objects.get()
    assert saved.client_secret == SECRET
    [event] = AuditEvent.objects.filter(verb="sso.changed")
    assert event.detail["fields"] == ["domains"]


def test_it_records_a_new_secret_by_name_only(client, head, oakfield, configure):
    configure(oakfield)
    client.force_login(head)
    client.post(edit_url(oakfield), form_data(client_secret="a-brand-new-secret-value-42"))
    [event] = AuditEvent.objects.filter(verb="sso.changed")
    assert event.detail["fields"] == ["client_secret"]
    assert "brand-new" not in json.dumps(event.detail)


def test_it_records_nothing_when_nothing_changed(client, head, oakfield, configure):
    configure(oakfield)
    client.force_login(head)
    client.post(edit_url(oakfield), form_data(client_secret=""))
    assert not AuditEvent.objects.filter(verb="sso.changed").exists()


def test_it_records_who_said_the_provider_enforces_a_second_factor_and_when(client, head, oakfield, configure):
    configure(oakfield)
    client.force_login(head)
    client.post(edit_url(oakfield), form_data(client_secret="", enforces_mfa="on"))
    saved = IdentityProvider.objects.get()
    assert saved.enforces_mfa and saved.enforces_mfa_recorded_by == head and saved.enforces_mfa_recorded_at
    page = client.get(reverse("sso:school", args=[oakfield.slug])).content.decode()
    assert f"recorded by {escape(head.full_name)}" in page
    client.post(edit_url(oakfield), form_data(client_secret=""))
    saved.refresh_from_db()
    assert (saved.enforces_mfa, saved.enforces_mfa_recorded_by, saved.enforces_mfa_recorded_at) == (False, None, None)
    assert [e.detail["fields"] for e in AuditEvent.objects.filter(verb="sso.changed").order_by("id")] == [
        ["enforces_mfa"], ["enforces_mfa"]]


def test_it_shows_the_redirect_uri_to_register_before_anything_is_saved(client, head, oakfield, settings):
    client.force_login(head)
    page = client.get(edit_url(oakfield)).content.decode()
    assert f"{settings.SITE_URL}/accounts/oidc/school-{oakfield.pk}-microsoft/login/callback/" in page


@pytest.mark.parametrize("changes, field, message", [
    ({"client_id": ""}, "client_id", "Enter the application (client) ID Microsoft gave the app."),
    ({"client_id": "my-app"}, "client_id", "as Microsoft shows it"),
    ({"client_secret": ""}, "client_secret", "Enter the client secret."),
    ({"client_secret": "short"}, "client_secret", "at least 12 characters"),
    ({"tenant_id": ""}, "tenant_id", "Enter the directory (tenant) ID."),
    ({"tenant_id": "common"}, "tenant_id", "not &#x27;common&#x27;"),
    ({"tenant_id": "oakfield.onmicrosoft.com"}, "tenant_id", "as Microsoft shows it"),
    ({"domains": ""}, "domains", "Enter the email domain"),
    ({"domains": "head@oakfield.sch.uk"}, "domains", "without the part before the @"),
    ({"domains": "not a domain!"}, "domains", "is not a domain"),
])
def test_it_shows_each_mistake_next_to_its_field(client, head, oakfield, changes, field, message):
    client.force_login(head)
    response = client.post(edit_url(oakfield), form_data(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and f'href="#id_{field}"' in page
    assert message in page
    assert SECRET not in page  # a refused form does not show the secret typed either
    assert not IdentityProvider.objects.exists()


def test_it_checks_a_google_client_id(client, head, oakfield):
    client.force_login(head)
    response = client.post(edit_url(oakfield, "google"), {"client_id": MICROSOFT_CLIENT, "client_secret": SECRET,
                                                          "domains": DOMAIN})
    assert response.status_code == 400
    assert "ending .apps.googleusercontent.com" in response.content.decode()


def test_it_refuses_a_domain_another_school_signs_in_with(client, head, oakfield, riverside, configure, site_admin):
    configure(riverside, actor=site_admin)
    client.force_login(head)
    response = client.post(edit_url(oakfield), form_data())
    assert response.status_code == 400
    assert 'href="#id_domains"' in response.content.decode()
    assert "already used to sign in to another school or trust" in response.content.decode()
    assert riverside.name not in response.content.decode()
    assert IdentityProvider.objects.count() == 1


def test_it_switches_a_configuration_off_and_on(client, head, oakfield, configure, fake_provider, staff_dsl):
    idp = configure(oakfield)
    client.force_login(head)
    client.post(edit_url(oakfield), form_data(client_secret="", enabled=""))
    client.logout()
    assert client.post(reverse("openid_connect_login", kwargs={"provider_id": idp.provider_id})).status_code == 404
    client.force_login(head)
    client.post(edit_url(oakfield), form_data(client_secret=""))
    client.logout()
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    assert sign_in_through(client, fake_provider, idp).status_code == 302


# ---------------------------------------------------------------- removing


def test_it_removes_a_configuration_with_the_identities_connected_through_it(client, head, oakfield, configure,
                                                                             fake_provider, staff_dsl):
    idp = configure(oakfield)
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    sign_in_through(client, fake_provider, idp)
    assert SocialAccount.objects.count() == 1
    client.force_login(head)
    url = reverse("sso:school_remove", args=[oakfield.slug, "microsoft"])
    assert "Remove sign in with Microsoft Entra ID?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not IdentityProvider.objects.exists() and not SignInDomain.objects.exists()
    assert not SocialAccount.objects.exists()
    [event] = AuditEvent.objects.filter(verb="sso.removed")
    assert (event.actor, event.object_id, event.detail["connected_identities"]) == (head, str(idp.pk), 1)


def test_it_answers_404_for_removing_what_is_not_set_up(client, head, oakfield):
    client.force_login(head)
    assert client.post(reverse("sso:school_remove", args=[oakfield.slug, "google"])).status_code == 404


def test_it_lets_no_one_else_remove_it(client, oakfield, configure, riverside):
    configure(oakfield)
    client.force_login(member_of(riverside, Role.HEADTEACHER, email="head@riverside.example"))
    assert client.post(reverse("sso:school_remove", args=[oakfield.slug, "microsoft"])).status_code == 404
    assert IdentityProvider.objects.exists()


# ---------------------------------------------------------------- links to it


def test_it_is_linked_from_the_school_s_and_the_trust_s_set_up_pages(client, trust_admin, trust, oakfield):
    client.force_login(trust_admin)
    school_page = client.get(reverse("setup:school", args=[oakfield.slug])).content.decode()
    assert reverse("sso:school", args=[oakfield.slug]) in school_page
    trust_page = client.get(reverse("setup:organisation", args=[trust.slug])).content.decode()
    assert reverse("sso:organisation", args=[trust.slug]) in trust_page
