"""Parent campaigns: one email and one signing link per parent, new links to the families still to answer, and
the daily reminders."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import queue_emails
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.tokens import new_token

from .. import rights
from ..models import Audience, Campaign, CampaignKind, Invitation, SigningLink
from ..selectors.campaigns import invitations_to_remind, parent_links_for, pupils_in_cohort, recently_invited
from ..selectors.coverage import outstanding_pupils
from ..selectors.rounds import current_round, outstanding_filter, with_statuses
from .links import signing_url
from .signing import DOUBLE_SUBMIT_WINDOW

CAMPAIGN_SUBJECTS = {
    CampaignKind.AGREEMENT: "Please read our online safety agreement with your child",
    CampaignKind.IMAGES: "Your permission for photographs of your child",
}
CAMPAIGN_ASKS = {
    CampaignKind.AGREEMENT: "We ask every family to read the school's online safety rules with their child and "
                            "to sign the home agreement.",
    CampaignKind.IMAGES: "We need your answer before we take or publish any photograph of your child.",
}


def _invitation_email(school: School, kind: str, url: str, expires_at: datetime,
                      reminder: bool) -> tuple[str, str]:
    subject = CAMPAIGN_SUBJECTS[CampaignKind(kind)]
    if reminder:
        subject = f"Reminder: {subject[0].lower()}{subject[1:]}"
    expires = timezone.localtime(expires_at)
    body = (
        f"{school.name}\n\n{CAMPAIGN_ASKS[CampaignKind(kind)]} It takes a few minutes, on a phone or a computer.\n\n"
        f"Open your personal link:\n{url}\n\n"
        f"The link is for you only and works until {expires.day} {expires:%B %Y}. If you have more than one "
        "child at the school, the page lists each of them.\n\n"
        "If you did not expect this email, please tell the school office.\n"
    )
    return subject, body


def start_campaign(*, school: School, actor: User, kind: CampaignKind, cohort: Campaign.Cohort, ids: Sequence[int] = (),
                   cohort_label: str = "", link_days: int | None = None, request: HttpRequest | None = None,
                   now: datetime | None = None) -> Campaign:
    """Email every parent with parental responsibility for a child in the cohort who still has to answer:
    one email and one link each, covering all of their children in the cohort."""
    require(rights.can_manage_agreements(actor, school), "Only the Online Safety Lead or the head can ask "
                                                         "families to sign.")
    return _start_campaign(school=school, actor=actor, kind=kind, cohort=cohort, ids=ids,
                           cohort_label=cohort_label, link_days=link_days, request=request, now=now)


def resend_to_outstanding(*, school: School, actor: User, kind: CampaignKind, class_key: str = "", reads: str = "",
                          request: HttpRequest | None = None) -> Campaign:
    """A new round of links to the families who have not answered yet (optionally in one class, or reading one
    pupil agreement). Whoever sees coverage may do it, not only those who start campaigns."""
    require(rights.can_see_coverage(actor, school), "Only the safeguarding leads can send new links.")
    round_ = current_round(school)
    pupil_ids = list(outstanding_pupils(school, round_, kind, class_key, reads).values_list("pk", flat=True))
    label = "Families still to answer" + (" in one class" if class_key else "") + (
        f" ({Audience(reads).label})" if reads else "")
    return _start_campaign(school=school, actor=actor, kind=kind, cohort=Campaign.Cohort.OUTSTANDING,
                           ids=pupil_ids, cohort_label=label, request=request)


@transaction.atomic
def _start_campaign(*, school: School, actor: User, kind: CampaignKind, cohort: Campaign.Cohort, ids: Sequence[int],
                    cohort_label: str, link_days: int | None = None, request: HttpRequest | None,
                    now: datetime | None = None) -> Campaign:
    now = now or timezone.now()
    lock_for_update(school)  # campaigns of one school one at a time, so a double submit cannot email twice
    round_ = current_round(school)
    if not round_.ready(kind):
        raise RuleBroken("Publish the agreements for families first.")
    pupils = with_statuses(pupils_in_cohort(school, cohort, list(ids)), round_).filter(outstanding_filter(kind))
    just_asked = recently_invited(school, kind, since=now - DOUBLE_SUBMIT_WINDOW)
    children: dict[int, list[int]] = {}
    for parent_id, pupil_id in parent_links_for(pupils):
        if (parent_id, pupil_id) not in just_asked:
            children.setdefault(parent_id, []).append(pupil_id)
    if not children:
        raise RuleBroken("Every family in that group has already answered, was emailed in the last few "
                         "minutes, or has no email address.")
    link_days = link_days or settings.AUP_LINK_DAYS
    campaign = Campaign.objects.create(
        school=school, kind=kind, cohort=cohort, cohort_ids=list(ids), started_by=actor, link_days=link_days,
        started_at=now,
        cohort_label=(cohort_label or Campaign.Cohort(cohort).label)[:300], families=len(children),
        pupils=len({pupil for kids in children.values() for pupil in kids}),
    )
    invitations = Invitation.objects.bulk_create(
        [Invitation(campaign=campaign, parent_id=parent_id, last_sent_at=now) for parent_id in children],
        batch_size=500,
    )
    Invitation.pupils.through.objects.bulk_create(
        [Invitation.pupils.through(invitation_id=invitation.pk, pupil_id=pupil_id)
         for invitation in invitations for pupil_id in children[invitation.parent_id]],
        batch_size=1000,
    )
    _send_links(campaign, invitations, now, reminder=False)
    record_event(verb="aup.campaign_started", actor=actor, school=school, target=campaign, request=request,
                 detail={"kind": kind, "families": campaign.families, "pupils": campaign.pupils})
    return campaign


def _send_links(campaign: Campaign, invitations: Sequence[Invitation], now: datetime, reminder: bool) -> None:
    """A fresh link for each invitation (only hashes are kept, so a reminder cannot resend the old one)."""
    expires_at = now + timedelta(days=campaign.link_days)
    emails = dict(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list("pk", "parent__email"))
    links, messages = [], []
    for invitation in invitations:
        token, hashed = new_token()
        links.append(SigningLink(invitation_id=invitation.pk, token_hash=hashed, expires_at=expires_at))
        subject, body = _invitation_email(campaign.school, campaign.kind, signing_url(token), expires_at, reminder)
        messages.append((emails[invitation.pk], subject, body))
    SigningLink.objects.bulk_create(links, batch_size=1000)
    queue_emails(messages, kind="aup_reminder" if reminder else "aup_invitation")


# ---------------------------------------------------------------- reminders (scheduled: no actor)

def remind_families(*, now: datetime | None = None) -> int:
    """The daily reminders: to each invitation whose children have not all answered, once per reminder day
    (7 and 14 days after the campaign by default), at most AUP_MAX_REMINDERS times, never to a parent whose
    newer invitation of the same kind replaced it. Returns how many reminders went. Run by the system."""
    now = now or timezone.now()
    days = sorted(settings.AUP_REMINDER_DAYS)[:settings.AUP_MAX_REMINDERS]
    sent = 0
    if not days:
        return 0
    # A campaign stays in view for a week after its last reminder day, so a missed run catches up.
    campaigns = Campaign.objects.filter(started_at__gte=now - timedelta(days=days[-1] + 7),
                                        started_at__lte=now - timedelta(days=days[0]))
    for campaign in campaigns.select_related("school").order_by("pk"):
        due = sum(1 for day in days if now >= campaign.started_at + timedelta(days=day))
        sent += _remind_campaign(campaign, due, now)
    return sent


def _remind_campaign(campaign: Campaign, due: int, now: datetime) -> int:
    round_ = current_round(campaign.school)
    if not round_.ready(campaign.kind):
        return 0
    candidates = invitations_to_remind(campaign, round_, due)
    sent = 0
    for invitation_id, already in candidates:
        with transaction.atomic():
            # The conditional update is the guard: a second run, or a retry, finds the count moved on.
            # After a missed day it catches up with one email, not one for each reminder day passed.
            claimed = Invitation.objects.filter(pk=invitation_id, reminders_sent=already).update(
                reminders_sent=due, last_sent_at=now)
            if not claimed:
                continue
            invitation = Invitation.objects.get(pk=invitation_id)
            _send_links(campaign, [invitation], now, reminder=True)
            record_event(verb="aup.reminder_sent", school=campaign.school, target=invitation,
                         detail={"campaign": campaign.pk, "reminder": due})
        sent += 1
    return sent
