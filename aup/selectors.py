"""Reads of agreements, signatures and the registers, scoped to the school and to who is asking."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypedDict

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from incidents.selectors import access_removals
from onlinesafety.forms import LARGEST_ID
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import ParentLink, Pupil, School
from onlinesafety.schools.roles import LEADERSHIP, SCHOOL_STAFF, Role
from onlinesafety.schools.selectors import roles_in, users_with_roles

from .models import (
    PERSONAL_AUDIENCES,
    PUPIL_AGREEMENT_TOPS,
    PUPIL_AUDIENCES,
    AccessRestriction,
    AccountHolder,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    CampaignKind,
    Invitation,
    Outcome,
    Signature,
    SigningLink,
    pupil_audience,
    sha256_of,
)

MANAGER_ROLES = frozenset({Role.ONLINE_SAFETY_LEAD, Role.HEADTEACHER})  # edit, publish, run campaigns
COVERAGE_ROLES = LEADERSHIP  # the Online Safety Lead, the DSL team and the head
READER_ROLES = SCHOOL_STAFF | {Role.GOVERNOR}  # may read every agreement
REGISTER_ROLES = SCHOOL_STAFF  # the no-technology and no-photographs registers
KIOSK_ROLES = SCHOOL_STAFF
# Who signs which personal agreement, by role. Account holders sign the social media one as well.
STAFF_AUDIENCE_ROLES = SCHOOL_STAFF | {Role.GOVERNOR}


def grace_days() -> int:
    return settings.AUP_GRACE_DAYS


# ---------------------------------------------------------------- agreements and versions

def agreements_of(school: School) -> QuerySet[Agreement]:
    return Agreement.objects.filter(school=school).select_related("current_version")


def get_agreement_for_user(user, school: School, agreement_id: int) -> Agreement:
    if not roles_in(user, school) & READER_ROLES:
        raise Http404("No such agreement.")
    agreement = agreements_of(school).filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


def versions_of(agreement: Agreement) -> QuerySet[AgreementVersion]:
    return agreement.versions.select_related("published_by").annotate(
        signatures_count=Count("signatures")
    ).order_by("-number")


def current_versions(school: School) -> dict[str, AgreementVersion]:
    """The version in force for each audience that has one."""
    agreements = agreements_of(school).filter(current_version__isnull=False)
    return {agreement.audience: agreement.current_version for agreement in agreements}


# ---------------------------------------------------------------- personal agreements

def _personal_filter(user, school: School) -> Q:
    roles = roles_in(user, school)
    direct = []
    if roles & STAFF_AUDIENCE_ROLES:
        direct.append(Audience.STAFF)
    elif Role.VISITOR in roles:
        direct.append(Audience.VISITOR)
    if not direct:
        return Q(pk__in=[])
    holder = AccountHolder.objects.filter(school=school, user=user)
    return Q(audience__in=direct) | Q(Exists(holder), audience=Audience.SOCIAL_MEDIA)


def unsigned_agreements(user, school: School) -> list[Agreement]:
    """The agreements in force that this member must sign and has not signed yet (one query)."""
    if school is None or not user.is_authenticated:
        return []
    signed = Signature.objects.filter(version=OuterRef("current_version"), user=user, pupil__isnull=True)
    return list(
        agreements_of(school).filter(_personal_filter(user, school), current_version__isnull=False)
        .exclude(Exists(signed)).order_by("audience")
    )


def personal_agreements(user, school: School) -> list[dict]:
    """Each agreement this member signs, with their signature of the current version if any."""
    agreements = list(agreements_of(school).filter(_personal_filter(user, school), current_version__isnull=False))
    signatures = {
        s.version_id: s for s in Signature.objects.filter(
            user=user, pupil__isnull=True, version__in=[a.current_version_id for a in agreements])
    }
    return [{"agreement": a, "signature": signatures.get(a.current_version_id)} for a in agreements]


def get_version_to_sign(user, school: School, version_id: int) -> AgreementVersion:
    """A current version this member must sign; 404 for anything else (another school, an old version)."""
    if version_id > LARGEST_ID:
        raise Http404("Nothing to sign here.")
    agreement = agreements_of(school).filter(_personal_filter(user, school), current_version_id=version_id).first()
    if agreement is None:
        raise Http404("Nothing to sign here.")
    return agreement.current_version


def signatures_of_user(user, school: School) -> QuerySet[Signature]:
    return Signature.objects.filter(school=school, user=user, pupil__isnull=True).select_related("version")


def kiosk_signatures(school: School) -> QuerySet[Signature]:
    return Signature.objects.filter(school=school, audience=Audience.VISITOR, pupil__isnull=True).select_related(
        "version", "witnessed_by", "user").order_by("-signed_at")


def account_holders(school: School) -> QuerySet[AccountHolder]:
    return AccountHolder.objects.filter(school=school).select_related("user")


# ---------------------------------------------------------------- children: status in the current round

@dataclass
class Round:
    """The versions in force for families: the home agreement, each pupil agreement and the image form."""

    versions: dict[str, AgreementVersion]

    @property
    def home(self):
        return self.versions.get(Audience.PARENT)

    @property
    def images(self):
        return self.versions.get(Audience.IMAGE_CONSENT)

    def pupil_version(self, year_group: int):
        return self.versions.get(pupil_audience(year_group))

    def ready(self, kind: str) -> bool:
        if kind == CampaignKind.IMAGES:
            return self.images is not None
        return self.home is not None and all(self.versions.get(a) for a in PUPIL_AUDIENCES)

    def versions_for(self, kind: str, year_group: int):
        """(version, pupil_version) a child of this year group is answered against."""
        if kind == CampaignKind.IMAGES:
            return self.images, None
        return self.home, self.pupil_version(year_group)


def current_round(school: School) -> Round:
    return Round(current_versions(school))


def _pk(version) -> int:
    return version.pk if version else 0


def with_statuses(pupils: QuerySet[Pupil], round_: Round) -> QuerySet[Pupil]:
    """Annotates each pupil, in the database, with where their family's answers stand this round:
    ``aup_signed``, ``aup_declined``, ``images_answered`` and ``reads`` (the pupil agreement's audience)."""
    required = _by_pupil_agreement({a: _pk(round_.versions.get(a)) for a in PUPIL_AUDIENCES}, IntegerField())
    reads = _by_pupil_agreement({a: a.value for a in PUPIL_AUDIENCES}, CharField())
    answers = Signature.objects.filter(pupil=OuterRef("pk"), version_id=_pk(round_.home),
                                       pupil_version_id=OuterRef("required_version"))
    images = Signature.objects.filter(pupil=OuterRef("pk"), version_id=_pk(round_.images))
    return pupils.annotate(
        required_version=required, reads=reads,
        aup_signed=Exists(answers.filter(outcome=Outcome.SIGNED)),
        aup_declined=Exists(answers.filter(outcome=Outcome.DECLINED)),
        images_answered=Exists(images),
    )


def _by_pupil_agreement(values: dict, output_field) -> Case:
    """``pupil_audience`` in SQL: for each pupil, the value given for the agreement they read."""
    return Case(*[When(year_group__lte=top, then=Value(values[audience])) for top, audience in PUPIL_AGREEMENT_TOPS],
                default=Value(values[Audience.PUPIL_OLDER]), output_field=output_field)


AUP_OUTSTANDING = Q(aup_signed=False, aup_declined=False)


def outstanding_filter(kind: str) -> Q:
    return Q(images_answered=False) if kind == CampaignKind.IMAGES else AUP_OUTSTANDING


def pupils_of(school: School) -> QuerySet[Pupil]:
    return Pupil.objects.filter(school=school, is_on_roll=True)


def pupils_in_cohort(school: School, cohort: str, ids: list[int]) -> QuerySet[Pupil]:
    pupils = pupils_of(school)
    if cohort == Campaign.Cohort.YEAR_GROUPS:
        return pupils.filter(year_group__in=ids)
    if cohort == Campaign.Cohort.CLASSES:
        return pupils.filter(school_class_id__in=ids)
    if cohort == Campaign.Cohort.OUTSTANDING:
        return pupils.filter(pk__in=ids)
    return pupils


def parent_links_for(pupils: QuerySet[Pupil]) -> QuerySet[ParentLink]:
    """Carers with parental responsibility for these pupils, who can receive email."""
    return ParentLink.objects.filter(
        pupil__in=pupils.values("pk"), has_parental_responsibility=True, parent__is_active=True,
    ).exclude(parent__email="").values_list("parent_id", "pupil_id")


# ---------------------------------------------------------------- a parent's own children

def children_to_answer(user, school: School) -> QuerySet[Pupil]:
    """The children this user has parental responsibility for, in this school."""
    return pupils_of(school).filter(
        parent_links__parent=user, parent_links__has_parental_responsibility=True
    ).select_related("school_class").distinct()


def get_child_for_parent(user, school: School, pupil_id: int) -> Pupil:
    """A child of this parent (with parental responsibility). Anyone else's child is a 404."""
    pupil = children_to_answer(user, school).filter(pk=pupil_id).first()
    if pupil is None:
        raise Http404("No such child.")
    return pupil


def family_outstanding_count(user, school: School) -> int:
    """How many of this parent's children still need an answer to a published agreement (one query)."""
    round_ = current_round(school)
    checks = [outstanding_filter(kind) for kind in CampaignKind if round_.ready(kind)]
    if not checks:
        return 0
    any_outstanding = checks[0]
    for check in checks[1:]:
        any_outstanding |= check
    pupils = with_statuses(pupils_of(school).filter(
        parent_links__parent=user, parent_links__has_parental_responsibility=True), round_)
    return pupils.filter(any_outstanding).count()


def answers_for(pupil: Pupil, round_: Round, kind: str) -> list[Signature]:
    version, pupil_version = round_.versions_for(kind, pupil.year_group)
    if version is None:
        return []
    return list(Signature.objects.filter(pupil=pupil, version=version, pupil_version=pupil_version)
                .select_related("user").order_by("signed_at"))


def get_signature_for_parent(user, school: School, signature_id: int) -> Signature:
    """One of this parent's own answers (another carer's answer carries that carer's details)."""
    signature = Signature.objects.filter(
        pk=signature_id, school=school, user=user, pupil__is_on_roll=True,
        pupil__parent_links__parent=user, pupil__parent_links__has_parental_responsibility=True,
    ).select_related("version", "pupil_version", "pupil").first()
    if signature is None:
        raise Http404("No such answer.")
    return signature


# ---------------------------------------------------------------- campaigns and links

def campaigns_of(school: School) -> QuerySet[Campaign]:
    return Campaign.objects.filter(school=school).select_related("started_by")


def get_campaign_for_user(user, school: School, campaign_id: int) -> Campaign:
    if not roles_in(user, school) & COVERAGE_ROLES:
        raise Http404("No such campaign.")
    campaign = campaigns_of(school).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def campaign_progress(campaign: Campaign) -> dict:
    round_ = current_round(campaign.school)
    pupil_ids = Invitation.pupils.through.objects.filter(invitation__campaign=campaign).values("pupil_id")
    pupils = with_statuses(pupils_of(campaign.school).filter(pk__in=pupil_ids), round_)
    if campaign.kind == CampaignKind.IMAGES:
        return {**pupils.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(images_answered=True))),
                "declined": 0}
    return pupils.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(aup_signed=True)),
                            declined=Count("pk", filter=Q(aup_signed=False, aup_declined=True)))


# ---------------------------------------------------------------- coverage

@dataclass
class CoverageRow:
    label: str
    total: int = 0
    signed: int = 0
    declined: int = 0
    key: str = ""
    published: bool = True
    children: list = field(default_factory=list)

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
        signed = Signature.objects.filter(version_id=_pk(version), user=OuterRef("pk"), pupil__isnull=True)
        counts = people.annotate(has_signed=Exists(signed)).aggregate(
            total=Count("pk"), signed=Count("pk", filter=Q(has_signed=True)))
        rows.append(CoverageRow(Audience(audience).label, counts["total"], counts["signed"] if version else 0,
                                key=audience, published=version is not None))
    return rows


def people_who_sign(school: School, audience: str) -> QuerySet:
    if audience == Audience.STAFF:
        return users_with_roles(school, STAFF_AUDIENCE_ROLES)
    if audience == Audience.VISITOR:
        staff = users_with_roles(school, STAFF_AUDIENCE_ROLES).values("pk")
        return users_with_roles(school, [Role.VISITOR]).exclude(pk__in=staff)
    holders = AccountHolder.objects.filter(school=school).values("user_id")
    return users_with_roles(school, STAFF_AUDIENCE_ROLES | {Role.VISITOR}).filter(pk__in=holders)


def unsigned_people(school: School, audience: str, round_: Round) -> QuerySet:
    version = round_.versions.get(audience)
    signed = Signature.objects.filter(version_id=_pk(version), user=OuterRef("pk"), pupil__isnull=True)
    return people_who_sign(school, audience).exclude(Exists(signed))


def family_coverage(school: School, round_: Round) -> dict:
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
    return {"audiences": list(audiences.values()), "classes": list(classes.values()),
            "image_classes": list(image_classes.values()), "images": images_total,
            "aup_ready": aup_ready, "images_ready": images_ready}


def outstanding_pupils(school: School, round_: Round, kind: str, class_key: str = "",
                       reads: str = "") -> QuerySet[Pupil]:
    pupils = with_statuses(pupils_of(school), round_).filter(outstanding_filter(kind))
    if class_key == "none":
        pupils = pupils.filter(school_class__isnull=True)
    elif class_key:
        pupils = pupils.filter(school_class_id=class_key)
    if reads:
        pupils = pupils.filter(reads=reads)
    return pupils.select_related("school_class").order_by("school_class__year_group", "last_name", "first_name")


def pupil_status_rows(school: School, round_: Round) -> QuerySet[Pupil]:
    return with_statuses(pupils_of(school), round_).select_related("school_class").order_by(
        "school_class__year_group", "school_class__name", "last_name", "first_name")


# ---------------------------------------------------------------- the registers

@dataclass
class Restriction:
    pupil: Pupil
    reasons: list = field(default_factory=list)
    until: date | None = None
    manual: list = field(default_factory=list)  # restrictions added by hand, which staff can lift


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
    condition = Q(pk__in=list(removed) + list(manual))
    if round_.ready(CampaignKind.AGREEMENT):
        condition |= Q(aup_signed=False, aup_declined=True) | Q(aup_signed=False, reads__in=overdue)
    pupils = with_statuses(pupils_of(school), round_).filter(condition).select_related("school_class").order_by(
        "school_class__year_group", "last_name", "first_name")
    register = []
    for pupil in pupils:
        entry = Restriction(pupil)
        if round_.ready(CampaignKind.AGREEMENT) and not pupil.aup_signed:
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
    overdue = []
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


def get_restriction_for_user(user, school: School, restriction_id: int) -> AccessRestriction:
    if not roles_in(user, school) & REGISTER_ROLES:
        raise Http404("No such restriction.")
    restriction = AccessRestriction.objects.filter(school=school, pk=restriction_id, lifted_at__isnull=True).first()
    if restriction is None:
        raise Http404("No such restriction.")
    return restriction


def image_register(school: School) -> QuerySet[Pupil]:
    """Pupils who must not be photographed or published for at least one use, with the answer for each use.

    Without an answer to the current consent form, every use is a no: permission comes first."""
    round_ = current_round(school)
    answers = Signature.objects.filter(pupil=OuterRef("pk"), version_id=_pk(round_.images)).order_by("-signed_at")
    uses = {name: Subquery(answers.values(name)[:1], output_field=BooleanField()) for name, _ in Signature.IMAGE_USES}
    pupils = pupils_of(school).annotate(**uses)
    any_no = Q()
    for name, _ in Signature.IMAGE_USES:
        any_no |= Q(**{f"{name}__isnull": True}) | Q(**{name: False})
    return pupils.filter(any_no).select_related("school_class").order_by(
        "school_class__year_group", "last_name", "first_name")


# ---------------------------------------------------------------- signing links

def signing_link(token: str) -> SigningLink | None:
    """The link for this token, whatever its state; None for a token nobody was given."""
    if not token or len(token) > 100:
        return None
    return SigningLink.objects.filter(token_hash=sha256_of(token)).select_related(
        "invitation__campaign__school", "invitation__parent").first()


def _children_on_link(link: SigningLink) -> QuerySet[Pupil]:
    """The children the link covers who are still on roll and still this parent's responsibility."""
    invitation = link.invitation
    return invitation.pupils.filter(
        school=invitation.campaign.school, is_on_roll=True, parent_links__parent=invitation.parent_id,
        parent_links__has_parental_responsibility=True,
    ).select_related("school_class", "school").distinct()


def children_on_link(link: SigningLink) -> list[Pupil]:
    """Each child on the link with ``answered`` set: the family has answered it this round (so the link is
    spent for that child)."""
    kind = link.invitation.campaign.kind
    round_ = current_round(link.invitation.campaign.school)
    children = list(with_statuses(_children_on_link(link), round_).order_by("first_name", "pk"))
    for child in children:
        child.answered = child.images_answered if kind == CampaignKind.IMAGES else (
            child.aup_signed or child.aup_declined)
    return children


def child_on_link(link: SigningLink, pupil_id: int) -> Pupil | None:
    return _children_on_link(link).filter(pk=pupil_id).first()


def answer_on_link(link: SigningLink, pupil: Pupil) -> Signature | None:
    """This parent's answer for the child in the current round."""
    round_ = current_round(pupil.school)
    version, pupil_version = round_.versions_for(link.invitation.campaign.kind, pupil.year_group)
    return Signature.objects.filter(pupil=pupil, version=version, pupil_version=pupil_version,
                                    user_id=link.invitation.parent_id).select_related(
        "version", "pupil_version", "school").order_by("-signed_at").first()


def own_answers_on_link(link: SigningLink, children: list[Pupil]) -> set[int]:
    """Which of these children this link's parent answered for themselves in the current round (one query)."""
    kind = link.invitation.campaign.kind
    round_ = current_round(link.invitation.campaign.school)
    wanted = {child.pk: round_.versions_for(kind, child.year_group) for child in children}
    answers = Signature.objects.filter(user_id=link.invitation.parent_id, pupil__in=list(wanted)).values_list(
        "pupil_id", "version_id", "pupil_version_id")
    return {pupil_id for pupil_id, version_id, pupil_version_id in answers
            if (_pk(wanted[pupil_id][0]), _pk(wanted[pupil_id][1])) == (version_id, pupil_version_id or 0)}


def recently_invited(school: School, kind: str, since) -> set[tuple[int, int]]:
    """(parent, pupil) pairs already sent a link of this kind since ``since``."""
    return set(Invitation.pupils.through.objects.filter(
        invitation__campaign__school=school, invitation__campaign__kind=kind, invitation__last_sent_at__gte=since,
    ).values_list("invitation__parent_id", "pupil_id"))


def invitations_to_remind(campaign: Campaign, round_: Round, due: int) -> list[tuple[int, int]]:
    """(invitation id, reminders sent) for each invitation of the campaign owed a reminder: the parent is
    active and still responsible for a child on it who has no answer, and no newer invitation of the same kind
    already covers that child for them."""
    waiting = with_statuses(pupils_of(campaign.school), round_).filter(outstanding_filter(campaign.kind))
    responsible = ParentLink.objects.filter(parent=OuterRef("invitation__parent"), pupil=OuterRef("pupil"),
                                            has_parental_responsibility=True)
    rows = Invitation.pupils.through.objects.filter(
        Exists(responsible), Exists(waiting.filter(pk=OuterRef("pupil_id"))), invitation__campaign=campaign,
        invitation__reminders_sent__lt=due, invitation__parent__is_active=True,
    ).values_list("invitation_id", "invitation__parent_id", "pupil_id", "invitation__reminders_sent")
    newer = set(Invitation.pupils.through.objects.filter(
        invitation__campaign__school=campaign.school, invitation__campaign__kind=campaign.kind,
        invitation__campaign__started_at__gt=campaign.started_at,
    ).values_list("invitation__parent_id", "pupil_id"))
    owed = {}
    for invitation_id, parent_id, pupil_id, already in rows:
        if (parent_id, pupil_id) not in newer:
            owed[invitation_id] = already
    return sorted(owed.items())


def relationship_of(parent, pupil: Pupil) -> str:
    return ParentLink.objects.filter(parent=parent, pupil=pupil).values_list("relationship", flat=True).first() or ""


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
