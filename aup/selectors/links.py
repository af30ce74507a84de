"""The emailed signing links: the link for a token, and the children it still reaches.

The link pages need no sign-in, so these are checked on every request: the link exists and has not expired
(the views), and each child is on the invitation, on roll and still the parent's responsibility (here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from onlinesafety.schools.models import Pupil
from onlinesafety.tokens import LONGEST_TOKEN, sha256_of

from .. import rights
from ..models import CampaignKind, Signature, SigningLink
from .rounds import PupilStatus, current_round, with_statuses

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations



class ChildOnLinkStatus(PupilStatus):
    answered: bool  # the family has answered for the child this round, so the link is spent for them


if TYPE_CHECKING:
    ChildOnLink = WithAnnotations[Pupil, ChildOnLinkStatus]


def signing_link(token: str) -> SigningLink | None:
    """The link for this token, whatever its state; None for a token nobody was given."""
    if not token or len(token) > LONGEST_TOKEN:
        return None
    return SigningLink.objects.filter(token_hash=sha256_of(token)).select_related(
        "invitation__campaign__school", "invitation__parent").first()


def _children_on_link(link: SigningLink) -> QuerySet[Pupil]:
    """The children the link covers who are still on roll and still this parent's responsibility."""
    invitation = link.invitation
    return (invitation.pupils.filter(rights.responsible_for(invitation.parent_id), school=invitation.campaign.school)
            .select_related("school_class", "school").distinct())


def children_on_link(link: SigningLink) -> list[ChildOnLink]:
    """Each child on the link, annotated with ``answered`` (see ``ChildOnLinkStatus``)."""
    kind = link.invitation.campaign.kind
    round_ = current_round(link.invitation.campaign.school)
    answered = F("images_answered") if kind == CampaignKind.IMAGES else Q(aup_signed=True) | Q(aup_declined=True)
    return list(with_statuses(_children_on_link(link), round_).annotate(
        answered=ExpressionWrapper(answered, output_field=BooleanField())).order_by("first_name", "pk"))


def still_to_answer(children: list[ChildOnLink]) -> list[ChildOnLink]:
    """The children on the link with no answer yet: all a link shows once one child is answered."""
    return [child for child in children if not child.answered]


def child_on_link(link: SigningLink, pupil_id: int) -> Pupil | None:
    return _children_on_link(link).filter(pk=pupil_id).first()


def answer_on_link(link: SigningLink, pupil: Pupil) -> Signature | None:
    """This parent's answer for the child in the current round."""
    round_ = current_round(pupil.school)
    version, pupil_version = round_.versions_for(link.invitation.campaign.kind, pupil.year_group)
    return Signature.objects.filter(pupil=pupil, version=version, pupil_version=pupil_version,
                                    user_id=link.invitation.parent_id).select_related(
        "version", "pupil_version", "school").order_by("-signed_at").first()
