"""Where signing in with Microsoft or Google starts: the sign-in page's button, the work-address page (which finds the
configuration by the address's domain and goes straight to its provider) and a school's own page of buttons."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.roles import Role
from onlinesafety.sso.constants import MFA_BY_IDENTITY_PROVIDER_SESSION_KEY
from tests.factories import member_of
from tests.sso.helpers import GOOGLE, back_from_provider, google_identity, microsoft_identity, query_of

pytestmark = pytest.mark.django_db


def test_it_offers_microsoft_or_google_on_the_sign_in_page(client):
    page = client.get(resolve_url(settings.LOGIN_URL) + "?next=/pupils/").content.decode()
    assert f'href="{reverse("sso:sign_in")}?next=/pupils/"' in page
    assert "Sign in with Microsoft or Google" in page


def test_it_sends_a_work_address_straight_to_its_school_s_provider_and_signs_in(client, fake_provider, microsoft,
                                                                               staff_dsl):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    started = client.post(reverse("sso:sign_in"), {"email": "  DSL@Oakfield.sch.uk ", "next": "/pupils/"})
    assert started.url.startswith(fake_provider.microsoft_issuer(microsoft.tenant_id) + "/authorize?")
    assert query_of(started.url)["login_hint"] == staff_dsl.email
    response = back_from_provider(client, fake_provider, started)
    assert response.url == "/pupils/"
    assert client.session["_auth_user_id"] == str(staff_dsl.pk)


def test_it_says_when_an_address_s_domain_has_no_sign_in(client, fake_provider, microsoft):
    response = client.post(reverse("sso:sign_in"), {"email": "someone@elsewhere.example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_email"' in page
    assert "not set up for this address" in page


def test_it_asks_again_for_something_that_is_not_an_address(client):
    response = client.post(reverse("sso:sign_in"), {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter an email address like" in response.content.decode()


def test_it_does_not_offer_a_configuration_that_is_switched_off(client, fake_provider, configure, oakfield):
    configure(oakfield, enabled=False)
    response = client.post(reverse("sso:sign_in"), {"email": "dsl@oakfield.sch.uk"})
    assert response.status_code == 400
    assert client.get(reverse("sso:school_sign_in", args=[oakfield.slug])).status_code == 404


def test_it_shows_a_school_s_buttons_and_signs_in_with_one(client, fake_provider, configure, oakfield):
    configure(oakfield)
    google = configure(oakfield, GOOGLE, domains=["oakfield.org.uk"])  # a domain belongs to one configuration
    teacher = member_of(oakfield, Role.STAFF, email="teacher@oakfield.org.uk")
    url = reverse("sso:school_sign_in", args=[oakfield.slug])
    page = client.get(url).content.decode()
    assert "Sign in with Microsoft" in page and "Sign in with Google" in page
    assert "no-cache" in client.get(url)["Cache-Control"]
    fake_provider.sign_in_as(**google_identity(teacher.email, hd="oakfield.org.uk"))
    started = client.post(url, {"identity_provider": google.provider_id})
    assert started.url.startswith(fake_provider.google_issuer + "/authorize?")
    assert back_from_provider(client, fake_provider, started).status_code == 302
    assert client.session["_auth_user_id"] == str(teacher.pk)


def test_it_shows_the_trust_s_button_on_its_schools_pages(client, fake_provider, configure, trust, trust_admin,
                                                          oakfield):
    configure(trust, actor=trust_admin)
    page = client.get(reverse("sso:school_sign_in", args=[oakfield.slug])).content.decode()
    assert "Sign in with Microsoft" in page and trust.name in page


def test_it_starts_nothing_for_a_configuration_that_is_not_the_school_s(client, fake_provider, configure, oakfield,
                                                                        riverside, site_admin):
    configure(oakfield)
    theirs = configure(riverside, GOOGLE, actor=site_admin, domains=["riverside.sch.uk"])
    response = client.post(reverse("sso:school_sign_in", args=[oakfield.slug]),
                           {"identity_provider": theirs.provider_id})
    assert response.status_code == 200  # the page again, nowhere sent


def test_it_answers_404_for_a_school_without_sign_in_or_that_does_not_exist(client, oakfield):
    assert client.get(reverse("sso:school_sign_in", args=[oakfield.slug])).status_code == 404
    assert client.get(reverse("sso:school_sign_in", args=["no-such-school"])).status_code == 404


def test_it_says_when_the_provider_cannot_be_reached(client, fake_provider, microsoft, settings):
    settings.SSO_MICROSOFT_AUTHORITY = "http://127.0.0.1:1/ms"  # nothing listens on port 1
    response = client.post(reverse("sso:sign_in"), {"email": "dsl@oakfield.sch.uk"})
    assert response.status_code == 502
    assert "Microsoft could not be reached" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="auth.sso_login").exists()


def test_it_keeps_the_session_free_of_the_mfa_note_until_signed_in(client, fake_provider, configure, oakfield):
    configure(oakfield, enforces_mfa=True)
    client.post(reverse("sso:sign_in"), {"email": "dsl@oakfield.sch.uk"})
    assert MFA_BY_IDENTITY_PROVIDER_SESSION_KEY not in client.session


def test_it_shows_allauth_s_own_sign_in_address_in_the_site_s_style(client, fake_provider, microsoft):
    page = client.get(reverse("openid_connect_login", kwargs={"provider_id": microsoft.provider_id}))
    assert page.status_code == 200
    assert "Skip to main content" in page.content.decode()  # the site's base template
    assert "Continue" in page.content.decode()


def test_it_lets_only_the_sign_in_pages_forms_lead_to_the_identity_providers(client, fake_provider, microsoft):
    for url in (reverse("sso:sign_in"), reverse("sso:school_sign_in", args=[microsoft.school.slug])):
        policy = client.get(url)["Content-Security-Policy"]
        assert f"form-action 'self' {fake_provider.url}" in policy
    assert fake_provider.url not in client.get(resolve_url(settings.LOGIN_URL))["Content-Security-Policy"]
