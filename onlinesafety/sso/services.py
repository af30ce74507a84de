"""Every write of single sign-on: a school's or trust's configuration saved or removed, an identity connected to
the account it signs in to, and the audit events of each sign-in, refusal and failure.

Audit events carry ids, kinds, reasons and field names: never a client secret, never an email address.
"""

import re
from collections.abc import Sequence
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Organisation, School

from .claims import Refusal
from .models import IdentityProvider, SignInDomain
from .rights import can_configure_sign_in

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DOMAIN = re.compile(r"(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")
MAX_DOMAINS = 20
NOT_YOURS = "Only the headteacher, the trust or local authority administrator or the site administrator sets this up."
DOMAIN_TAKEN = ("{domain} is already used to sign in to another school or trust here. An address domain can belong "
                "to one sign-in only: ask the site administrator.")


class DomainTaken(RuleBroken):
    """A domain is another configuration's (the form shows it next to the domains)."""


def _owner_fields(owner: School | Organisation) -> dict[str, Any]:
    return {"school": owner} if isinstance(owner, School) else {"organisation": owner}


def _owner_detail(idp: IdentityProvider) -> dict[str, Any]:
    detail: dict[str, Any] = {"identity_provider": idp.pk, "kind": idp.kind}
    if idp.organisation_id is not None:
        detail["organisation"] = idp.organisation_id
    return detail


def normalised_domains(domains: Sequence[str]) -> list[str]:
    return sorted({domain.strip().lower().rstrip(".") for domain in domains if domain.strip()})


def _checked(kind: IdentityProvider.Kind, client_id: str, tenant_id: str, domains: list[str]) -> None:
    if not client_id or len(client_id) > 191:
        raise RuleBroken("Enter the client id the identity provider gave the app.")
    if kind == IdentityProvider.Kind.MICROSOFT and not GUID.fullmatch(tenant_id):
        raise RuleBroken("Enter the Directory (tenant) ID, a GUID such as 0b5c2d1e-7a9f-4c3b-8e21-5d6f7a8b9c0d.")
    if not domains:
        raise RuleBroken("Enter at least one email domain your staff's addresses end with.")
    if len(domains) > MAX_DOMAINS or not all(DOMAIN.fullmatch(domain) for domain in domains):
        raise RuleBroken(f"Enter up to {MAX_DOMAINS} domains such as oakfield.sch.uk, without the part before the @.")


def _save_domains(idp: IdentityProvider, domains: list[str]) -> bool:
    """Makes the configuration's domains ``domains``; True if that changed anything."""
    taken = (SignInDomain.objects.filter(domain__in=domains).exclude(identity_provider=idp)
             .values_list("domain", flat=True).first())
    if taken:
        raise DomainTaken(DOMAIN_TAKEN.format(domain=taken))
    current = set(idp.domains.values_list("domain", flat=True))
    wanted = set(domains)
    idp.domains.exclude(domain__in=wanted).delete()
    try:
        with transaction.atomic():  # another configuration saving the same domain at this very moment
            SignInDomain.objects.bulk_create(SignInDomain(identity_provider=idp, domain=domain)
                                             for domain in sorted(wanted - current))
    except IntegrityError:
        raise DomainTaken(DOMAIN_TAKEN.format(domain=", ".join(sorted(wanted - current)))) from None
    return current != wanted


def save_identity_provider(*, actor: User, owner: School | Organisation, kind: IdentityProvider.Kind,
                           client_id: str, client_secret: str | None, tenant_id: str, domains: Sequence[str],
                           enforces_mfa: bool, enabled: bool,
                           request: HttpRequest | None = None) -> IdentityProvider:
    """Sets up or changes the owner's sign-in of ``kind``. ``client_secret`` None (or "") keeps the saved one.
    Recording that the identity provider enforces a second factor notes who said so and when."""
    require(can_configure_sign_in(actor, owner), NOT_YOURS)
    client_id = client_id.strip()
    tenant_id = tenant_id.strip().lower() if kind == IdentityProvider.Kind.MICROSOFT else ""
    wanted_domains = normalised_domains(domains)
    _checked(kind, client_id, tenant_id, wanted_domains)
    with transaction.atomic():
        lock_for_update(owner)
        idp = IdentityProvider.objects.filter(kind=kind, **_owner_fields(owner)).first()
        adding = idp is None
        if idp is None:
            if not client_secret:
                raise RuleBroken("Enter the client secret the identity provider gave the app.")
            idp = IdentityProvider(kind=kind, **_owner_fields(owner))
        changed = {name for name, value in (("client_id", client_id), ("tenant_id", tenant_id),
                                            ("enabled", enabled), ("enforces_mfa", enforces_mfa))
                   if getattr(idp, name) != value}
        if client_secret and client_secret != idp.client_secret:
            idp.client_secret = client_secret
            changed.add("client_secret")
        idp.client_id, idp.tenant_id, idp.enabled = client_id, tenant_id, enabled
        if "enforces_mfa" in changed:
            idp.enforces_mfa = enforces_mfa
            idp.enforces_mfa_recorded_by = actor if enforces_mfa else None
            idp.enforces_mfa_recorded_at = timezone.now() if enforces_mfa else None
        if adding or changed:
            idp.save()
        if _save_domains(idp, wanted_domains):
            changed.add("domains")
        if adding:
            record_event(verb="sso.added", actor=actor, school=idp.school, target=idp, request=request,
                         detail={**_owner_detail(idp), "domains": len(wanted_domains), "enabled": enabled,
                                 "enforces_mfa": enforces_mfa})
        elif changed:
            record_event(verb="sso.changed", actor=actor, school=idp.school, target=idp, request=request,
                         detail={**_owner_detail(idp), "fields": sorted(changed)})
    return idp


def remove_identity_provider(*, actor: User, identity_provider: IdentityProvider,
                             request: HttpRequest | None = None) -> None:
    """Removes the configuration, its domains and the identities connected through it: its staff sign in with
    their password (or another configuration) from now on."""
    require(can_configure_sign_in(actor, identity_provider.owner), NOT_YOURS)
    with transaction.atomic():
        lock_for_update(identity_provider.owner)
        detail = _owner_detail(identity_provider)
        links, _ = SocialAccount.objects.filter(provider=identity_provider.provider_id).delete()
        record_event(verb="sso.removed", actor=actor, school=identity_provider.school, target=identity_provider,
                     request=request, detail={**detail, "connected_identities": links})
        identity_provider.delete()


def connect_identity(*, user: User, identity_provider: IdentityProvider, account: SocialAccount,
                     request: HttpRequest | None = None) -> SocialAccount:
    """Connects the identity (``account``: the provider id and the token's subject) to ``user`` on their first
    sign-in through it, so the next sign-in finds the account by its subject; refused (RuleBroken) when that
    identity is already another account's."""
    with transaction.atomic():
        connected, created = SocialAccount.objects.get_or_create(
            provider=account.provider, uid=account.uid, defaults={"user": user, "extra_data": account.extra_data})
        if connected.user_id != user.pk:
            raise RuleBroken("This identity already signs in to another account.")
        if created:
            record_event(verb="sso.identity_connected", actor=user, school=identity_provider.school,
                         target=identity_provider, request=request,
                         detail={**_owner_detail(identity_provider), "social_account": connected.pk})
    return connected


def record_sign_in(*, user: User, identity_provider: IdentityProvider, mfa_by_identity_provider: bool,
                   request: HttpRequest | None = None) -> None:
    record_event(verb="auth.sso_login", actor=user, school=identity_provider.school, target=identity_provider,
                 request=request,
                 detail={**_owner_detail(identity_provider), "mfa_by_identity_provider": mfa_by_identity_provider})


def record_refusal(*, provider_id: str, identity_provider: IdentityProvider | None, reason: Refusal,
                   user: User | None = None, request: HttpRequest | None = None) -> None:
    """A sign-in the identity provider allowed and this site refused; ``user`` is the account the address named,
    if any (by id only: the address itself is not recorded)."""
    detail: dict[str, Any] = (_owner_detail(identity_provider) if identity_provider is not None
                              else {"provider": provider_id[:80]})
    detail["reason"] = reason.value
    if user is not None:
        detail["user"] = user.pk
    record_event(verb="auth.sso_refused", school=identity_provider.school if identity_provider else None,
                 target=identity_provider, request=request, detail=detail)


def record_failure(*, provider_id: str, identity_provider: IdentityProvider | None, error: str, exception: str,
                   request: HttpRequest | None = None) -> None:
    """The exchange with the identity provider failed (cancelled, an error it answered, a token that did not
    check out, the provider unreachable): what went wrong, by its code and the exception's type only."""
    detail: dict[str, Any] = (_owner_detail(identity_provider) if identity_provider is not None
                              else {"provider": provider_id[:80]})
    detail |= {"error": error[:40], "exception": exception[:80]}
    record_event(verb="auth.sso_failed", school=identity_provider.school if identity_provider else None,
                 target=identity_provider, request=request, detail=detail)
