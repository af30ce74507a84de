"""Reads about invitations: by the token of a link, and which people still hold one."""

from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q

from onlinesafety.tokens import LONGEST_TOKEN, sha256_of

from .models import Invitation, User

UNSPENT = Q(accepted_at__isnull=True, withdrawn_at__isnull=True)


def token_key(token: str) -> str:
    """What the invitation page keeps in the session in place of the link's token: its SHA-256, the value stored
    on the invitation (so the session holds no working link), or "" for what cannot be one of our tokens."""
    if not token or len(token) > LONGEST_TOKEN:
        return ""
    return sha256_of(token)


def invitation_for_key(key: str) -> Invitation | None:
    """The invitation whose token hashes to ``key`` (in whatever state), or None for a link that was never sent."""
    if not key:
        return None
    return Invitation.objects.select_related("user", "school").filter(token_hash=key).first()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation whose link carries ``token`` (in whatever state), or None for a token that was never sent."""
    return invitation_for_key(token_key(token))


def live_invitation_q(now: datetime) -> Q:
    """Invitations neither spent nor expired."""
    return UNSPENT & Q(expires_at__gt=now)


def has_live_invitation(user_ref: str, now: datetime) -> Exists:
    """``Exists`` for querysets: the user at ``user_ref`` (e.g. ``OuterRef("user")``'s field name) holds a live
    invitation."""
    return Exists(Invitation.objects.filter(live_invitation_q(now), user_id=OuterRef(user_ref)))


def has_password(user: User) -> bool:
    """The account has a password it can sign in with (an invited account has none until the person sets it)."""
    return bool(user.password) and user.has_usable_password()


# The same in a query, for an account at ``prefix`` (e.g. "user__").
def no_password_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX}) | Q(**{f"{prefix}password": ""})


def live_invitation_of(user: User, now: datetime) -> Invitation | None:
    return Invitation.objects.filter(live_invitation_q(now), user=user).first()


def signed_in_sessions(user: User, *, current_key: str) -> list[dict[str, object]]:
    """The browsers this person is signed in on, newest sign-in first, the current one marked."""
    from allauth.usersessions.models import UserSession

    sessions = sorted(UserSession.objects.purge_and_list(user), key=lambda s: s.created_at, reverse=True)
    return [{"started": s.created_at, "browser": s.user_agent[:120], "current": s.session_key == current_key}
            for s in sessions]
