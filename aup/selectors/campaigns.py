"""Parent campaigns: who a campaign reaches, how far it has got, and which invitations are owed a reminder."""

from datetime import datetime
from typing import TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from onlinesafety.access import found
from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import ParentLink, Pupil, School

from .. import rights
from ..models import Campaign, CampaignKind, Invitation
from .rounds import Round, current_round, outstanding_filter, pupils_of, with_statuses


def campaigns_of(school: School) -> QuerySet[Campaign]:
    return Campaign.objects.filter(school=school).select_related("started_by")


def get_campaign_for_user(user: Person, school: School, campaign_id: int) -> Campaign:
    """One of the school's campaigns, for someone who may see coverage; a 404 for anyone else."""
    if not rights.can_see_coverage(user, school):
        raise Http404("No such campaign.")
    return found(campaigns_of(school).filter(pk=campaign_id).first(), "No such campaign.")


class CampaignProgress(TypedDict):
    total: int  # children the campaign asked about
    answered: int  # signed (or, for image consent, answered)
    declined: int  # declined and not signed since


def campaign_progress(campaign: Campaign) -> CampaignProgress:
    round_ = current_round(campaign.school)
    pupil_ids = Invitation.pupils.through.objects.filter(invitation__campaign=campaign).values("pupil_id")
    pupils = with_statuses(pupils_of(campaign.school).filter(pk__in=pupil_ids), round_)
    if campaign.kind == CampaignKind.IMAGES:
        counts = pupils.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(images_answered=True)))
        return CampaignProgress(total=counts["total"], answered=counts["answered"], declined=0)
    counts = pupils.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(aup_signed=True)),
                              declined=Count("pk", filter=Q(aup_signed=False, aup_declined=True)))
    return CampaignProgress(total=counts["total"], answered=counts["answered"], declined=counts["declined"])


def pupils_in_cohort(school: School, cohort: str, ids: list[int]) -> QuerySet[Pupil]:
    pupils = pupils_of(school)
    if cohort == Campaign.Cohort.YEAR_GROUPS:
        return pupils.filter(year_group__in=ids)
    if cohort == Campaign.Cohort.CLASSES:
        return pupils.filter(school_class_id__in=ids)
    if cohort == Campaign.Cohort.OUTSTANDING:
        return pupils.filter(pk__in=ids)
    return pupils


def parent_links_for(pupils: QuerySet[Pupil]) -> QuerySet[ParentLink, tuple[int, int]]:
    """(parent id, pupil id) of the carers with parental responsibility for these pupils who can receive
    email."""
    return ParentLink.objects.filter(
        pupil__in=pupils.values("pk"), has_parental_responsibility=True, parent__is_active=True,
    ).exclude(parent__email="").values_list("parent_id", "pupil_id")


def recently_invited(school: School, kind: str, since: datetime) -> set[tuple[int, int]]:
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
    owed: dict[int, int] = {}
    for invitation_id, parent_id, pupil_id, already in rows:
        if (parent_id, pupil_id) not in newer:
            owed[invitation_id] = already
    return sorted(owed.items())
