"""The current round for families: the versions in force for them, and where each child's answers stand,
worked out in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Case, CharField, Exists, Field, IntegerField, OuterRef, Q, QuerySet, Value, When

from onlinesafety.schools.models import Pupil, School

from ..models import (
    PUPIL_AGREEMENT_TOPS,
    PUPIL_AUDIENCES,
    AgreementVersion,
    Audience,
    CampaignKind,
    Outcome,
    Signature,
    pupil_audience,
)
from .agreements import agreements_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class PupilStatus(TypedDict):
    """What ``with_statuses`` adds to each pupil."""

    required_version: int  # the id of the pupil agreement in force for them (0 if unpublished)
    reads: str  # the audience of the pupil agreement they read
    aup_signed: bool  # a parent signed this round's acceptable use agreement
    aup_declined: bool  # a parent declined it
    images_answered: bool  # a parent answered this round's image consent form


if TYPE_CHECKING:
    PupilWithStatus = WithAnnotations[Pupil, PupilStatus]


@dataclass
class Round:
    """The versions in force for families: the home agreement, each pupil agreement and the image form.

    ``pupil_audiences`` are the pupil agreements the school has (its phase decides: a nursery has only the
    EYFS/KS1 one); families can be asked once the home agreement and each of those is published."""

    versions: dict[str, AgreementVersion]
    pupil_audiences: frozenset[str] = frozenset(PUPIL_AUDIENCES)

    @property
    def home(self) -> AgreementVersion | None:
        return self.versions.get(Audience.PARENT)

    @property
    def images(self) -> AgreementVersion | None:
        return self.versions.get(Audience.IMAGE_CONSENT)

    def pupil_version(self, year_group: int) -> AgreementVersion | None:
        return self.versions.get(pupil_audience(year_group))

    def ready(self, kind: str) -> bool:
        if kind == CampaignKind.IMAGES:
            return self.images is not None
        return (self.home is not None and bool(self.pupil_audiences)
                and all(self.versions.get(a) for a in self.pupil_audiences))

    def versions_for(self, kind: str, year_group: int) -> tuple[AgreementVersion | None, AgreementVersion | None]:
        """(version, pupil_version) a child of this year group is answered against."""
        if kind == CampaignKind.IMAGES:
            return self.images, None
        return self.home, self.pupil_version(year_group)


def current_round(school: School) -> Round:
    """The school's round, from one query over its agreements."""
    agreements = list(agreements_of(school))
    return Round(versions={a.audience: a.current_version for a in agreements if a.current_version is not None},
                 pupil_audiences=frozenset(a.audience for a in agreements if a.audience in PUPIL_AUDIENCES))


def pk_of(version: AgreementVersion | None) -> int:
    """The version's id, or 0 (no row has it) when there is none."""
    return version.pk if version else 0


def with_statuses(pupils: QuerySet[Pupil], round_: Round) -> QuerySet[PupilWithStatus]:
    """Annotates each pupil, in the database, with where their family's answers stand this round (see
    ``PupilStatus``)."""
    required = _by_pupil_agreement({a: pk_of(round_.versions.get(a)) for a in PUPIL_AUDIENCES}, IntegerField())
    reads = _by_pupil_agreement({a: a.value for a in PUPIL_AUDIENCES}, CharField())
    answers = Signature.objects.filter(pupil=OuterRef("pk"), version_id=pk_of(round_.home),
                                       pupil_version_id=OuterRef("required_version"))
    images = Signature.objects.filter(pupil=OuterRef("pk"), version_id=pk_of(round_.images))
    return pupils.annotate(
        required_version=required, reads=reads,
        aup_signed=Exists(answers.filter(outcome=Outcome.SIGNED)),
        aup_declined=Exists(answers.filter(outcome=Outcome.DECLINED)),
        images_answered=Exists(images),
    )


def _by_pupil_agreement(values: dict[Audience, int] | dict[Audience, str], output_field: Field) -> Case:
    """``pupil_audience`` in SQL: for each pupil, the value given for the agreement they read."""
    return Case(*[When(year_group__lte=top, then=Value(values[audience])) for top, audience in PUPIL_AGREEMENT_TOPS],
                default=Value(values[Audience.PUPIL_OLDER]), output_field=output_field)


AUP_OUTSTANDING = Q(aup_signed=False, aup_declined=False)


def outstanding_filter(kind: str) -> Q:
    """Pupils (annotated by ``with_statuses``) whose family has still to answer ``kind``."""
    return Q(images_answered=False) if kind == CampaignKind.IMAGES else AUP_OUTSTANDING


def pupils_of(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school=school, is_on_roll=True)
