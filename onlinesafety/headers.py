"""Response headers every page carries: the Permissions-Policy, and ``Cache-Control: private, no-store`` on what
is private (the Content-Security-Policy comes from django-csp, configured in settings)."""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from onlinesafety.logscrub import SECRET_URL_KWARGS

PRIVATE = "private, no-store"

Handler = Callable[[HttpRequest], HttpResponseBase]
P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def permissions_policy() -> str:
    return ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DISABLED)


class PermissionsPolicyMiddleware:
    """Switches off, on every response, the browser features (camera, microphone, location, payment ...) that
    no page uses, so a script that got in could not ask for them either."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.header = permissions_policy()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


def is_private(request: HttpRequest, response: HttpResponseBase) -> bool:
    """A page for a signed-in person, a file, or a page opened with a token in its address (a parent's signing
    link, an invitation, a password reset): none of them may be kept by a browser or a shared cache."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if "Content-Disposition" in response:
        return True
    match = request.resolver_match
    return match is not None and bool(SECRET_URL_KWARGS & match.kwargs.keys())


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every private response whose view did not set its own: a case
    page left in the browser's cache of a shared school computer must not come back with the back button."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "Cache-Control" not in response and is_private(request, response):
            response["Cache-Control"] = PRIVATE
        return response


def private_page(view: Callable[P, R]) -> Callable[P, R]:
    """``Cache-Control: private, no-store`` on a signed-out page that still shows what someone told us (a parent's
    report form sent back with what they wrote, their "report sent" page): a shared family computer's cache or back
    button must not show it to the next person."""

    @wraps(view)
    def private(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        response["Cache-Control"] = PRIVATE
        return response

    return private
