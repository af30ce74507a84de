"""The identity providers are reached over https only: plain http only to this machine (the tests' fake provider),
and never in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from onlinesafety.sso import oidc
from onlinesafety.sso.models import IdentityProvider
from tests.sso.helpers import TENANT


def microsoft():
    return IdentityProvider(kind=IdentityProvider.Kind.MICROSOFT, tenant_id=TENANT)


def test_it_uses_the_tenant_s_own_microsoft_authority_and_google_s_issuer():
    assert oidc.issuer_of(microsoft()) == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert oidc.issuer_of(IdentityProvider(kind=IdentityProvider.Kind.GOOGLE)) == "https://accounts.google.com"


def test_it_accepts_google_s_issuer_with_or_without_the_scheme():
    google = IdentityProvider(kind=IdentityProvider.Kind.GOOGLE)
    assert oidc.app_settings_for(google)["openid_configuration_overrides"]["issuer"] == [
        "https://accounts.google.com", "accounts.google.com"]


@pytest.mark.parametrize("authority", ["http://login.microsoftonline.com", "ftp://127.0.0.1", "https://",
                                       "http://10.0.0.8", "//login.microsoftonline.com"])
def test_it_refuses_anything_but_https_or_loopback(settings, authority):
    settings.SSO_MICROSOFT_AUTHORITY = authority
    with pytest.raises(ImproperlyConfigured):
        oidc.issuer_of(microsoft())


@pytest.mark.parametrize("authority", ["http://127.0.0.1:8080/ms", "http://localhost:9/ms", "http://[::1]:9/ms"])
def test_it_lets_the_tests_reach_a_provider_on_this_machine(settings, authority):
    settings.SSO_MICROSOFT_AUTHORITY = authority
    assert oidc.issuer_of(microsoft()).startswith(authority)


def test_it_refuses_plain_http_even_to_this_machine_in_production(settings):
    settings.SSO_MICROSOFT_AUTHORITY = "http://127.0.0.1:8080/ms"
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        oidc.issuer_of(microsoft())
