"""The one-time form token: a random key, signed with the time it was made."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.utils import timezone

FIELD = "form_token"
TOKEN_DAYS = 7  # a form left open longer is sent again from a reloaded page
_SALT = "onlinesafety.submissions.form-token"


@dataclass(frozen=True)
class Token:
    key: str
    issued_at: datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def new_token() -> str:
    return _signer().sign(secrets.token_urlsafe(16))


def read_token(value: str) -> Token | None:
    """The token sent with a form, or None if it is missing, altered or older than ``TOKEN_DAYS``."""
    if not value or len(value) > 200:
        return None
    try:
        key = _signer().unsign(value, max_age=timedelta(days=TOKEN_DAYS))
    except signing.BadSignature:  # SignatureExpired is one
        return None
    issued = signing.b62_decode(value.rsplit(signing.Signer().sep, 2)[1])
    return Token(key=key, issued_at=datetime.fromtimestamp(issued, tz=UTC))


def forget_before() -> datetime:
    """Tokens made before this are refused, so their claims can go."""
    return timezone.now() - timedelta(days=TOKEN_DAYS)
