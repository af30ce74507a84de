"""Every write to policies and the compliance calendar. Each is one transaction with an audit event."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.schools.models import Membership, Term
from onlinesafety.schools.roles import Role

from . import defaults, schedule
from .models import Acknowledgement, ApprovingBody, Duty, DutyCompletion, Policy, PolicyVersion, Review, Stage

READER_REMINDER_GAP = timedelta(hours=20)


class PolicyRuleBroken(ValueError):
    """The change is not allowed at this point of the policy's review."""


# ---------------------------------------------------------------- set-up

@transaction.atomic
def set_up_compliance_defaults(*, school, today=None) -> int:
    """The recurring duties the seed policies name, each first due a sensible time from now."""
    today = today or timezone.localdate()
    existing = set(Duty.objects.filter(school=school).values_list("code", flat=True))
    terms = list(Term.objects.filter(school=school))
    duties = []
    for spec in defaults.DUTIES:
        if spec["code"] in existing:
            continue
        first = first_due(spec["recurrence"], today, terms)
        duties.append(Duty(school=school, anchor_day=first.day, next_due_on=first, **spec))
    Duty.objects.bulk_create(duties)
    if duties:
        record_event(verb="compliance.default_duties_added", school=school, detail={"duties": len(duties)})
    return len(duties)


def first_due(recurrence, today, terms):
    """When a new duty is first due; term-based ones fall back to six weeks when no later term is known."""
    try:
        return schedule.next_due(recurrence, today, today.day, terms)
    except schedule.NoTermDates:
        return today + timedelta(days=42)


# ---------------------------------------------------------------- policies

@transaction.atomic
def create_policy(*, school, actor, request=None, **fields) -> Policy:
    policy = Policy(school=school, **fields)
    if policy.last_approved_on and not policy.next_review_on:
        policy.next_review_on = schedule.next_review(policy.last_approved_on, policy.review_cycle_months)
    policy.full_clean()
    policy.save()
    record_event(verb="policy.created", actor=actor, school=school, target=policy, request=request)
    return policy


@transaction.atomic
def update_policy(*, policy, actor, request=None, **fields) -> Policy:
    for name, value in fields.items():
        setattr(policy, name, value)
    if policy.last_approved_on and not policy.next_review_on:
        policy.next_review_on = schedule.next_review(policy.last_approved_on, policy.review_cycle_months)
    policy.full_clean()
    policy.save()
    record_event(verb="policy.changed", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"fields": sorted(fields)})
    return policy



def _open_review(policy):
    return policy.reviews.filter(completed_at__isnull=True).first()


@transaction.atomic
def start_review(*, policy, actor, reason=Review.Reason.SCHEDULED, detail="", incident_id=None,
                 request=None) -> Review:
    """Open a review. An early review gives a reason; one prompted by an incident keeps its case number."""
    lock_for_update(policy)
    if _open_review(policy):
        raise PolicyRuleBroken("This policy is already under review.")
    review = Review.objects.create(policy=policy, reason=reason, detail=detail, incident_id=incident_id,
                                   started_by=actor)
    policy.stage = Stage.UNDER_REVIEW
    policy.save(update_fields=["stage"])
    record_event(verb="policy.review_started", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"reason": reason, "incident_id": incident_id})
    return review


def _draft(policy):
    return policy.versions.filter(state__in=[PolicyVersion.State.DRAFT, PolicyVersion.State.SUBMITTED]).first()


@transaction.atomic
def save_draft(*, policy, actor, change_summary, text="", upload=None, request=None) -> PolicyVersion:
    """Write or replace the draft of the next version: text typed here, or a checked PDF/DOCX upload."""
    lock_for_update(policy)
    if policy.stage != Stage.UNDER_REVIEW:
        raise PolicyRuleBroken("Start a review before drafting a new version.")
    if not text.strip() and upload is None:
        raise PolicyRuleBroken("Write the policy or upload its document.")
    draft = _draft(policy) or PolicyVersion(
        policy=policy, number=(policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1, created_by=actor
    )
    draft.text, draft.change_summary = text.strip(), change_summary
    if upload is not None:
        draft.document = upload.file
        draft.document_type, draft.document_name = upload.content_type, upload.original_name[:200]
        draft.sha256 = upload.sha256
    elif draft.document:
        draft.document.delete(save=False)
        draft.document_type = draft.document_name = draft.sha256 = ""
    draft.save()
    record_event(verb="policy.draft_saved", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number})
    return draft


@transaction.atomic
def submit_for_approval(*, policy, actor, request=None) -> PolicyVersion:
    lock_for_update(policy)
    draft = _draft(policy)
    if policy.stage != Stage.UNDER_REVIEW or draft is None:
        raise PolicyRuleBroken("There is no draft to submit.")
    draft.state = PolicyVersion.State.SUBMITTED
    draft.save(update_fields=["state"])
    policy.stage = Stage.AWAITING_APPROVAL
    policy.save(update_fields=["stage"])
    record_event(verb="policy.submitted", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number})
    _tell_approvers(policy)
    return draft


def approvers_of(policy):
    """Who may record approval: the headteacher, or governors for the governing body or committee."""
    role = Role.HEADTEACHER if policy.approving_body == ApprovingBody.HEADTEACHER else Role.GOVERNOR
    return [m.user for m in Membership.objects.filter(school=policy.school, role=role, is_active=True,
                                                       user__is_active=True).select_related("user")]


def _tell_approvers(policy):
    url = absolute_url(reverse("policies:detail", args=[policy.pk]))
    for user in approvers_of(policy):
        queue_email(to=user.email, subject=f"Policy awaiting approval: {policy.title}", kind="policy_approval",
                    body=f"A new version of “{policy.title}” is ready for approval.\n\nSign in to read it: {url}\n")


@transaction.atomic
def send_back(*, policy, actor, reason, request=None) -> None:
    """The approver returns the draft for changes."""
    draft = _draft(policy)
    if policy.stage != Stage.AWAITING_APPROVAL or draft is None:
        raise PolicyRuleBroken("Nothing is awaiting approval.")
    draft.state = PolicyVersion.State.DRAFT
    draft.save(update_fields=["state"])
    policy.stage = Stage.UNDER_REVIEW
    policy.save(update_fields=["stage"])
    record_event(verb="policy.sent_back", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number, "reason": reason[:200]})


@transaction.atomic
def approve(*, policy, actor, approved_on, minute_reference="", request=None) -> PolicyVersion:
    """Record approval: the version is published and the next review date follows from the cycle."""
    lock_for_update(policy)
    draft = _draft(policy)
    if policy.stage != Stage.AWAITING_APPROVAL or draft is None:
        raise PolicyRuleBroken("Nothing is awaiting approval.")
    if actor not in approvers_of(policy):
        raise PolicyRuleBroken(f"Only the {policy.get_approving_body_display().lower()} can approve this policy.")
    if approved_on > timezone.localdate():
        raise PolicyRuleBroken("The approval date cannot be in the future.")
    review = _open_review(policy)
    if review and approved_on < timezone.localtime(review.started_at).date():
        raise PolicyRuleBroken("The approval date is before the review started.")
    draft.state, draft.approved_on, draft.approved_by = PolicyVersion.State.PUBLISHED, approved_on, actor
    draft.minute_reference = minute_reference
    draft.save()
    policy.current_version, policy.stage = draft, Stage.CURRENT
    policy.last_approved_on = approved_on
    policy.next_review_on = schedule.next_review(approved_on, policy.review_cycle_months)
    policy.save()
    policy.reviews.filter(completed_at__isnull=True).update(completed_at=timezone.now())
    record_event(verb="policy.approved", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number, "next_review_on": policy.next_review_on.isoformat()})
    return draft


@transaction.atomic
def acknowledge(*, version, user, request=None) -> Acknowledgement:
    """A member of staff confirms they have read this version. Doing it twice records it once."""
    if version.state != PolicyVersion.State.PUBLISHED:
        raise PolicyRuleBroken("Only a published version can be acknowledged.")
    try:
        with transaction.atomic():
            ack, created = Acknowledgement.objects.get_or_create(version=version, user=user)
    except IntegrityError:
        return Acknowledgement.objects.get(version=version, user=user)
    if created:
        record_event(verb="policy.acknowledged", actor=user, school=version.policy.school, target=version.policy,
                     request=request, detail={"version": version.number})
    return ack


@transaction.atomic
def remind_readers(*, policy, actor, readers, request=None) -> int:
    """Email everyone who has not yet acknowledged the current version; at most once a day."""
    lock_for_update(policy)
    if not policy.staff_must_read:
        raise PolicyRuleBroken("Staff are not asked to read this policy.")
    now = timezone.now()
    if policy.last_reminded_readers_at and now - policy.last_reminded_readers_at < READER_REMINDER_GAP:
        raise PolicyRuleBroken("A reminder went today already. Try again tomorrow.")
    url = absolute_url(reverse("policies:to_read"))
    for user in readers:
        queue_email(to=user.email, subject=f"Please read: {policy.title}", kind="policy_read_reminder",
                    body=f"Please read “{policy.title}” and confirm you have read it.\n\n{url}\n")
    policy.last_reminded_readers_at = now
    policy.save(update_fields=["last_reminded_readers_at"])
    record_event(verb="policy.readers_reminded", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"people": len(readers)})
    return len(readers)


# ---------------------------------------------------------------- the compliance calendar

@transaction.atomic
def complete_duty(*, duty, actor, completed_on, notes="", upload=None, due_on=None,
                  request=None) -> DutyCompletion:
    """Record that the duty was done, and roll it on to its next due date.

    ``due_on`` is the due date the person saw: if it has moved on (someone recorded it meanwhile, or the form
    was sent twice), nothing is recorded again.
    """
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if due_on is not None and due_on != duty.next_due_on:
        raise PolicyRuleBroken(f"This was already recorded; it is next due on {duty.next_due_on:%d %B %Y}.")
    if completed_on > timezone.localdate():
        raise PolicyRuleBroken("The date it was done cannot be in the future.")
    terms = list(Term.objects.filter(school=duty.school))
    try:
        following = schedule.next_due(duty.recurrence, duty.next_due_on, duty.anchor_day, terms)
    except schedule.NoTermDates as error:
        raise PolicyRuleBroken(str(error)) from None
    completion = DutyCompletion(duty=duty, due_on=duty.next_due_on, completed_on=completed_on,
                                completed_by=actor, notes=notes)
    if upload is not None:
        completion.evidence, completion.evidence_type = upload.file, upload.content_type
    completion.save()
    duty.next_due_on = following
    duty.save(update_fields=["next_due_on"])
    record_event(verb="compliance.duty_completed", actor=actor, school=duty.school, target=duty, request=request,
                 detail={"due_on": completion.due_on.isoformat(), "next_due_on": following.isoformat()})
    return completion


def complete_duty_by_code(*, school, code, actor, completed_on, notes="", request=None) -> DutyCompletion | None:
    """For other features (a filtering check done, a report sent): complete the school's duty with this code,
    unless it was already done in the current period (two checks in one month complete one month)."""
    duty = Duty.objects.filter(school=school, code=code).first()
    if duty is None:
        return None
    if duty.completions.filter(due_on__gte=completed_on).exists():  # that period is already done
        return None
    return complete_duty(duty=duty, actor=actor, completed_on=completed_on, notes=notes, request=request)
