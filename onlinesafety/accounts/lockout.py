"""Locking an account after wrong passwords, on allauth's rate limits (``ACCOUNT_RATE_LIMITS``).

allauth counts ``login_failed`` per network (a high ceiling: a school signs in from one address) and per the key
``account_key`` gives it: the account and the network, so five wrong guesses lock the account for that network
only. This module adds the account's ceiling from all networks together (``login_failed_anywhere``), tells an
account's lockout from a network's, records the first, and unlocks. The keys carry an "unlock generation": the
site administrator's unlock moves it on, so every count before it (for any network) stops counting.
"""

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from onlinesafety.audit.services import record_event

from .models import User

APP = "allauth.account"
EVERYWHERE = "login_failed_anywhere"


def _generation(email: str) -> int:
    return cache.get(f"onlinesafety:unlocked:{email.strip().lower()}", 0)


def _account(email: str) -> str:
    email = email.strip().lower()
    return f"login:{email}:{_generation(email)}"


def account_key(email: str, request: HttpRequest) -> str:
    return f"{_account(email)}:{ratelimit.get_ip(request)}"


def _only(action: str, per: str) -> dict[str, str]:
    """The part of an action's configured rates counted ``per`` ("ip" or "key"): the same counters, read alone."""
    rates = settings.ACCOUNT_RATE_LIMITS[action].split(",")
    return {action: ",".join(rate for rate in rates if rate.strip().endswith(f"/{per}"))}


def locked_everywhere(request: HttpRequest, email: str) -> bool:
    return not ratelimit.consume(request, app=APP, action=EVERYWHERE, key=_account(email), dry_run=True)


def count_failure_everywhere(request: HttpRequest, email: str) -> None:
    if email:
        ratelimit.consume(request, app=APP, action=EVERYWHERE, key=_account(email))


def account_locked(request: HttpRequest, email: str) -> bool:
    """The account (for this network, or everywhere) is out of attempts, not merely the network."""
    for_this_network = ratelimit.consume(request, app=APP, action="login_failed", key=account_key(email, request),
                                         config=_only("login_failed", "key"), dry_run=True)
    return not for_this_network or locked_everywhere(request, email)


def _second_factor_user(request: HttpRequest) -> User | None:
    """Whose code was wrong: the person at the sign-in's second stage, or the signed-in one (step-up)."""
    stage = getattr(request, "_login_stage", None)
    user = stage.login.user if stage is not None else getattr(request, "user", None)
    return user if isinstance(user, User) else None


def record_lockout(request: HttpRequest, email: str) -> None:
    """One audit event per account and lockout window (the attempts that keep knocking add none). The address
    typed is not stored; the account it names, when there is one, is the event's target."""
    user = User.objects.filter(email__iexact=email).first() if email else _second_factor_user(request)
    window = settings.SIGN_IN_LOCKOUT_MINUTES * 60
    if cache.add(f"onlinesafety:lockout-recorded:{user.pk if user else 'unknown'}", True, timeout=window):
        record_event(verb="auth.locked_out", target=user, request=request,
                     detail={"stage": "password" if email else "second factor"})


def unlock(request: HttpRequest, user: User) -> None:
    """Every count against the account stops counting: the password's (any network, everywhere) by moving the
    generation on, the second factor's by clearing allauth's key for it."""
    email = user.email.strip().lower()
    generation_key = f"onlinesafety:unlocked:{email}"
    cache.set(generation_key, _generation(email) + 1, timeout=None)
    ratelimit.clear(request, app=APP, action="login_failed", key=f"mfa-auth-user-{user.pk}",
                    config=_only("login_failed", "key"))
    cache.delete(f"onlinesafety:lockout-recorded:{user.pk}")
