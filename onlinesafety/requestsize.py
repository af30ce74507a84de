"""The largest request the site reads: ``MAX_REQUEST_BYTES`` in all, checked before any of the body is read.

Each uploaded file has its own limit (``onlinesafety.uploads``, 10 MB), but a form can carry many files, and Django
only bounds the part of a body that is not a file (``DATA_UPLOAD_MAX_MEMORY_SIZE``). ``RequestSizeMiddleware``
answers a request whose ``Content-Length`` is larger with the "too large" page (413), without reading it. A body
sent without a length (``Transfer-Encoding: chunked``) is never read by Django, which reads ``Content-Length``
bytes, so it would arrive empty: it is refused too (411), with the same page, rather than taken as an empty form.

The one page that takes more is marked on its view, ``@allows_request_bytes(n)`` (the provider log import, a
CSV of up to 500 MB): only a request over the site's limit looks its view up. A view marked
``@answers_json`` (an endpoint for other systems: the monitoring webhook) is answered with a JSON error instead of
the page.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from .uploads import MEGABYTE

Handler = Callable[[HttpRequest], HttpResponseBase]
View = Callable[..., Any]


def allows_request_bytes(max_bytes: int) -> Callable[[View], View]:
    """This view's requests may be up to ``max_bytes`` (above the site's ``MAX_REQUEST_BYTES``)."""

    def mark(view: View) -> View:
        view.max_request_bytes = max_bytes  # type: ignore[attr-defined]  # read by the middleware
        return view

    return mark


def answers_json(view: View) -> View:
    """This view's "too large" and "no length" answers are JSON errors (``{"error": ...}``), not the page."""
    view.answers_json = True  # type: ignore[attr-defined]  # read by the middleware
    return view


def _view_of(request: HttpRequest) -> View | None:
    try:
        return resolve(request.path_info).func
    except Resolver404:
        return None


def limit_for(request: HttpRequest) -> int:
    """The largest request this address takes: the site's limit, or its view's own if that is larger."""
    view = _view_of(request)
    return max(settings.MAX_REQUEST_BYTES, getattr(view, "max_request_bytes", 0))


def too_large(request: HttpRequest, limit: int, status: int = 413) -> HttpResponseBase:
    if getattr(_view_of(request), "answers_json", False):
        message = (f"The body is larger than {limit // MEGABYTE} MB." if status == 413
                   else "Send the body with a Content-Length header.")
        return JsonResponse({"error": message}, status=status)
    return render(request, "413.html", {"limit_mb": limit // MEGABYTE, "no_length": status == 411},
                  status=status)


class RequestSizeMiddleware:
    """Before anything reads the body (Django reads it at ``request.POST``, first in ``CsrfViewMiddleware``'s
    view check), so it sits anywhere among the middleware that only look at headers and the session."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return too_large(request, settings.MAX_REQUEST_BYTES, status=411)
            return self.get_response(request)
        if not (length.isascii() and length.isdigit()):
            return render(request, "400.html", status=400)
        if int(length) > settings.MAX_REQUEST_BYTES and int(length) > limit_for(request):
            return too_large(request, limit_for(request))
        return self.get_response(request)
