"""Each configuration as an app of allauth's ``openid_connect`` provider: where its identity provider is, and how
allauth talks to it. Microsoft is the tenant's own v2.0 authority (so Microsoft only signs in that tenant's
accounts, and its ``issuer`` names the tenant); Google is ``accounts.google.com`` with the Workspace domain checked
on the ID token (``claims.py``)."""

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .models import IdentityProvider

PROVIDER = "openid_connect"
SCOPES = ["openid", "email", "profile"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_address(url: str) -> str:
    """``url`` if it is https; plain http only to this machine and never in production (the tests' fake provider).
    Anything else is a deployment mistake: nothing is sent there."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and _is_loopback(parts.hostname or "") and not settings.PRODUCTION:
        return url
    raise ImproperlyConfigured(f"{url!r}: an identity provider is only ever reached over https.")


def issuer_of(idp: IdentityProvider) -> str:
    """The issuer the ID tokens must name; allauth reads the provider's settings from its
    ``/.well-known/openid-configuration``."""
    if idp.kind == IdentityProvider.Kind.MICROSOFT:
        return checked_address(f"{settings.SSO_MICROSOFT_AUTHORITY.rstrip('/')}/{idp.tenant_id}/v2.0")
    return checked_address(settings.SSO_GOOGLE_ISSUER.rstrip("/"))


def app_settings_for(idp: IdentityProvider) -> dict[str, Any]:
    issuer = issuer_of(idp)
    app: dict[str, Any] = {
        "server_url": issuer,
        "identity_provider_id": idp.pk,
        "scope": SCOPES,
        # Every claim checked is in the ID token (Microsoft's userinfo, on Microsoft Graph, has no tenant id).
        "fetch_userinfo": False,
        "oauth_pkce_enabled": True,
        "token_auth_method": "client_secret_post",
        # A school computer is shared: always ask which account, never sign in the last one silently.
        "auth_params": {"prompt": "select_account"},
    }
    if idp.kind == IdentityProvider.Kind.GOOGLE:
        # Google's ID tokens name their issuer with or without the scheme (Google's own documentation).
        app["openid_configuration_overrides"] = {"issuer": [issuer, issuer.split("://", 1)[1]]}
    return app


def social_app(idp: IdentityProvider) -> SocialApp:
    """The configuration as allauth's app, never saved (allauth's own ``SocialApp`` table stays empty)."""
    return SocialApp(provider=PROVIDER, provider_id=idp.provider_id, name=idp.get_kind_display(),
                     client_id=idp.client_id, secret=idp.client_secret, settings=app_settings_for(idp))


def redirect_uri(provider_id: str) -> str:
    """The address the school registers with Microsoft or Google: where the provider sends the person back."""
    return settings.SITE_URL + reverse("openid_connect_callback", kwargs={"provider_id": provider_id})


def sign_in_path(provider_id: str) -> str:
    return reverse("openid_connect_login", kwargs={"provider_id": provider_id})
