"""Families answer for a child: sign or decline the acceptable use agreement, or answer the image consent form,
signed in or through an emailed link."""

from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import queue_email
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import ParentLink, Pupil, School
from onlinesafety.tokens import sha256_of

from .. import rights
from ..documents import signed_text
from ..models import CampaignKind, Channel, Invitation, Outcome, Signature
from ..selectors.rounds import current_round
from .signing import check_typed_name, request_details

ImageAnswers = dict[str, bool]  # each of ``Signature.IMAGE_USES``: yes or no


class AlreadyAnswered(RuleBroken):
    """This child (or this person) has already answered the agreement in force."""


class AgreementChanged(RuleBroken):
    """A new version was published after the page was shown: the answer would be to a text not read."""


def answer_for_child(*, school: School, parent: User, pupil: Pupil, kind: CampaignKind, outcome: Outcome,
                     typed_name: str, relationship: str, discussed_with_child: bool = False,
                     decline_reason: str = "", image_answers: ImageAnswers | None = None,
                     invitation: Invitation | None = None, copy_url: Callable[[Signature], str] | None = None,
                     shown: tuple[int, int | None] | None = None,
                     request: HttpRequest | None = None) -> Signature:
    """A parent's answer for one child: sign or decline the acceptable use agreement, or answer the image
    consent form. Through a link, each child can be answered once; signed in, a parent who declined can
    still sign later. ``copy_url(signature)`` gives the address of the PDF copy for the email receipt.
    ``shown`` is the (version id, pupil version id) the page showed: if a new version was published since,
    nothing is recorded and the parent reads the new one.

    The parent's right is checked in ``record_answer``: parental responsibility for a child on roll here (a
    ``RuleBroken``, as a link's parent may have lost it since the email)."""
    typed_name = check_typed_name(typed_name)
    if relationship not in ParentLink.Relationship.values:
        raise RuleBroken("Choose your relationship to the child.")
    if kind == CampaignKind.IMAGES:
        outcome = Outcome.SIGNED
        if image_answers is None or any(image_answers.get(f) is None for f, _ in Signature.IMAGE_USES):
            raise RuleBroken("Answer yes or no for each use of photographs.")
    elif outcome == Outcome.DECLINED:
        if not decline_reason.strip():
            raise RuleBroken("Tell us why you are declining, so the school can talk it through with you.")
    elif not discussed_with_child:
        raise RuleBroken("Confirm that you have read and discussed the rules with your child.")
    try:
        with transaction.atomic():
            signature = record_answer(
                school=school, parent=parent, pupil=pupil, kind=kind, outcome=outcome, typed_name=typed_name,
                relationship=relationship, discussed_with_child=discussed_with_child,
                decline_reason=decline_reason, image_answers=image_answers, invitation=invitation,
                request=request, now=timezone.now(), shown=shown)
    except IntegrityError:
        raise AlreadyAnswered("An answer for this child has already been recorded.") from None
    _send_receipt(signature, parent, copy_url(signature) if copy_url else "")
    return signature


def record_answer(*, school: School, parent: User, pupil: Pupil, kind: CampaignKind, outcome: Outcome,
                  typed_name: str, relationship: str, discussed_with_child: bool, decline_reason: str,
                  image_answers: ImageAnswers | None, invitation: Invitation | None, request: HttpRequest | None,
                  now: datetime, shown: tuple[int, int | None] | None = None) -> Signature:
    """The answer itself, inside the caller's transaction and without the receipt: ``answer_for_child``'s
    write, and the demo's."""
    lock_for_update(pupil)  # one answer at a time per child, so two carers cannot both sign and decline
    if not rights.may_answer_for(parent, pupil, school):
        raise RuleBroken("You are not recorded as a parent of this child.")
    version, pupil_version = current_round(school).versions_for(kind, pupil.year_group)
    if version is None or (kind == CampaignKind.AGREEMENT and pupil_version is None):
        raise RuleBroken("This agreement has not been published yet.")
    if shown is not None and tuple(shown) != (version.pk, pupil_version.pk if pupil_version else None):
        raise AgreementChanged("The agreement was updated while you were reading it. Please read the new version.")
    answers = Signature.objects.filter(pupil=pupil, version=version, pupil_version=pupil_version)
    if invitation is not None and answers.exists():
        raise AlreadyAnswered("An answer for this child has already been recorded.")
    if answers.filter(outcome__in=[Outcome.SIGNED, outcome]).exists():
        raise AlreadyAnswered("An answer for this child has already been recorded.")
    fields = dict(image_answers or {}) if kind == CampaignKind.IMAGES else {}
    signature = Signature.objects.create(
        school=school, audience=version.agreement.audience, version=version, pupil_version=pupil_version,
        pupil=pupil, user=parent, invitation=invitation,
        channel=Channel.LINK if invitation is not None else Channel.IN_APP, outcome=outcome,
        typed_name=typed_name, relationship=relationship,
        discussed_with_child=discussed_with_child if kind == CampaignKind.AGREEMENT else None,
        decline_reason=decline_reason.strip() if outcome == Outcome.DECLINED else "",
        signed_at=now,
        text_sha256=sha256_of(signed_text(version, pupil_version, fields or None)),
        **fields, **request_details(request),
    )
    record_event(verb="aup.child_answered", actor=parent, school=school, target=signature, request=request,
                 detail={"kind": kind, "outcome": outcome, "channel": signature.channel})
    return signature


def _send_receipt(signature: Signature, parent: User, copy_url: str) -> None:
    when = timezone.localtime(signature.signed_at)
    what = "declined" if signature.outcome == Outcome.DECLINED else "recorded"
    body = (
        f"Thank you. Your answer was {what} on {when.day} {when:%B %Y} at {when:%H:%M}.\n\n"
        f"Reference: {signature.text_sha256[:16]} (the start of the SHA-256 fingerprint of the text you "
        "answered).\n\n"
    )
    if copy_url:
        body += f"Sign in to download a PDF copy of what you answered, at any time: {copy_url}\n"
    queue_email(to=parent.email, subject="Your answer has been recorded", body=body, kind="aup_receipt")
