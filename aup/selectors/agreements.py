"""Agreements, their versions, and the personal agreements members sign themselves (who signs what)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from onlinesafety.access import found
from onlinesafety.accounts.models import Person, User
from onlinesafety.forms import LARGEST_ID
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import ADULT_MEMBERS, STAFF_AND_GOVERNORS, Role
from onlinesafety.schools.selectors import roles_in, users_with_roles

from .. import rights
from ..models import AccountHolder, Agreement, AgreementVersion, Audience, Signature

# ---------------------------------------------------------------- agreements and versions


def agreements_of(school: School) -> QuerySet[Agreement]:
    return Agreement.objects.filter(school=school).select_related("current_version")


def get_agreement_for_user(user: Person, school: School, agreement_id: int) -> Agreement:
    """One of the school's agreements, for someone who may read them; a 404 for anyone else."""
    if not rights.can_read_agreements(user, school):
        raise Http404("No such agreement.")
    return found(agreements_of(school).filter(pk=agreement_id).first(), "No such agreement.")


def versions_of(agreement: Agreement) -> QuerySet[AgreementVersion]:
    return agreement.versions.select_related("published_by").annotate(
        signatures_count=Count("signatures")
    ).order_by("-number")


def get_version(agreement: Agreement, number: int) -> AgreementVersion:
    """A published version of an agreement the person may already read, by its number; else a 404."""
    return found(agreement.versions.select_related("published_by").filter(number=number).first(),
                 "No such version.")


def current_versions(school: School) -> dict[str, AgreementVersion]:
    """The version in force for each audience that has one."""
    agreements = agreements_of(school).filter(current_version__isnull=False)
    return {agreement.audience: agreement.current_version for agreement in agreements
            if agreement.current_version is not None}


# ---------------------------------------------------------------- who signs which personal agreement

def _personal_filter(user: User, school: School) -> Q:
    """The personal agreements this member signs: staff and governors the staff agreement, visitors the visitor
    agreement, and those running an official social media account that one too."""
    roles = roles_in(user, school)
    direct = []
    if roles & STAFF_AND_GOVERNORS:
        direct.append(Audience.STAFF)
    elif Role.VISITOR in roles:
        direct.append(Audience.VISITOR)
    if not direct:
        return Q(pk__in=[])
    holder = AccountHolder.objects.filter(school=school, user=user)
    return Q(audience__in=direct) | Q(Exists(holder), audience=Audience.SOCIAL_MEDIA)


def people_who_sign(school: School, audience: str) -> QuerySet[User]:
    """The members who must sign this personal agreement (the same rule as ``_personal_filter``)."""
    if audience == Audience.STAFF:
        return users_with_roles(school, STAFF_AND_GOVERNORS)
    if audience == Audience.VISITOR:
        staff = users_with_roles(school, STAFF_AND_GOVERNORS).values("pk")
        return users_with_roles(school, [Role.VISITOR]).exclude(pk__in=staff)
    holders = AccountHolder.objects.filter(school=school).values("user_id")
    return users_with_roles(school, ADULT_MEMBERS).filter(pk__in=holders)


def unsigned_agreements(user: Person, school: School | None) -> list[Agreement]:
    """The agreements in force that this member must sign and has not signed yet (one query)."""
    if school is None or not isinstance(user, User):  # not signed in
        return []
    signed = Signature.objects.filter(version=OuterRef("current_version"), user=user, pupil__isnull=True)
    return list(
        agreements_of(school).filter(_personal_filter(user, school), current_version__isnull=False)
        .exclude(Exists(signed)).order_by("audience")
    )


@dataclass(frozen=True)
class PersonalAgreement:
    """An agreement this member signs, and their signature of the version in force if they have signed it."""

    agreement: Agreement
    signature: Signature | None


def personal_agreements(user: User, school: School) -> list[PersonalAgreement]:
    """Each agreement this member signs, with their signature of the current version if any."""
    agreements = list(agreements_of(school).filter(_personal_filter(user, school), current_version__isnull=False))
    signatures = {
        s.version_id: s for s in Signature.objects.filter(
            user=user, pupil__isnull=True, version__in=[a.current_version_id for a in agreements])
    }
    return [PersonalAgreement(a, signatures.get(a.current_version_id)) for a in agreements if a.current_version_id]


def get_version_to_sign(user: User, school: School, version_id: int) -> AgreementVersion:
    """A current version this member must sign; 404 for anything else (another school, an old version)."""
    if version_id > LARGEST_ID:
        raise Http404("Nothing to sign here.")
    agreement = agreements_of(school).filter(_personal_filter(user, school), current_version_id=version_id).first()
    return found(agreement.current_version if agreement else None, "Nothing to sign here.")


def must_sign(user: User, school: School, version: AgreementVersion) -> bool:
    """``version`` is the version in force of an agreement this member signs in ``school`` (the same rule as
    ``get_version_to_sign``; the signing service checks it again)."""
    return agreements_of(school).filter(_personal_filter(user, school), current_version=version).exists()


def signatures_of_user(user: User, school: School) -> QuerySet[Signature]:
    return Signature.objects.filter(school=school, user=user, pupil__isnull=True).select_related("version")


# ---------------------------------------------------------------- the kiosk and the account holders

def kiosk_signatures(school: School) -> QuerySet[Signature]:
    return Signature.objects.filter(school=school, audience=Audience.VISITOR, pupil__isnull=True).select_related(
        "version", "witnessed_by", "user").order_by("-signed_at")


def account_holders(school: School) -> QuerySet[AccountHolder]:
    return AccountHolder.objects.filter(school=school).select_related("user")
