"""Signing in with Microsoft or Google, and the pages where a school or a trust sets it up.

Signing in starts from either of two pages: ``/accounts/sso/`` asks for the work email address and goes straight to
the identity provider of the configuration that admits its domain (the sign-in page links there); a school's own
``/accounts/sso/<slug>/`` shows a "Sign in with Microsoft" or "Sign in with Google" button for each of its and its
trust's configurations (for the school's intranet or bookmarks). Either sends the person to the provider; allauth's
callback brings them back, and ``adapter.SocialAccountAdapter`` decides.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from onlinesafety.accounts.models import User
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import Organisation, School
from onlinesafety.schools.rights import administered_school
from onlinesafety.schools.setup.forms import error_summary
from onlinesafety.schools.setup.selectors import get_organisation_to_administer
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import safe_next

from . import forms, oidc, selectors, services
from .models import IdentityProvider, provider_id_for
from .pages import sign_in_page


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User), "login_required lets only a signed-in person through"
    return request.user


# ---------------------------------------------------------------- signing in

def _start(request: HttpRequest, idp: IdentityProvider, login_hint: str = "") -> HttpResponse:
    """Off to the identity provider (allauth keeps the state, the PKCE verifier and ``next`` in the session)."""
    provider = get_adapter(request).get_provider(request, idp.provider_id)
    auth_params = provider.get_auth_params()
    if login_hint:
        auth_params["login_hint"] = login_hint
    try:
        response: HttpResponse = provider.redirect(request, AuthProcess.LOGIN, next_url=safe_next(request) or None,
                                                   auth_params=auth_params)
    except requests.RequestException:
        return sign_in_page(request, "sso/failed.html", {"unreachable": True, "identity_provider": idp}, status=502)
    return response


def sign_in(request: HttpRequest) -> HttpResponse:
    form = forms.WorkEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        idp = selectors.identity_provider_for_email(email)
        if idp is not None:
            return _start(request, idp, login_hint=email)
        form.add_error("email", "Signing in with Microsoft or Google is not set up for this address. Sign in with "
                                "your email address and password instead, or ask your school.")
    return sign_in_page(request, "sso/sign_in.html", {"form": form, "errors": error_summary(form),
                                                      "next": safe_next(request)}, status=400 if form.errors else 200)


def school_sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    school = get_object_or_404(School, slug=slug)
    options = selectors.sign_in_options_for(school)
    if not options:
        raise Http404("This school has not set up signing in with Microsoft or Google.")
    if request.method == "POST":
        chosen = next((idp for idp in options if idp.provider_id == request.POST.get("identity_provider")), None)
        if chosen is not None:
            return _start(request, chosen)
    return sign_in_page(request, "sso/school_sign_in.html", {"school": school, "options": options,
                                                             "next": safe_next(request)})


# ---------------------------------------------------------------- setting it up: a school's, a trust's

OwnerView = Callable[..., HttpResponseBase]


def administered_organisation(view: OwnerView) -> OwnerView:
    """As ``schools.rights.administered_school``, for a trust's or local authority's pages (404 for anyone who
    does not administer it)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, get_organisation_to_administer(request.user, slug), *args, **kwargs)

    return wrapped


def _kind(slug: str) -> IdentityProvider.Kind:
    if slug not in IdentityProvider.Kind.values:
        raise Http404("No such identity provider.")
    return IdentityProvider.Kind(slug)


def _urls(owner: School | Organisation) -> dict[str, str]:
    prefix = "sso:school" if isinstance(owner, School) else "sso:organisation"
    return {"settings": reverse(prefix, args=[owner.slug]), "edit": f"{prefix}_edit", "remove": f"{prefix}_remove"}


def _settings_page(request: HttpRequest, owner: School | Organisation) -> HttpResponse:
    saved = selectors.identity_providers_of(owner)
    rows = [{"kind": kind, "label": kind.label, "idp": saved.get(kind.value),
             "redirect_uri": oidc.redirect_uri(provider_id_for(owner, kind))} for kind in IdentityProvider.Kind]
    return render(request, "sso/settings.html", {
        "owner": owner, "is_school": isinstance(owner, School), "rows": rows, "urls": _urls(owner),
        "trust_options": selectors.trust_options_for(owner) if isinstance(owner, School) else [],
        "school_sign_in_url": (settings.SITE_URL + reverse("sso:school_sign_in", args=[owner.slug])
                               if isinstance(owner, School) else ""),
    })


def _edit_page(request: HttpRequest, owner: School | Organisation, kind_slug: str) -> HttpResponse:
    kind = _kind(kind_slug)
    saved = selectors.identity_providers_of(owner).get(kind.value)
    form = forms.IdentityProviderForm(request.POST if request.method == "POST" else None, kind=kind, saved=saved)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_identity_provider(
                actor=_actor(request), owner=owner, kind=kind, client_id=data["client_id"],
                client_secret=data["client_secret"] or None, tenant_id=data.get("tenant_id", ""),
                domains=data["domains"], enforces_mfa=data["enforces_mfa"], enabled=data["enabled"], request=request)
        except services.DomainTaken as error:
            form.add_error("domains", str(error))
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Sign in with {kind.label} is saved.")
            return redirect(_urls(owner)["settings"])
    return render(request, "sso/edit.html", {
        "owner": owner, "is_school": isinstance(owner, School), "kind": kind, "saved": saved, "form": form,
        "errors": error_summary(form),
        "urls": _urls(owner), "redirect_uri": oidc.redirect_uri(provider_id_for(owner, kind)),
    }, status=400 if form.errors else 200)


def _remove_page(request: HttpRequest, owner: School | Organisation, kind_slug: str) -> HttpResponse:
    kind = _kind(kind_slug)
    saved = selectors.identity_providers_of(owner).get(kind.value)
    if saved is None:
        raise Http404("That sign-in is not set up.")
    if request.method == "POST":
        services.remove_identity_provider(actor=_actor(request), identity_provider=saved, request=request)
        messages.success(request, f"Sign in with {kind.label} is removed. Staff sign in with their password.")
        return redirect(_urls(owner)["settings"])
    return render(request, "sso/remove.html", {"owner": owner, "is_school": isinstance(owner, School), "kind": kind,
                                               "urls": _urls(owner)})


@administered_school
def school_settings(request: HttpRequest, school: School) -> HttpResponse:
    return _settings_page(request, school)


@sensitive_post_parameters("client_secret")
@administered_school
@sent_once
def school_edit(request: HttpRequest, school: School, kind: str) -> HttpResponse:
    return _edit_page(request, school, kind)


@administered_school
@sent_once
def school_remove(request: HttpRequest, school: School, kind: str) -> HttpResponse:
    return _remove_page(request, school, kind)


@administered_organisation
def organisation_settings(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _settings_page(request, organisation)


@sensitive_post_parameters("client_secret")
@administered_organisation
@sent_once
def organisation_edit(request: HttpRequest, organisation: Organisation, kind: str) -> HttpResponse:
    return _edit_page(request, organisation, kind)


@administered_organisation
@sent_once
def organisation_remove(request: HttpRequest, organisation: Organisation, kind: str) -> HttpResponse:
    return _remove_page(request, organisation, kind)
