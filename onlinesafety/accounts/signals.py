from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from onlinesafety.audit.services import record_event

from .models import User, password_set
from .services import withdraw_for_new_password


@receiver(user_logged_in)
def audit_login(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    record_event(verb="auth.login", actor=user, target=user, request=request)


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
