"""Sign-in rules that hold on every page: the second factor for the roles that need one, and the idle timeout.

Both run after ``CurrentSchoolMiddleware`` and read the person's memberships it loaded, so they add no query to
a page of a person whose session already shows a second factor.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from onlinesafety.audit.services import record_event

from . import mfa
from .models import User

# Pages open to a session that has not given the second factor its role needs: giving it, signing out, and
# reporting a concern (never gated behind anything) ...
OPEN_WITHOUT_SECOND_FACTOR = frozenset({
    "account_logout", "account_login", "accounts:logout", "accounts:login", "accounts:second_factor",
    "mfa_reauthenticate", "mfa_reauthenticate_webauthn",
    "incidents:report", "incidents:pupil_search", "incidents:submitted",
    "incidents:tell", "incidents:tell_thanks", "incidents:parent_report", "incidents:parent_report_sent",
})
# ... and, to a person who has none yet, setting one up. Never to a person who has one: a session opened with the
# password alone must not reach their recovery codes (or add a factor of its own) with the password again.
OPEN_FOR_SETTING_UP = frozenset({
    "account_reauthenticate", "account_change_password", "accounts:password_change",
    "mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "mfa_list_webauthn", "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes", "mfa_download_recovery_codes",
})
OPEN_BEFORE_SECOND_FACTOR = OPEN_WITHOUT_SECOND_FACTOR | OPEN_FOR_SETTING_UP
LAST_ACTIVITY_SESSION_KEY = "_last_activity"
ACTIVITY_WRITE_SECONDS = 60  # the session is saved at most once a minute for the timeout's sake


def _url_name(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def _memberships(request: HttpRequest) -> list:
    return getattr(request, "all_memberships", None) or []


ORGANISATION_ADMINISTRATOR_SESSION_KEY = "_administers_an_organisation"
RECHECK_SECONDS = 300


def _administers_an_organisation(request: HttpRequest) -> bool:
    """Whether the person administers a trust or local authority: read at sign-in, again every five minutes
    (kept in the session, so a page costs no query for it)."""
    kept = request.session.get(ORGANISATION_ADMINISTRATOR_SESSION_KEY)
    now = time.time()
    if isinstance(kept, list) and len(kept) == 2 and now - kept[1] < RECHECK_SECONDS:
        return bool(kept[0])
    user = request.user
    answer = isinstance(user, User) and mfa.administers_an_organisation(user)
    request.session[ORGANISATION_ADMINISTRATOR_SESSION_KEY] = [answer, now]
    return answer


def second_factor_required(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and mfa.second_factor_required(
        user, _memberships(request), organisation_administrator=_administers_an_organisation(request))


class SecondFactorRequiredMiddleware:
    """A person whose role needs a second factor and has none yet is sent to set one up, from every page but the
    few above: until then they cannot reach a case, a list, or the admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._must_set_up(request) and (name := _url_name(request)) not in OPEN_WITHOUT_SECOND_FACTOR:
            has_one = isinstance(request.user, User) and mfa.has_second_factor(request.user)
            if has_one or name not in OPEN_FOR_SETTING_UP:
                return self._ask(request, "mfa_reauthenticate" if has_one else "accounts:second_factor")
        return self.get_response(request)

    @staticmethod
    def _ask(request: HttpRequest, url_name: str) -> HttpResponseBase:
        """A person with a second factor gives it (this session has not); one without sets one up."""
        target = reverse(url_name)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _must_set_up(request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated or mfa.session_has_second_factor(request):
            return False
        return second_factor_required(request)


class IdleTimeoutMiddleware:
    """The roles that must have a second factor are signed out after IDLE_TIMEOUT_MINUTES without a request of
    their own (an htmx refresh of a page left open is not one)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and second_factor_required(request):
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if isinstance(last, (int, float)) and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
                return self._sign_out(request)
            if not self._is_background_refresh(request) and (
                    not isinstance(last, (int, float)) or now - last >= ACTIVITY_WRITE_SECONDS):
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _is_background_refresh(request: HttpRequest) -> bool:
        return request.method == "GET" and bool(request.headers.get("HX-Request"))

    @staticmethod
    def _sign_out(request: HttpRequest) -> HttpResponseBase:
        user = request.user
        assert isinstance(user, User), "only a signed-in person times out"
        record_event(verb="auth.idle_timeout", actor=user, target=user, request=request)
        logout(request)
        messages.info(request, f"You were signed out after {settings.IDLE_TIMEOUT_MINUTES} minutes without "
                               "activity. Sign in again to carry on.")
        login = reverse("account_login")
        if request.method != "GET" or request.headers.get("HX-Request"):
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response.headers["HX-Redirect"] = login
                return response
            return redirect(login)
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
