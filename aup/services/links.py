"""Signing-link tokens: made from the operating system's secure generator; only their hash is ever stored."""

import secrets

from django.urls import reverse

from onlinesafety.mail.services import absolute_url

from ..models import sha256_of

TOKEN_BYTES = 24  # 192 bits


def new_token() -> tuple[str, str]:
    """A link token and the hash kept of it (SHA-256: the token is random, so no salt or stretching is needed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, sha256_of(token)


def signing_url(token: str) -> str:
    return absolute_url(reverse("aup:sign", args=[token]))
