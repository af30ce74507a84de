"""The registers every member of staff must see: pupils kept off school technology, and pupils who must not be
photographed or published."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from incidents.selectors import access_removals
from onlinesafety.access import found
from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import Pupil, School

from .. import rights
from ..models import PUPIL_AUDIENCES, AccessRestriction, CampaignKind, Signature
from .rounds import Round, current_round, pk_of, pupils_of, with_statuses

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def grace_days() -> int:
    """Days after publishing before a pupil with no signed agreement is kept off school technology."""
    return settings.AUP_GRACE_DAYS


# ---------------------------------------------------------------- the technology access register

@dataclass
class Restriction:
    """One pupil on the technology access register: every reason, and the latest date it runs to."""

    pupil: Pupil
    reasons: list[str] = field(default_factory=list)
    until: date | None = None
    manual: list[AccessRestriction] = field(default_factory=list)  # added by hand, which staff can lift


def technology_register(school: School, today: date) -> list[Restriction]:
    """Pupils who must not use school technology today, and why.

    A parent declined the agreement; no signed agreement once the grace period after publishing has passed;
    access removed by a sanction on an incident; or a restriction added by hand.
    """
    round_ = current_round(school)
    removed = access_removals(school, today)
    manual: dict[int, list[AccessRestriction]] = {}
    for restriction in active_restrictions(school, today):
        manual.setdefault(restriction.pupil_id, []).append(restriction)
    overdue = _audiences_past_grace(school, round_, today)
    aup_ready = round_.ready(CampaignKind.AGREEMENT)
    condition = Q(pk__in=list(removed) + list(manual))
    if aup_ready:
        condition |= Q(aup_signed=False, aup_declined=True) | Q(aup_signed=False, reads__in=overdue)
    pupils = with_statuses(pupils_of(school), round_).filter(condition).select_related("school_class").order_by(
        "school_class__year_group", "last_name", "first_name")
    register = []
    for pupil in pupils:
        entry = Restriction(pupil)
        if aup_ready and not pupil.aup_signed:
            if pupil.aup_declined:
                entry.reasons.append("A parent declined the acceptable use agreement")
            elif pupil.reads in overdue:
                entry.reasons.append("No signed acceptable use agreement")
        if pupil.pk in removed:
            entry.reasons.append("Access removed after an incident")
            entry.until = removed[pupil.pk]
        for restriction in manual.get(pupil.pk, []):
            entry.manual.append(restriction)
            entry.reasons.append(restriction.reason)
            if restriction.ends_on and (entry.until is None or restriction.ends_on > entry.until):
                entry.until = restriction.ends_on
        register.append(entry)
    return register


def _audiences_past_grace(school: School, round_: Round, today: date) -> list[str]:
    """Pupil agreements whose grace period (counted in the school's days from the later of their two versions)
    has ended."""
    if round_.home is None:
        return []
    overdue: list[str] = []
    zone = zoneinfo.ZoneInfo(school.timezone)
    for audience in PUPIL_AUDIENCES:
        version = round_.versions.get(audience)
        if version is None:
            continue
        published = max(version.published_at, round_.home.published_at).astimezone(zone).date()
        if today > published + timedelta(days=grace_days()):
            overdue.append(audience)
    return overdue


def active_restrictions(school: School, today: date) -> QuerySet[AccessRestriction]:
    return AccessRestriction.objects.filter(school=school, lifted_at__isnull=True, pupil__is_on_roll=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)).select_related("pupil", "added_by")


def get_restriction_for_user(user: Person, school: School, restriction_id: int) -> AccessRestriction:
    """A restriction still in force, for someone who may use the registers; a 404 for anyone else."""
    if not rights.can_use_registers(user, school):
        raise Http404("No such restriction.")
    return found(AccessRestriction.objects.filter(school=school, pk=restriction_id, lifted_at__isnull=True).first(),
                 "No such restriction.")


# ---------------------------------------------------------------- the photograph register

class ImageAnswers(TypedDict):
    """The latest answer to the image consent form in force, per use (None: no answer)."""

    photos_in_school: bool | None
    photos_on_website: bool | None
    photos_on_social_media: bool | None
    photos_in_press: bool | None


if TYPE_CHECKING:
    ImageRegisterPupil = WithAnnotations[Pupil, ImageAnswers]


def image_register(school: School) -> QuerySet[ImageRegisterPupil]:
    """Pupils who must not be photographed or published for at least one use, with the answer for each use.

    Without an answer to the current consent form, every use is a no: permission comes first."""
    round_ = current_round(school)
    answers = Signature.objects.filter(pupil=OuterRef("pk"), version_id=pk_of(round_.images)).order_by("-signed_at")

    def latest(use: str) -> Subquery:
        return Subquery(answers.values(use)[:1], output_field=BooleanField())

    pupils = pupils_of(school).annotate(  # each of Signature.IMAGE_USES
        photos_in_school=latest("photos_in_school"), photos_on_website=latest("photos_on_website"),
        photos_on_social_media=latest("photos_on_social_media"), photos_in_press=latest("photos_in_press"))
    any_no = Q()
    for name, _ in Signature.IMAGE_USES:
        any_no |= Q(**{f"{name}__isnull": True}) | Q(**{name: False})
    return pupils.filter(any_no).select_related("school_class").order_by(
        "school_class__year_group", "last_name", "first_name")


@dataclass(frozen=True)
class ImageRow:
    """A pupil on the photograph register and their answer for each use, in the order of ``IMAGE_USES``."""

    pupil: Pupil
    uses: list[bool | None]


def image_rows(pupils: Iterable[ImageRegisterPupil]) -> list[ImageRow]:
    return [ImageRow(pupil, [getattr(pupil, name) for name, _ in Signature.IMAGE_USES]) for pupil in pupils]
