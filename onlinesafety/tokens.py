"""Secret link tokens (parents' signing links, invitations): made from the operating system's secure generator,
192 bits, and only their SHA-256 is ever stored. The token is random, so no salt or slow hash is needed."""

import hashlib
import secrets

TOKEN_BYTES = 24  # 192 bits: 32 characters in a URL
LONGEST_TOKEN = 100  # anything much longer than ours is not one of ours, and is not even hashed


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A link token and the hash kept of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, sha256_of(token)
