"""What an ID token must say before its email address is trusted, for each kind of identity provider.

allauth has already checked the token's issuer (the configuration's own), audience (its client id) and expiry. Here:

- **Microsoft**: ``tid`` is the configuration's tenant, and the account is the tenant's own, not a guest from
  another directory (a guest's token carries ``idp``, its home tenant). Entra ID lets a tenant's administrators write
  any address into a user's ``email``, so the address counts as verified only when Microsoft says its domain is
  one the tenant has proved it owns (the optional claim ``xms_edov``), or when it is the account's sign-in name
  (``preferred_username``, which must be in one of the tenant's verified domains).
- **Google**: ``hd`` (the Workspace domain, absent for a personal Gmail account) is one of the configuration's
  domains, and ``email_verified`` is true.
- **Both**: the address is in one of the configuration's domains.
"""

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .models import IdentityProvider


class Refusal(StrEnum):
    """Why a sign-in was refused: the audit event's ``reason``, and the refused page's message."""

    NOT_SIGN_IN = "not_sign_in"
    CONFIGURATION_OFF = "configuration_off"
    WRONG_TENANT = "wrong_tenant"
    GUEST_ACCOUNT = "guest_account"
    NO_EMAIL = "no_email"
    UNVERIFIED_EMAIL = "unverified_email"
    WRONG_DOMAIN = "wrong_domain"
    UNKNOWN_EMAIL = "unknown_email"
    SWITCHED_OFF = "switched_off"
    NO_ROLE = "no_role"
    OTHER_ACCOUNT = "other_account"


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _email_of(claims: Mapping[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str):
        return ""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def _microsoft_refusal(idp: IdentityProvider, claims: Mapping[str, Any], email: str) -> Refusal | None:
    if str(claims.get("tid", "")).lower() != idp.tenant_id.lower():
        return Refusal.WRONG_TENANT
    home = claims.get("idp")
    if home and home != claims.get("iss"):
        return Refusal.GUEST_ACCOUNT
    if not email:
        return Refusal.NO_EMAIL
    sign_in_name = claims.get("preferred_username")
    if not (_true(claims.get("xms_edov")) or (isinstance(sign_in_name, str) and sign_in_name.lower() == email)):
        return Refusal.UNVERIFIED_EMAIL
    return None


def _google_refusal(claims: Mapping[str, Any], email: str, domains: Collection[str]) -> Refusal | None:
    workspace = claims.get("hd")
    if not isinstance(workspace, str) or workspace.lower() not in domains:
        return Refusal.WRONG_TENANT
    if not email:
        return Refusal.NO_EMAIL
    if not _true(claims.get("email_verified")):
        return Refusal.UNVERIFIED_EMAIL
    return None


def checked_email(idp: IdentityProvider, claims: Mapping[str, Any],
                  domains: Collection[str]) -> tuple[str, Refusal | None]:
    """The token's address (lower case, "" if it has none) and why it is not to be trusted (None when it is)."""
    email = _email_of(claims)
    if idp.kind == IdentityProvider.Kind.MICROSOFT:
        refusal = _microsoft_refusal(idp, claims, email)
    else:
        refusal = _google_refusal(claims, email, domains)
    if refusal is None and email.rpartition("@")[2] not in domains:
        refusal = Refusal.WRONG_DOMAIN
    return email, refusal
