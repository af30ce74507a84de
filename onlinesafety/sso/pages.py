"""The sign-in pages' common ground: the password sign-in's address (the accounts app's, wherever it lives), never
caching a page that may show the address an identity provider gave, and letting their forms lead to the providers.

The Content-Security-Policy's ``form-action 'self'`` also holds for where a form's answer redirects: the browser would
refuse the redirect from "Sign in with Microsoft" to Microsoft. These pages alone add the providers' origins to it.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import add_never_cache_headers


def identity_provider_origins() -> list[str]:
    origins = []
    for address in (settings.SSO_MICROSOFT_AUTHORITY, settings.SSO_GOOGLE_ISSUER):
        parts = urlsplit(address)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def sign_in_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, template, {**context, "password_sign_in_url": resolve_url(settings.LOGIN_URL)},
                      status=status)
    add_never_cache_headers(response)
    response._csp_update = {"form-action": identity_provider_origins()}  # type: ignore[attr-defined]  # django-csp
    return response
