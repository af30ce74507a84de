"""Who must sign in with a second factor, whether this session has one, and whether it is recent (step-up).

The second factor itself (TOTP, WebAuthn, recovery codes, the sign-in stage that asks for it) is allauth.mfa's;
this module holds the product's rules around it, read by the middleware, the adapter and the step-up check.
"""

import time
from collections.abc import Iterable

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest

from onlinesafety.schools.models import Membership, OrganisationMembership, OrganisationRole
from onlinesafety.schools.roles import SECOND_FACTOR_ROLES, STAFF_AND_GOVERNORS

from .models import User

# A real second factor: recovery codes only stand in for one that was lost.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Set by single sign-on (onlinesafety/sso) when the school records that its identity provider asks for a second
# factor itself: the value is when (a Unix time), and it counts as this session's second factor.
MFA_BY_IDENTITY_PROVIDER_SESSION_KEY = "_mfa_by_identity_provider"


def administers_an_organisation(user: User) -> bool:
    """A trust or local authority administrator: they give schools their roles (the DSL's too)."""
    return OrganisationMembership.objects.filter(user=user, is_active=True,
                                                 role=OrganisationRole.ADMINISTRATOR).exists()


def second_factor_required(user: User, memberships: Iterable[Membership] | None = None,
                           organisation_administrator: bool | None = None) -> bool:
    """The site administrator, a trust or local authority administrator, and whoever holds a role that requires
    it in any school they belong to. ``memberships`` (the person's active ones, with their schools) and
    ``organisation_administrator`` save the queries when the caller has them."""
    if user.is_staff:
        return True
    if organisation_administrator is None:
        organisation_administrator = administers_an_organisation(user)
    if organisation_administrator:
        return True
    if memberships is None:
        memberships = Membership.objects.filter(user=user, is_active=True).select_related("school")
    return any(membership.role in SECOND_FACTOR_ROLES or membership.is_chair
               or (membership.role in STAFF_AND_GOVERNORS and membership.school.second_factor_for_all_staff)
               for membership in memberships)


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def _last_second_factor_at(request: HttpRequest) -> float | None:
    records = get_authentication_records(request, request.user)
    times = [record["at"] for record in records if record.get("method") == "mfa"]
    by_provider = request.session.get(MFA_BY_IDENTITY_PROVIDER_SESSION_KEY)
    if isinstance(by_provider, (int, float)):
        times.append(float(by_provider))
    return max(times) if times else None


def session_has_second_factor(request: HttpRequest) -> bool:
    return _last_second_factor_at(request) is not None


def second_factor_is_recent(request: HttpRequest) -> bool:
    """Step-up: the second factor was given in the last STEP_UP_MINUTES."""
    at = _last_second_factor_at(request)
    return at is not None and time.time() - at <= settings.STEP_UP_MINUTES * 60
