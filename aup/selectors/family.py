"""A signed-in parent's own children and answers."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from onlinesafety.access import found
from onlinesafety.accounts.models import Person, User
from onlinesafety.schools.models import ParentLink, Pupil, School

from .. import rights
from ..models import CampaignKind, Signature
from .rounds import Round, current_round, outstanding_filter, pk_of, pupils_of, with_statuses


def children_to_answer(user: Person, school: School) -> QuerySet[Pupil]:
    """The children this user has parental responsibility for, in this school."""
    return pupils_of(school).filter(rights.responsible_for(user)).select_related("school_class").distinct()


def with_own_answers(pupils: QuerySet[Pupil], user: User, round_: Round) -> QuerySet[Pupil]:
    """Annotates pupils (already annotated by ``with_statuses``) with the id of this user's own latest answer this
    round, ``own_agreement_answer`` and ``own_images_answer`` (None if they gave none): the copies the family page
    offers. Another carer's answer is not theirs to download."""
    own = Signature.objects.filter(pupil=OuterRef("pk"), user=user).order_by("-signed_at", "-pk").values("pk")
    agreement = own.filter(version_id=pk_of(round_.home), pupil_version_id=OuterRef("required_version"))
    images = own.filter(version_id=pk_of(round_.images))
    return pupils.annotate(own_agreement_answer=Subquery(agreement[:1]), own_images_answer=Subquery(images[:1]))


def get_child_for_parent(user: Person, school: School, pupil_id: int) -> Pupil:
    """A child of this parent (with parental responsibility). Anyone else's child is a 404."""
    return found(children_to_answer(user, school).filter(pk=pupil_id).first(), "No such child.")


def family_outstanding_count(user: Person, school: School) -> int:
    """How many of this parent's children still need an answer to a published agreement (one query)."""
    round_ = current_round(school)
    checks = [outstanding_filter(kind) for kind in CampaignKind if round_.ready(kind)]
    if not checks:
        return 0
    any_outstanding = checks[0]
    for check in checks[1:]:
        any_outstanding |= check
    pupils = with_statuses(pupils_of(school).filter(rights.responsible_for(user)), round_)
    return pupils.filter(any_outstanding).count()


def answers_for(pupil: Pupil, round_: Round, kind: str) -> list[Signature]:
    """Every answer recorded for the child this round, first first."""
    version, pupil_version = round_.versions_for(kind, pupil.year_group)
    if version is None:
        return []
    return list(Signature.objects.filter(pupil=pupil, version=version, pupil_version=pupil_version)
                .select_related("user").order_by("signed_at"))


def get_signature_for_parent(user: Person, school: School, signature_id: int) -> Signature:
    """One of this parent's own answers (another carer's answer carries that carer's details)."""
    signature = Signature.objects.filter(Q(pk=signature_id, school=school), rights.own_answers(user)).select_related(
        "version", "pupil_version", "pupil", "school").first()
    return found(signature, "No such answer.")


def relationship_of(parent: User, pupil: Pupil) -> str:
    return ParentLink.objects.filter(parent=parent, pupil=pupil).values_list(
        "relationship", flat=True).first() or ""
