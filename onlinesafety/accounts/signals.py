import time
from typing import Any

from allauth.account import signals as allauth_signals
from allauth.mfa import signals as mfa_signals
from allauth.usersessions.models import UserSession
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from onlinesafety.audit.services import record_event
from onlinesafety.clientaddress import client_ip

from . import mfa
from .middleware import LAST_ACTIVITY_SESSION_KEY, ORGANISATION_ADMINISTRATOR_SESSION_KEY
from .models import User, password_set
from .services import withdraw_for_new_password


@receiver(user_logged_in)
def audit_login(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(verb="auth.login", actor=user, target=user, request=request)


@receiver(user_logged_in)
def list_the_session(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Every sign-in (allauth's pages, an invitation, single sign-on) is listed among the person's sessions, so
    "sign out everywhere" reaches it; allauth itself lists only the sign-ins of its own pages."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[LAST_ACTIVITY_SESSION_KEY] = time.time()  # the idle timeout's clock starts at the sign-in
    session[ORGANISATION_ADMINISTRATOR_SESSION_KEY] = [mfa.administers_an_organisation(user), time.time()]
    if not session.session_key:
        session.save()
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:UserSession._meta.get_field("user_agent").max_length]
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={
        "user": user, "ip": client_ip(request) or "0.0.0.0", "user_agent": user_agent})


@receiver(user_logged_out)
def audit_logout(sender: type[User | None], request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_event(verb="auth.logout", actor=user, target=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The attempted address is not stored: it may be a mistyped password or someone else's name.
    record_event(verb="auth.login_failed", request=request)


@receiver(password_set)
def withdraw_invitations_on_new_password(sender: type[User], user: User, **kwargs: Any) -> None:
    """One place for every way a password is set (reset link, change page, admin, command): an invitation still
    unspent would otherwise let whoever holds the old email replace the password the person chose."""
    withdraw_for_new_password(user=user)


@receiver(allauth_signals.password_reset)
def audit_password_reset(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(verb="auth.password_reset", actor=user, target=user, request=request)


@receiver(allauth_signals.password_changed)
def audit_password_changed(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(verb="auth.password_changed", actor=user, target=user, request=request)


def _audit_second_factor(verb: str) -> Any:
    def handler(sender: object, request: HttpRequest, user: User, authenticator: Any = None, **kwargs: Any) -> None:
        detail = {"type": authenticator.type} if authenticator is not None else {}
        record_event(verb=verb, actor=user, target=user, request=request, detail=detail)
    return handler


audit_second_factor_added = _audit_second_factor("auth.second_factor_added")
audit_second_factor_removed = _audit_second_factor("auth.second_factor_removed")
audit_recovery_codes_reset = _audit_second_factor("auth.recovery_codes_renewed")
mfa_signals.authenticator_added.connect(audit_second_factor_added)
mfa_signals.authenticator_removed.connect(audit_second_factor_removed)
mfa_signals.authenticator_reset.connect(audit_recovery_codes_reset)


def _count_the_new_factor_as_given(sender: object, request: HttpRequest, user: User, authenticator: Any = None,
                                   **kwargs: Any) -> None:
    from allauth.account.internal.flows.login import record_authentication
    if request is not None and authenticator is not None and authenticator.type != "recovery_codes":
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk)
        request.session.save()


mfa_signals.authenticator_added.connect(_count_the_new_factor_as_given)
