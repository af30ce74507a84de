"""Coverage of the versions in force: counts per agreement and class, who is outstanding, and the figures for
the governors' report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from onlinesafety.accounts.models import User
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import ParentLink, Pupil, School

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
    no_email: int = 0  # pupils with no parent or carer with parental responsibility and an email on record

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
    no_email: list[CoverageRow]  # per class with any: pupils no campaign can reach (``no_email`` on each row)
    no_email_total: int  # the same, the whole school


def email_on_record() -> Exists:
    """For a pupil queryset: some contact with parental responsibility for the pupil has an email on record (so
    a campaign can reach the family)."""
    return Exists(ParentLink.objects.filter(pupil=OuterRef("pk"), has_parental_responsibility=True)
                  .exclude(contact__email=""))


def family_coverage(school: School, round_: Round) -> FamilyCoverage:
    """Counts per pupil agreement and per class, for the acceptable use round and for image consent, and the
    pupils with no email on record for their family, in one grouped query."""
    grouped = (
        with_statuses(pupils_of(school), round_).annotate(reachable=email_on_record())
        .values("reads", "school_class_id", "school_class__name", "school_class__year_group")
        .annotate(total=Count("pk"), signed=Count("pk", filter=Q(aup_signed=True)),
                  declined=Count("pk", filter=Q(aup_signed=False, aup_declined=True)),
                  images=Count("pk", filter=Q(images_answered=True)),
                  no_email=Count("pk", filter=Q(reachable=False)))
        .order_by("school_class__year_group", "school_class__name", "reads")
    )
    aup_ready, images_ready = round_.ready(CampaignKind.AGREEMENT), round_.ready(CampaignKind.IMAGES)
    # The school's own pupil agreements (its phase decides), and any a pupil on roll reads all the same.
    audiences = {a: CoverageRow(Audience(a).label, key=a, published=aup_ready) for a in PUPIL_AUDIENCES
                 if a in round_.pupil_audiences}
    classes: dict[object, CoverageRow] = {}
    image_classes: dict[object, CoverageRow] = {}
    images_total = CoverageRow(Audience.IMAGE_CONSENT.label, key=Audience.IMAGE_CONSENT, published=images_ready)
    no_email: dict[object, CoverageRow] = {}
    for row in grouped:
        class_key = row["school_class_id"] or "none"
        label = row["school_class__name"] or "No class"
        signed, declined = (row["signed"], row["declined"]) if aup_ready else (0, 0)
        images = row["images"] if images_ready else 0
        reads = audiences.setdefault(row["reads"], CoverageRow(Audience(row["reads"]).label, key=row["reads"],
                                                               published=aup_ready))
        for target, s, d in ((reads, signed, declined),
                             (classes.setdefault(class_key, CoverageRow(label, key=str(class_key))), signed, declined),
                             (image_classes.setdefault(class_key, CoverageRow(label, key=str(class_key))), images, 0),
                             (images_total, images, 0)):
            target.total += row["total"]
            target.signed += s
            target.declined += d
        class_row = no_email.setdefault(class_key, CoverageRow(label, key=str(class_key)))
        class_row.total += row["total"]
        class_row.no_email += row["no_email"]
    return FamilyCoverage(audiences=list(audiences.values()), classes=list(classes.values()),
                          image_classes=list(image_classes.values()), images=images_total,
                          aup_ready=aup_ready, images_ready=images_ready,
                          no_email=[row for row in no_email.values() if row.no_email],
                          no_email_total=sum(row.no_email for row in no_email.values()))


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


def pupils_without_email(school: School, class_key: str = "") -> QuerySet[Pupil]:
    """Pupils on roll none of whose contacts with parental responsibility has an email on record, with those
    contacts (so the office can see whom to ask); ``class_key`` a class id or "none" (no class)."""
    pupils = pupils_of(school).exclude(email_on_record())
    if class_key == "none":
        pupils = pupils.filter(school_class__isnull=True)
    elif class_key:
        pupils = pupils.filter(school_class_id=int(class_key))
    carers = ParentLink.objects.filter(has_parental_responsibility=True).select_related("contact").order_by(
        "priority", "contact__full_name")
    return (pupils.select_related("school_class").prefetch_related(Prefetch("parent_links", queryset=carers))
            .order_by("school_class__year_group", "school_class__name", "last_name", "first_name", "pk"))


def pupil_status_rows(school: School, round_: Round) -> QuerySet[PupilWithStatus]:
    """Every pupil with ``with_statuses`` and ``email_on_record`` (for the CSV)."""
    return with_statuses(pupils_of(school), round_).annotate(email_on_record=email_on_record()).select_related(
        "school_class").order_by("school_class__year_group", "school_class__name", "last_name", "first_name")


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
