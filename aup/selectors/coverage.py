"""Coverage of the versions in force: counts per agreement and class, who is outstanding, and the figures for
the governors' report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from onlinesafety.accounts.models import User
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import School

from ..models import PERSONAL_AUDIENCES, PUPIL_AUDIENCES, Audience, CampaignKind, Signature
from .agreements import people_who_sign
from .rounds import Round, current_round, outstanding_filter, pk_of, pupils_of, with_statuses

if TYPE_CHECKING:
    from .rounds import PupilWithStatus


@dataclass
class CoverageRow:
    label: str
    total: int = 0
    signed: int = 0
    declined: int = 0
    key: str = ""
    published: bool = True

    @property
    def outstanding(self) -> int:
        return self.total - self.signed - self.declined

    def percent(self, count: int) -> int:
        return round(100 * count / self.total) if self.total else 0

    @property
    def signed_percent(self) -> int:
        return self.percent(self.signed)

    @property
    def declined_percent(self) -> int:
        return self.percent(self.declined)

    @property
    def outstanding_percent(self) -> int:
        return self.percent(self.outstanding)


def personal_coverage(school: School, round_: Round) -> list[CoverageRow]:
    """Members who must sign each personal agreement, and how many have signed the current version."""
    rows = []
    for audience in PERSONAL_AUDIENCES:
        version = round_.versions.get(audience)
        people = people_who_sign(school, audience)
        signed = Signature.objects.filter(version_id=pk_of(version), user=OuterRef("pk"), pupil__isnull=True)
        counts = people.annotate(has_signed=Exists(signed)).aggregate(
            total=Count("pk"), signed=Count("pk", filter=Q(has_signed=True)))
        rows.append(CoverageRow(Audience(audience).label, counts["total"], counts["signed"] if version else 0,
                                key=audience, published=version is not None))
    return rows


def unsigned_people(school: School, audience: str, round_: Round) -> QuerySet[User]:
    version = round_.versions.get(audience)
    signed = Signature.objects.filter(version_id=pk_of(version), user=OuterRef("pk"), pupil__isnull=True)
    return people_who_sign(school, audience).exclude(Exists(signed))


class FamilyCoverage(TypedDict):
    audiences: list[CoverageRow]  # acceptable use, per pupil agreement
    classes: list[CoverageRow]  # acceptable use, per class
    image_classes: list[CoverageRow]  # image consent, per class
    images: CoverageRow  # image consent, the whole school
    aup_ready: bool  # the home agreement and every pupil agreement are published
    images_ready: bool  # the image consent form is published


def family_coverage(school: School, round_: Round) -> FamilyCoverage:
    """Counts per pupil agreement and per class, for the acceptable use round and for image consent, in one
    grouped query."""
    grouped = (
        with_statuses(pupils_of(school), round_)
        .values("reads", "school_class_id", "school_class__name", "school_class__year_group")
        .annotate(total=Count("pk"), signed=Count("pk", filter=Q(aup_signed=True)),
                  declined=Count("pk", filter=Q(aup_signed=False, aup_declined=True)),
                  images=Count("pk", filter=Q(images_answered=True)))
        .order_by("school_class__year_group", "school_class__name", "reads")
    )
    aup_ready, images_ready = round_.ready(CampaignKind.AGREEMENT), round_.ready(CampaignKind.IMAGES)
    audiences = {a: CoverageRow(Audience(a).label, key=a, published=aup_ready) for a in PUPIL_AUDIENCES}
    classes: dict[object, CoverageRow] = {}
    image_classes: dict[object, CoverageRow] = {}
    images_total = CoverageRow(Audience.IMAGE_CONSENT.label, key=Audience.IMAGE_CONSENT, published=images_ready)
    for row in grouped:
        class_key = row["school_class_id"] or "none"
        label = row["school_class__name"] or "No class"
        signed, declined = (row["signed"], row["declined"]) if aup_ready else (0, 0)
        images = row["images"] if images_ready else 0
        for target, s, d in ((audiences[row["reads"]], signed, declined),
                             (classes.setdefault(class_key, CoverageRow(label, key=str(class_key))), signed, declined),
                             (image_classes.setdefault(class_key, CoverageRow(label, key=str(class_key))), images, 0),
                             (images_total, images, 0)):
            target.total += row["total"]
            target.signed += s
            target.declined += d
    return FamilyCoverage(audiences=list(audiences.values()), classes=list(classes.values()),
                          image_classes=list(image_classes.values()), images=images_total,
                          aup_ready=aup_ready, images_ready=images_ready)


def outstanding_pupils(school: School, round_: Round, kind: str, class_key: str = "",
                       reads: str = "") -> QuerySet[PupilWithStatus]:
    """Pupils whose family has still to answer ``kind``; ``class_key`` a class id or "none" (no class)."""
    pupils = with_statuses(pupils_of(school), round_).filter(outstanding_filter(kind))
    if class_key == "none":
        pupils = pupils.filter(school_class__isnull=True)
    elif class_key:
        pupils = pupils.filter(school_class_id=int(class_key))
    if reads:
        pupils = pupils.filter(reads=reads)
    return pupils.select_related("school_class").order_by("school_class__year_group", "last_name", "first_name")


def pupil_status_rows(school: School, round_: Round) -> QuerySet[PupilWithStatus]:
    return with_statuses(pupils_of(school), round_).select_related("school_class").order_by(
        "school_class__year_group", "school_class__name", "last_name", "first_name")


class AgreementFigures(TypedDict):
    """Signed, declined and outstanding per audience for the versions in force, and image consent."""

    rows: list[CoverageRow]


def term_figures(school: School, period: ReportPeriod) -> AgreementFigures:
    """For a report: coverage of the versions in force as the report is built (agreements are answered per
    version, not per term, so the period only names the term it is reported with). Counts only."""
    round_ = current_round(school)
    families = family_coverage(school, round_)
    rows = personal_coverage(school, round_) + families["audiences"] + [families["images"]]
    return AgreementFigures(rows=[row for row in rows if row.published and row.total])
