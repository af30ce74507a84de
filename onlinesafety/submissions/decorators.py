"""``@sent_once``: a view whose POST writes, sent once per form token (see the package's docstring)."""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve

from onlinesafety.logscrub import SECRET_URL_KWARGS

from .models import UsedToken
from .tokens import FIELD, TOKEN_DAYS, Token, read_token

ALREADY_SENT = "This form had already been sent, so it was not sent again. This is what it did."
REDIRECTS = {301, 302, 303, 307, 308}

View = Callable[..., HttpResponse]


def _claim(token: Token) -> bool:
    """Claim the token in the current transaction: False if it was claimed already (a second insert of the same
    key waits until the first transaction ends, then fails)."""
    try:
        with transaction.atomic():
            UsedToken.objects.create(key=token.key, issued_at=token.issued_at)
    except IntegrityError:
        return False
    return True


def _keepable(location: str) -> str:
    """The redirect's address as it can be kept: a path on this site, with each secret in it (a signing link's
    token) replaced by its name in brackets, never stored; "" for anything else (a second send then goes back to
    the form's own page)."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or not location.startswith("/") or len(location) > 2000:
        return ""
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    secrets = {str(match.kwargs[name]): f"[{name}]" for name in SECRET_URL_KWARGS & set(match.kwargs)}
    path = "/".join(secrets.get(segment, segment) for segment in parts.path.split("/"))
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _filled_in(kept: str, request: HttpRequest) -> str:
    """The kept address with its secrets put back from the address the form was sent to (the same link), or ""
    when one is not there."""
    sent = request.resolver_match.kwargs if request.resolver_match else {}
    for name in SECRET_URL_KWARGS:
        if f"[{name}]" in kept:
            if name not in sent:
                return ""
            kept = kept.replace(f"[{name}]", str(sent[name]))
    return kept


def _remember(token: Token, response: HttpResponse) -> None:
    if response.status_code in REDIRECTS:
        UsedToken.objects.filter(key=token.key).update(result=_keepable(response["Location"]))
    else:  # the form was shown again (a mistake to put right, a refusal): it may be sent again
        UsedToken.objects.filter(key=token.key).delete()


def _repeat(request: HttpRequest, token: Token) -> HttpResponse:
    first = UsedToken.objects.filter(key=token.key).values_list("result", flat=True).first() or ""
    messages.info(request, ALREADY_SENT)
    return HttpResponseRedirect(_filled_in(first, request) or request.get_full_path())


def refused(request: HttpRequest) -> HttpResponse:
    return render(request, "submissions/refused.html", {"days": TOKEN_DAYS}, status=400)


def sent_once(view: View) -> View:
    """Put it next to the view, inside the decorators that check the page's right (a person without the right gets
    their 403 or 404 before the token is looked at)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        token = read_token(request.POST.get(FIELD, ""))
        if token is None:
            return refused(request)
        with transaction.atomic():
            if not _claim(token):
                return _repeat(request, token)
            response = view(request, *args, **kwargs)
            _remember(token, response)
        return response

    wrapper.sent_once = True  # type: ignore[attr-defined]  # read by the tests that walk every URL
    return wrapper
