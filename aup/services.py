"""Every write to agreements, signatures, campaigns and the registers: one transaction and an audit event each."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.services import client_ip, record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import absolute_url, notify, queue_email, queue_emails
from onlinesafety.schools.models import ParentLink

from . import selectors
from .defaults import DEFAULT_AGREEMENTS
from .documents import signed_text
from .models import (
    PERSONAL_AUDIENCES,
    AccessRestriction,
    AccountHolder,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    CampaignKind,
    Channel,
    Invitation,
    Outcome,
    Signature,
    SigningLink,
    sha256_of,
)

TOKEN_BYTES = 24  # 192 bits from the operating system's secure generator
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)  # a form sent twice within this is one action


class AupRuleBroken(ValueError):
    """The change is not allowed; the message says why, in words a school understands."""


class AlreadyAnswered(AupRuleBroken):
    """This child (or this person) has already answered the agreement in force."""


class AgreementChanged(AupRuleBroken):
    """A new version was published after the page was shown: the answer would be to a text not read."""


# ---------------------------------------------------------------- agreements and versions

@transaction.atomic
def set_up_default_agreements(*, school) -> int:
    """Every audience's agreement, with this product's default text as an unpublished draft."""
    existing = set(Agreement.objects.filter(school=school).values_list("audience", flat=True))
    agreements = [
        Agreement(school=school, audience=audience, title=DEFAULT_AGREEMENTS[audience]["title"],
                  draft_text=DEFAULT_AGREEMENTS[audience]["text"])
        for audience in Audience if audience not in existing
    ]
    Agreement.objects.bulk_create(agreements)
    if agreements:
        record_event(verb="aup.default_agreements_added", school=school, detail={"agreements": len(agreements)})
    return len(agreements)


@transaction.atomic
def save_draft(*, agreement, actor, title: str, text: str, request=None) -> Agreement:
    lock_for_update(agreement)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # browsers send textareas with CRLF line endings
    if not title.strip() or not text.strip():
        raise AupRuleBroken("An agreement needs a title and some text.")
    agreement.title, agreement.draft_text = title.strip(), text.strip()
    agreement.draft_changed_at, agreement.draft_changed_by = timezone.now(), actor
    agreement.save(update_fields=["title", "draft_text", "draft_changed_at", "draft_changed_by"])
    record_event(verb="aup.draft_saved", actor=actor, school=agreement.school, target=agreement, request=request)
    return agreement


@transaction.atomic
def publish(*, agreement, actor, change_summary: str = "", request=None, now=None) -> AgreementVersion:
    """Publish the draft as the next version. Everyone in the audience must answer again."""
    lock_for_update(agreement)
    text = agreement.draft_text.strip()
    if not text:
        raise AupRuleBroken("Write the agreement before publishing it.")
    current = agreement.current_version
    if current is not None and current.text == text and current.title == agreement.title:
        raise AupRuleBroken("Nothing has changed since the version in force.")
    number = (agreement.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, title=agreement.title, text=text,
        change_summary=change_summary.strip()[:300], sha256=sha256_of(text), published_by=actor,
        published_at=now or timezone.now(),
    )
    agreement.current_version = version
    agreement.save(update_fields=["current_version"])
    record_event(verb="aup.published", actor=actor, school=agreement.school, target=agreement, request=request,
                 detail={"version": number, "audience": agreement.audience})
    if agreement.audience in PERSONAL_AUDIENCES:
        _ask_members_to_sign(agreement, version)
    return version


def _ask_members_to_sign(agreement, version) -> None:
    people = selectors.people_who_sign(agreement.school, agreement.audience)
    notify(users=people, school=agreement.school, url=reverse("aup:mine"),
           message=f"Please read and sign version {version.number} of the {agreement.title.lower()}.",
           email_subject="An agreement is waiting for your signature",
           email_body="A new version of an acceptable use agreement has been published and needs your "
                      f"signature.\n\nSign in to read and sign it: {absolute_url(reverse('aup:mine'))}\n",
           kind="aup_new_version")


# ---------------------------------------------------------------- members sign in the app

def _request_details(request) -> dict:
    if request is None:
        return {"ip_address": None, "user_agent": ""}
    user_agent = request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:300]
    return {"ip_address": client_ip(request), "user_agent": user_agent}


def _check_typed_name(typed_name: str) -> str:
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise AupRuleBroken("Type your full name to sign.")
    return typed_name[:150]


def sign_personal(*, version, user, school, typed_name: str, request=None, now=None) -> Signature:
    """A member signs the version in force of an agreement they must sign. Signing twice keeps one signature."""
    typed_name = _check_typed_name(typed_name)
    existing = Signature.objects.filter(version=version, user=user, pupil__isnull=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                school=school, audience=version.agreement.audience, version=version, user=user,
                channel=Channel.IN_APP, typed_name=typed_name, signed_at=now or timezone.now(),
                text_sha256=sha256_of(signed_text(version)), **_request_details(request),
            )
            record_event(verb="aup.signed", actor=user, school=school, target=signature, request=request,
                         detail={"version": version.pk, "audience": version.agreement.audience})
    except IntegrityError:  # the same form sent twice at once: the first one counts
        return Signature.objects.get(version=version, user=user, pupil__isnull=True)
    return signature


@transaction.atomic
def sign_at_kiosk(*, school, witness, full_name: str, organisation: str, visit_reason: str = "",
                  request=None, now=None) -> Signature:
    """A visitor signs the visitor agreement on the office's device, with the member of staff beside them."""
    version = selectors.current_versions(school).get(Audience.VISITOR)
    if version is None:
        raise AupRuleBroken("The visitor agreement has not been published yet.")
    full_name = _check_typed_name(full_name)
    now = now or timezone.now()
    just_signed = Signature.objects.filter(  # the same form sent twice: keep the first
        school=school, version=version, channel=Channel.KIOSK, typed_name=full_name, witnessed_by=witness,
        signed_at__gte=now - DOUBLE_SUBMIT_WINDOW).first()
    if just_signed:
        return just_signed
    signature = Signature.objects.create(
        school=school, audience=Audience.VISITOR, version=version, channel=Channel.KIOSK,
        typed_name=full_name, organisation=organisation.strip()[:150],
        visit_reason=visit_reason.strip()[:200], witnessed_by=witness, signed_at=now,
        text_sha256=sha256_of(signed_text(version)), **_request_details(request),
    )
    record_event(verb="aup.visitor_signed", actor=witness, school=school, target=signature, request=request)
    return signature


@transaction.atomic
def add_account_holder(*, school, actor, user, accounts: str, request=None) -> AccountHolder:
    if not selectors.people_who_sign(school, Audience.STAFF).filter(pk=user.pk).exists():
        raise AupRuleBroken("Only staff and governors of this school can run its official accounts.")
    holder, created = AccountHolder.objects.update_or_create(
        school=school, user=user, defaults={"accounts": accounts.strip()[:200], "added_by": actor})
    record_event(verb="aup.account_holder_added", actor=actor, school=school, target=holder, request=request)
    return holder


@transaction.atomic
def remove_account_holder(*, holder, actor, request=None) -> None:
    record_event(verb="aup.account_holder_removed", actor=actor, school=holder.school, target=holder,
                 request=request, detail={"user": holder.user_id})
    holder.delete()


# ---------------------------------------------------------------- parent campaigns and links

def _new_token() -> tuple[str, str]:
    """A link token and the hash kept of it (SHA-256: the token is random, so no salt or stretching is needed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, sha256_of(token)


def signing_url(token: str) -> str:
    return absolute_url(reverse("aup:sign", args=[token]))


CAMPAIGN_SUBJECTS = {
    CampaignKind.AGREEMENT: "Please read our online safety agreement with your child",
    CampaignKind.IMAGES: "Your permission for photographs of your child",
}
CAMPAIGN_ASKS = {
    CampaignKind.AGREEMENT: "We ask every family to read the school's online safety rules with their child and "
                            "to sign the home agreement.",
    CampaignKind.IMAGES: "We need your answer before we take or publish any photograph of your child.",
}


def _invitation_email(school, kind, url: str, expires_at, reminder: bool) -> tuple[str, str]:
    subject = CAMPAIGN_SUBJECTS[kind]
    if reminder:
        subject = f"Reminder: {subject[0].lower()}{subject[1:]}"
    expires = timezone.localtime(expires_at)
    body = (
        f"{school.name}\n\n{CAMPAIGN_ASKS[kind]} It takes a few minutes, on a phone or a computer.\n\n"
        f"Open your personal link:\n{url}\n\n"
        f"The link is for you only and works until {expires.day} {expires:%B %Y}. If you have more than one "
        "child at the school, the page lists each of them.\n\n"
        "If you did not expect this email, please tell the school office.\n"
    )
    return subject, body


@transaction.atomic
def start_campaign(*, school, actor, kind: str, cohort: str, ids=(), cohort_label: str = "",
                   link_days: int | None = None, request=None, now=None) -> Campaign:
    """Email every parent with parental responsibility for a child in the cohort who still has to answer:
    one email and one link each, covering all of their children in the cohort."""
    now = now or timezone.now()
    lock_for_update(school)  # campaigns of one school one at a time, so a double submit cannot email twice
    round_ = selectors.current_round(school)
    if not round_.ready(kind):
        raise AupRuleBroken("Publish the agreements for families first.")
    pupils = selectors.with_statuses(selectors.pupils_in_cohort(school, cohort, list(ids)), round_).filter(
        selectors.outstanding_filter(kind))
    just_asked = selectors.recently_invited(school, kind, since=now - DOUBLE_SUBMIT_WINDOW)
    children: dict[int, list[int]] = {}
    for parent_id, pupil_id in selectors.parent_links_for(pupils):
        if (parent_id, pupil_id) not in just_asked:
            children.setdefault(parent_id, []).append(pupil_id)
    if not children:
        raise AupRuleBroken("Every family in that group has already answered, was emailed in the last few "
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


def _send_links(campaign, invitations, now, reminder: bool) -> None:
    """A fresh link for each invitation (only hashes are kept, so a reminder cannot resend the old one)."""
    expires_at = now + timedelta(days=campaign.link_days)
    emails = dict(
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).values_list("pk", "parent__email"))
    links, messages = [], []
    for invitation in invitations:
        token, hashed = _new_token()
        links.append(SigningLink(invitation_id=invitation.pk, token_hash=hashed, expires_at=expires_at))
        subject, body = _invitation_email(campaign.school, campaign.kind, signing_url(token), expires_at, reminder)
        messages.append((emails[invitation.pk], subject, body))
    SigningLink.objects.bulk_create(links, batch_size=1000)
    queue_emails(messages, kind="aup_reminder" if reminder else "aup_invitation")


def resend_to_outstanding(*, school, actor, kind: str, class_key: str = "", reads: str = "",
                          request=None) -> Campaign:
    """A new round of links to the families who have not answered yet (optionally in one class, or reading one
    pupil agreement)."""
    round_ = selectors.current_round(school)
    pupil_ids = list(
        selectors.outstanding_pupils(school, round_, kind, class_key, reads).values_list("pk", flat=True))
    label = "Families still to answer" + (" in one class" if class_key else "") + (
        f" ({Audience(reads).label})" if reads else "")
    return start_campaign(school=school, actor=actor, kind=kind, cohort=Campaign.Cohort.OUTSTANDING,
                          ids=pupil_ids, cohort_label=label, request=request)


def remind_families(*, now=None) -> int:
    """The daily reminders: to each invitation whose children have not all answered, once per reminder day
    (7 and 14 days after the campaign by default), at most AUP_MAX_REMINDERS times, never to a parent whose
    newer invitation of the same kind replaced it. Returns how many reminders went."""
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


def _remind_campaign(campaign, due: int, now) -> int:
    round_ = selectors.current_round(campaign.school)
    if not round_.ready(campaign.kind):
        return 0
    candidates = selectors.invitations_to_remind(campaign, round_, due)
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


# ---------------------------------------------------------------- families answer

def answer_for_child(*, school, parent, pupil, kind: str, outcome: str, typed_name: str, relationship: str,
                     discussed_with_child: bool = False, decline_reason: str = "", image_answers=None,
                     invitation=None, copy_url=None, shown=None, request=None) -> Signature:
    """A parent's answer for one child: sign or decline the acceptable use agreement, or answer the image
    consent form. Through a link, each child can be answered once; signed in, a parent who declined can
    still sign later. ``copy_url(signature)`` gives the address of the PDF copy for the email receipt.
    ``shown`` is the (version id, pupil version id) the page showed: if a new version was published since,
    nothing is recorded and the parent reads the new one."""
    typed_name = _check_typed_name(typed_name)
    if relationship not in ParentLink.Relationship.values:
        raise AupRuleBroken("Choose your relationship to the child.")
    if kind == CampaignKind.IMAGES:
        outcome = Outcome.SIGNED
        if image_answers is None or any(image_answers.get(f) is None for f, _ in Signature.IMAGE_USES):
            raise AupRuleBroken("Answer yes or no for each use of photographs.")
    elif outcome == Outcome.DECLINED:
        if not decline_reason.strip():
            raise AupRuleBroken("Tell us why you are declining, so the school can talk it through with you.")
    elif not discussed_with_child:
        raise AupRuleBroken("Confirm that you have read and discussed the rules with your child.")
    try:
        with transaction.atomic():
            signature = _record_answer(school, parent, pupil, kind, outcome, typed_name, relationship,
                                       discussed_with_child, decline_reason, image_answers, invitation, request,
                                       timezone.now(), shown=shown)
    except IntegrityError:
        raise AlreadyAnswered("An answer for this child has already been recorded.") from None
    _send_receipt(signature, parent, copy_url(signature) if copy_url else "")
    return signature


def _record_answer(school, parent, pupil, kind, outcome, typed_name, relationship, discussed, decline_reason,
                   image_answers, invitation, request, now, shown=None) -> Signature:
    lock_for_update(pupil)  # one answer at a time per child, so two carers cannot both sign and decline
    if not ParentLink.objects.filter(parent=parent, pupil=pupil, has_parental_responsibility=True,
                                     pupil__school=school, pupil__is_on_roll=True).exists():
        raise AupRuleBroken("You are not recorded as a parent of this child.")
    version, pupil_version = selectors.current_round(school).versions_for(kind, pupil.year_group)
    if version is None or (kind == CampaignKind.AGREEMENT and pupil_version is None):
        raise AupRuleBroken("This agreement has not been published yet.")
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
        discussed_with_child=discussed if kind == CampaignKind.AGREEMENT else None,
        decline_reason=decline_reason.strip() if outcome == Outcome.DECLINED else "",
        signed_at=now,
        text_sha256=sha256_of(signed_text(version, pupil_version, fields or None)),
        **fields, **_request_details(request),
    )
    record_event(verb="aup.child_answered", actor=parent, school=school, target=signature, request=request,
                 detail={"kind": kind, "outcome": outcome, "channel": signature.channel})
    return signature


def _send_receipt(signature, parent, copy_url: str) -> None:
    when = timezone.localtime(signature.signed_at)
    what = "declined" if signature.outcome == Outcome.DECLINED else "recorded"
    body = (
        f"Thank you. Your answer was {what} on {when.day} {when:%B %Y} at {when:%H:%M}.\n\n"
        f"Reference: {signature.text_sha256[:16]} (the start of the SHA-256 fingerprint of the text you "
        "answered).\n\n"
    )
    if copy_url:
        body += f"Download a PDF copy: {copy_url}\n"
    queue_email(to=parent.email, subject="Your answer has been recorded", body=body, kind="aup_receipt")


# ---------------------------------------------------------------- the technology access register

@transaction.atomic
def add_restriction(*, school, actor, pupil, reason: str, ends_on=None, request=None) -> AccessRestriction:
    if not reason.strip():
        raise AupRuleBroken("Give the reason, so every member of staff understands it.")
    if ends_on and ends_on < timezone.localdate():
        raise AupRuleBroken("The end date has already passed.")
    restriction = AccessRestriction.objects.create(school=school, pupil=pupil, reason=reason.strip()[:300],
                                                   ends_on=ends_on, added_by=actor)
    record_event(verb="aup.restriction_added", actor=actor, school=school, target=restriction, request=request,
                 detail={"pupil": pupil.pk})
    return restriction


@transaction.atomic
def lift_restriction(*, restriction, actor, request=None) -> AccessRestriction:
    lock_for_update(restriction)
    if restriction.lifted_at is None:
        restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
        restriction.save(update_fields=["lifted_at", "lifted_by"])
        record_event(verb="aup.restriction_lifted", actor=actor, school=restriction.school, target=restriction,
                     request=request, detail={"pupil": restriction.pupil_id})
    return restriction
