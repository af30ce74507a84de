"""Members sign in the app: their own agreements, visitors at the office kiosk, and who runs the school's
official social media accounts (and so signs that agreement too)."""

from datetime import datetime, timedelta
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.clientaddress import client_ip
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.tokens import sha256_of

from .. import rights
from ..documents import signed_text
from ..models import AccountHolder, AgreementVersion, Audience, Channel, Signature
from ..selectors.agreements import current_versions, must_sign, people_who_sign

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)  # a form sent twice within this is one action


class RequestDetails(TypedDict):
    ip_address: str | None
    user_agent: str


def request_details(request: HttpRequest | None) -> RequestDetails:
    """What a signature records of the device it came from."""
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    user_agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:300]
    return {"ip_address": client_ip(request), "user_agent": user_agent}


def check_typed_name(typed_name: str) -> str:
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise RuleBroken("Type your full name to sign.")
    return typed_name[:150]


def sign_personal(*, version: AgreementVersion, user: User, school: School, typed_name: str,
                  request: HttpRequest | None = None, now: datetime | None = None) -> Signature:
    """A member signs the version in force of an agreement they must sign. Signing twice keeps one signature.

    The person signs for themselves: which versions those are is the selectors' rule (``must_sign``), which the
    view applies and this checks again."""
    require(must_sign(user, school, version), "That is not an agreement you sign in this school.")
    typed_name = check_typed_name(typed_name)
    existing = Signature.objects.filter(version=version, user=user, pupil__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                school=school, audience=version.agreement.audience, version=version, user=user,
                channel=Channel.IN_APP, typed_name=typed_name, signed_at=now or timezone.now(),
                text_sha256=sha256_of(signed_text(version)), **request_details(request),
            )
            record_event(verb="aup.signed", actor=user, school=school, target=signature, request=request,
                         detail={"version": version.pk, "audience": version.agreement.audience})
    except IntegrityError:  # the same form sent twice at once: the first one counts
        return Signature.objects.get(version=version, user=user, pupil__isnull=True)
    return signature


@transaction.atomic
def sign_at_kiosk(*, school: School, witness: User, full_name: str, organisation: str, visit_reason: str = "",
                  request: HttpRequest | None = None, now: datetime | None = None) -> Signature:
    """A visitor signs the visitor agreement on the office's device, with the member of staff beside them."""
    require(rights.can_run_kiosk(witness, school), "Only the school's staff can sign a visitor in.")
    version = current_versions(school).get(Audience.VISITOR)
    if version is None:
        raise RuleBroken("The visitor agreement has not been published yet.")
    full_name = check_typed_name(full_name)
    now = now or timezone.now()
    just_signed = Signature.objects.filter(  # the same form sent twice: keep the first
        school=school, version=version, channel=Channel.KIOSK, typed_name=full_name, witnessed_by=witness,
        signed_at__gte=now - DOUBLE_SUBMIT_WINDOW).first()
    if just_signed:
        return just_signed
    signature = Signature.objects.create(
        school=school, audience=Audience.VISITOR, version=version, channel=Channel.KIOSK,
        typed_name=full_name, organisation=organisation.strip()[:150],
        visit_reason=visit_reason.strip()[:200], witnessed_by=witness, signed_at=now,
        text_sha256=sha256_of(signed_text(version)), **request_details(request),
    )
    record_event(verb="aup.visitor_signed", actor=witness, school=school, target=signature, request=request)
    return signature


# ---------------------------------------------------------------- official social media accounts

@transaction.atomic
def add_account_holder(*, school: School, actor: User, user: User, accounts: str,
                       request: HttpRequest | None = None) -> AccountHolder:
    require(rights.can_manage_agreements(actor, school), "Only the Online Safety Lead or the head can say who "
                                                         "runs the school's accounts.")
    if not people_who_sign(school, Audience.STAFF).filter(pk=user.pk).exists():
        raise RuleBroken("Only staff and governors of this school can run its official accounts.")
    holder, created = AccountHolder.objects.update_or_create(
        school=school, user=user, defaults={"accounts": accounts.strip()[:200], "added_by": actor})
    record_event(verb="aup.account_holder_added", actor=actor, school=school, target=holder, request=request)
    return holder


@transaction.atomic
def remove_account_holder(*, holder: AccountHolder, actor: User, request: HttpRequest | None = None) -> None:
    require(rights.can_manage_agreements(actor, holder.school), "Only the Online Safety Lead or the head can say "
                                                                "who runs the school's accounts.")
    record_event(verb="aup.account_holder_removed", actor=actor, school=holder.school, target=holder,
                 request=request, detail={"user": holder.user_id})
    holder.delete()
