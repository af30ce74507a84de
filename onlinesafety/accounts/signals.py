from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from onlinesafety.audit.services import record_event

from .models import User


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
