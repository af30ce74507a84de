"""Reads for single sign-on: the configurations (by allauth's provider id, by an address's domain, by owner), and
whether a person may sign in through one."""

import re

from django.db.models import Q

from onlinesafety.accounts.models import User
from onlinesafety.schools.models import Membership, Organisation, OrganisationMembership, School

from .models import IdentityProvider, SignInDomain

PROVIDER_ID = re.compile(r"(?P<owner>school|organisation)-(?P<owner_id>[0-9]{1,18})-(?P<kind>microsoft|google)")


def identity_provider_for(provider_id: str) -> IdentityProvider | None:
    """The configuration allauth calls ``provider_id`` (``school-7-microsoft``), enabled or not, or None."""
    match = PROVIDER_ID.fullmatch(provider_id or "")
    if match is None:
        return None
    owner = {"school_id" if match["owner"] == "school" else "organisation_id": int(match["owner_id"])}
    return (IdentityProvider.objects.select_related("school", "organisation")
            .filter(kind=match["kind"], **owner).first())


def enabled_identity_providers() -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(enabled=True).select_related("school", "organisation"))


def identity_provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled configuration that admits the domain of ``email`` (a domain belongs to one at most)."""
    domain = email.strip().lower().rpartition("@")[2]
    found = (SignInDomain.objects.select_related("identity_provider__school", "identity_provider__organisation")
             .filter(domain=domain, identity_provider__enabled=True).first())
    return found.identity_provider if found else None


def domains_of(idp: IdentityProvider) -> list[str]:
    return list(idp.domains.values_list("domain", flat=True))


def identity_providers_of(owner: School | Organisation) -> dict[str, IdentityProvider]:
    """The owner's configurations by kind, for its settings page."""
    found = (IdentityProvider.objects.filter(**_owned_by(owner))
             .select_related("enforces_mfa_recorded_by").prefetch_related("domains"))
    return {idp.kind: idp for idp in found}


def sign_in_options_for(school: School) -> list[IdentityProvider]:
    """The enabled configurations a school's staff sign in through: the school's own, then its trust's."""
    owned = Q(school=school)
    if school.organisation_id is not None:
        owned |= Q(organisation_id=school.organisation_id)
    options = IdentityProvider.objects.filter(owned, enabled=True).select_related("school", "organisation")
    return sorted(options, key=lambda idp: (idp.school_id is None, idp.kind != IdentityProvider.Kind.MICROSOFT))


def trust_options_for(school: School) -> list[IdentityProvider]:
    """The configurations of the school's trust (or local authority), which its staff may use too."""
    if school.organisation_id is None:
        return []
    return list(IdentityProvider.objects.filter(organisation_id=school.organisation_id)
                .select_related("organisation").prefetch_related("domains"))


def account_with_email(email: str) -> User | None:
    """The account whose address is ``email`` (stored in lower case), switched on or not."""
    return User.objects.filter(email=email.strip().lower()).first()


def may_sign_in_through(user: User, idp: IdentityProvider) -> bool:
    """``user`` holds a current role where the configuration belongs: in its school, or for a trust's, in one of
    the trust's schools or in the trust itself (its administrator)."""
    if idp.school_id is not None:
        return Membership.objects.filter(user=user, school_id=idp.school_id, is_active=True).exists()
    organisation_id = idp.organisation_id
    assert organisation_id is not None, "a database constraint gives every configuration one owner"
    in_a_school = Membership.objects.filter(user=user, school__organisation_id=organisation_id, is_active=True)
    in_the_trust = OrganisationMembership.objects.filter(user=user, organisation_id=organisation_id, is_active=True)
    return in_a_school.exists() or in_the_trust.exists()


def _owned_by(owner: School | Organisation) -> dict[str, School | Organisation]:
    return {"school": owner} if isinstance(owner, School) else {"organisation": owner}
