"""Every write to policies and the compliance calendar. Each is one transaction with an audit event.

Each write a person makes checks their right again (``rights``, behind the view's check) with ``require``, then
the rules of the policy's review or the duty's schedule (``RuleBroken``), then writes. The exceptions say so:
``set_up_compliance_defaults`` is the system's, and ``complete_duty_by_code`` is done on a person's behalf by
another feature.
"""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.mail.services import absolute_url, queue_email
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Membership, School, Term
from onlinesafety.schools.roles import Role
from onlinesafety.uploads import CheckedUpload

from . import defaults, rights, schedule
from .models import (
    Acknowledgement,
    ApprovingBody,
    Duty,
    DutyCompletion,
    Policy,
    PolicyKind,
    PolicyVersion,
    Review,
    Stage,
)

READER_REMINDER_GAP = timedelta(hours=20)


# ---------------------------------------------------------------- set-up

@transaction.atomic
def set_up_compliance_defaults(*, school: School, today: date | None = None) -> int:
    """The recurring duties the seed policies name, worded for the school's phase, each first due a sensible time
    from now. Done by the system when a school is created."""
    today = today or timezone.localdate()
    existing = set(Duty.objects.filter(school=school).values_list("code", flat=True))
    terms = list(Term.objects.filter(school=school))
    duties = []
    for spec in defaults.duties_for(school.phase):
        if spec["code"] in existing:
            continue
        first = first_due(spec["recurrence"], today, terms)
        duties.append(Duty(school=school, anchor_day=first.day, next_due_on=first, **spec))
    Duty.objects.bulk_create(duties)
    if duties:
        record_event(verb="compliance.default_duties_added", school=school, detail={"duties": len(duties)})
    return len(duties)


@transaction.atomic
def set_up_starter_register(*, school: School) -> int:
    """The starter policy register of a school created from the set-up page: each policy with its owner role,
    approving body and review cycle, "not yet uploaded" and with no owner named. Adds only what is missing (a
    starter already there, or a policy of the same title, is left alone). Done by the system; returns how many
    policies were added."""
    titles = {title.casefold() for title in Policy.objects.filter(school=school).values_list("title", flat=True)}
    codes = set(Policy.objects.filter(school=school).exclude(starter_code="").values_list("starter_code", flat=True))
    policies = [
        Policy(school=school, title=spec["title"], kind=spec["kind"], owner=None, owner_role=spec["owner_role"],
               approving_body=spec["approving_body"], review_cycle_months=spec["review_cycle_months"],
               staff_must_read=spec["staff_must_read"], stage=Stage.NOT_UPLOADED, starter_code=spec["code"])
        for spec in defaults.starter_policies_for(school.phase)
        if spec["code"] not in codes and spec["title"].casefold() not in titles
    ]
    Policy.objects.bulk_create(policies)
    if policies:
        record_event(verb="policy.starter_register_added", school=school, detail={"policies": len(policies)})
    return len(policies)


def starter_register(school: School) -> int:
    """The starter register, as a starter record of ``onlinesafety.setup`` (a school created from its page)."""
    return set_up_starter_register(school=school)


def first_due(recurrence: str, today: date, terms: Sequence[Term]) -> date:
    """When a new duty is first due; term-based ones fall back to six weeks when no later term is known."""
    try:
        return schedule.next_due(recurrence, today, today.day, terms)
    except schedule.NoTermDates:
        return today + timedelta(days=42)


# ---------------------------------------------------------------- policies

class PolicyDetails(TypedDict, total=False):
    """The details of a policy its editors change (the fields of ``forms.PolicyForm``)."""

    title: str
    kind: PolicyKind
    owner: User | None
    owner_role: Role
    approving_body: ApprovingBody
    review_cycle_months: int
    last_approved_on: date | None
    next_review_on: date | None
    staff_must_read: bool
    is_public: bool


def _fill_next_review(policy: Policy) -> None:
    if policy.last_approved_on and not policy.next_review_on:
        policy.next_review_on = schedule.next_review(policy.last_approved_on, policy.review_cycle_months)


@transaction.atomic
def create_policy(
    *, school: School, actor: User, title: str, kind: PolicyKind, owner: User | None, owner_role: Role,
    approving_body: ApprovingBody, review_cycle_months: int = 12, last_approved_on: date | None = None,
    next_review_on: date | None = None, staff_must_read: bool = False, is_public: bool = True,
    request: HttpRequest | None = None,
) -> Policy:
    require(rights.can_edit_policies(actor, school), "Only the headteacher and the safeguarding team add policies.")
    policy = Policy(
        school=school, title=title, kind=kind, owner=owner, owner_role=owner_role, approving_body=approving_body,
        review_cycle_months=review_cycle_months, last_approved_on=last_approved_on, next_review_on=next_review_on,
        staff_must_read=staff_must_read, is_public=is_public,
    )
    _fill_next_review(policy)
    policy.full_clean()
    policy.save()
    record_event(verb="policy.created", actor=actor, school=school, target=policy, request=request)
    return policy


@transaction.atomic
def update_policy(*, policy: Policy, actor: User, request: HttpRequest | None = None,
                  **changes: Unpack[PolicyDetails]) -> Policy:
    """Change the details named in ``changes`` (only those the editor changed)."""
    require(rights.policy_access(actor, policy.school, policy).edit,
            "Only the headteacher and the safeguarding team change a policy's details.")
    for name, value in changes.items():
        setattr(policy, name, value)
    _fill_next_review(policy)
    policy.full_clean()
    policy.save()
    record_event(verb="policy.changed", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"fields": sorted(changes)})
    return policy


def _open_review(policy: Policy) -> Review | None:
    return policy.reviews.filter(completed_at__isnull=True).first()


def _require_run_review(actor: User, policy: Policy) -> None:
    require(rights.policy_access(actor, policy.school, policy).run_review,
            "Only the policy's owner and the headteacher run its review.")


@transaction.atomic
def start_review(*, policy: Policy, actor: User, reason: Review.Reason = Review.Reason.SCHEDULED, detail: str = "",
                 incident_id: int | None = None, request: HttpRequest | None = None) -> Review:
    """Open a review. An early review gives a reason; one prompted by an incident keeps its case number."""
    if reason == Review.Reason.SCHEDULED:
        _require_run_review(actor, policy)
    else:
        require(rights.policy_access(actor, policy.school, policy).early_review,
                "Only the policy's owner, the headteacher and the safeguarding team call an early review.")
    lock_for_update(policy)
    if _open_review(policy):
        raise RuleBroken("This policy is already under review.")
    review = Review.objects.create(policy=policy, reason=reason, detail=detail, incident_id=incident_id,
                                   started_by=actor)
    policy.stage = Stage.UNDER_REVIEW
    policy.save(update_fields=["stage"])
    record_event(verb="policy.review_started", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"reason": reason, "incident_id": incident_id})
    return review


@transaction.atomic
def upload_policy_in_force(*, policy: Policy, actor: User, approved_on: date, text: str = "",
                           upload: CheckedUpload | None = None, minute_reference: str = "",
                           request: HttpRequest | None = None) -> PolicyVersion:
    """The school's own policy, already approved, put on a starter policy that is "not yet uploaded": it becomes
    version 1, published as approved on ``approved_on``, and the next review follows from the cycle."""
    require(rights.policy_access(actor, policy.school, policy).upload,
            "Only the headteacher, the safeguarding team and the policy's owner upload a policy.")
    lock_for_update(policy)
    if policy.stage != Stage.NOT_UPLOADED or policy.versions.exists():
        raise RuleBroken("This policy is already on the register: review it to change it.")
    if not text.strip() and upload is None:
        raise RuleBroken("Upload the policy's document or write it here.")
    if approved_on > timezone.localdate():
        raise RuleBroken("The approval date cannot be in the future.")
    version = PolicyVersion(policy=policy, number=1, state=PolicyVersion.State.PUBLISHED, text=text.strip(),
                            change_summary="The policy in force when the school was set up.", created_by=actor,
                            approved_on=approved_on, minute_reference=minute_reference.strip()[:100])
    if upload is not None:
        version.document = upload.file
        version.document_type, version.document_name = upload.content_type, upload.original_name[:200]
        version.sha256 = upload.sha256
    version.save()
    policy.current_version, policy.stage = version, Stage.CURRENT
    policy.last_approved_on = approved_on
    policy.next_review_on = schedule.next_review(approved_on, policy.review_cycle_months)
    policy.save(update_fields=["current_version", "stage", "last_approved_on", "next_review_on"])
    record_event(verb="policy.uploaded", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": 1, "next_review_on": policy.next_review_on.isoformat()})
    return version


def _draft(policy: Policy) -> PolicyVersion | None:
    return policy.versions.filter(state__in=[PolicyVersion.State.DRAFT, PolicyVersion.State.SUBMITTED]).first()


@transaction.atomic
def save_draft(*, policy: Policy, actor: User, change_summary: str, text: str = "",
               upload: CheckedUpload | None = None, request: HttpRequest | None = None) -> PolicyVersion:
    """Write or replace the draft of the next version: text typed here, or a checked PDF/DOCX upload."""
    _require_run_review(actor, policy)
    lock_for_update(policy)
    if policy.stage != Stage.UNDER_REVIEW:
        raise RuleBroken("Start a review before drafting a new version.")
    if not text.strip() and upload is None:
        raise RuleBroken("Write the policy or upload its document.")
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
def submit_for_approval(*, policy: Policy, actor: User, request: HttpRequest | None = None) -> PolicyVersion:
    _require_run_review(actor, policy)
    lock_for_update(policy)
    draft = _draft(policy)
    if policy.stage != Stage.UNDER_REVIEW or draft is None:
        raise RuleBroken("There is no draft to submit.")
    draft.state = PolicyVersion.State.SUBMITTED
    draft.save(update_fields=["state"])
    policy.stage = Stage.AWAITING_APPROVAL
    policy.save(update_fields=["stage"])
    record_event(verb="policy.submitted", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number})
    _tell_approvers(policy)
    return draft


def approvers_of(policy: Policy) -> list[User]:
    """Who may record approval: the headteacher, or governors for the governing body or committee."""
    return [m.user for m in Membership.objects.filter(school=policy.school, role=rights.approver_role(policy),
                                                       is_active=True, user__is_active=True).select_related("user")]


def _tell_approvers(policy: Policy) -> None:
    url = absolute_url(reverse("policies:detail", args=[policy.pk]))
    for user in approvers_of(policy):
        queue_email(to=user.email, subject=f"Policy awaiting approval: {policy.title}", kind="policy_approval",
                    body=f"A new version of “{policy.title}” is ready for approval.\n\nSign in to read it: {url}\n")


def _require_approve(actor: User, policy: Policy) -> None:
    require(rights.policy_access(actor, policy.school, policy).approve,
            f"Only the {policy.get_approving_body_display().lower()} can approve this policy.")


@transaction.atomic
def send_back(*, policy: Policy, actor: User, reason: str, request: HttpRequest | None = None) -> None:
    """The approver returns the draft for changes."""
    _require_approve(actor, policy)
    draft = _draft(policy)
    if policy.stage != Stage.AWAITING_APPROVAL or draft is None:
        raise RuleBroken("Nothing is awaiting approval.")
    draft.state = PolicyVersion.State.DRAFT
    draft.save(update_fields=["state"])
    policy.stage = Stage.UNDER_REVIEW
    policy.save(update_fields=["stage"])
    record_event(verb="policy.sent_back", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number, "reason": reason[:200]})


@transaction.atomic
def approve(*, policy: Policy, actor: User, approved_on: date, minute_reference: str = "",
            request: HttpRequest | None = None) -> PolicyVersion:
    """Record approval: the version is published and the next review date follows from the cycle."""
    _require_approve(actor, policy)
    lock_for_update(policy)
    draft = _draft(policy)
    if policy.stage != Stage.AWAITING_APPROVAL or draft is None:
        raise RuleBroken("Nothing is awaiting approval.")
    if approved_on > timezone.localdate():
        raise RuleBroken("The approval date cannot be in the future.")
    review = _open_review(policy)
    if review and approved_on < timezone.localtime(review.started_at).date():
        raise RuleBroken("The approval date is before the review started.")
    draft.state, draft.approved_on, draft.approved_by = PolicyVersion.State.PUBLISHED, approved_on, actor
    draft.minute_reference = minute_reference
    draft.save()
    next_review_on = schedule.next_review(approved_on, policy.review_cycle_months)
    policy.current_version, policy.stage = draft, Stage.CURRENT
    policy.last_approved_on, policy.next_review_on = approved_on, next_review_on
    policy.save()
    policy.reviews.filter(completed_at__isnull=True).update(completed_at=timezone.now())
    record_event(verb="policy.approved", actor=actor, school=policy.school, target=policy, request=request,
                 detail={"version": draft.number, "next_review_on": next_review_on.isoformat()})
    return draft


@transaction.atomic
def acknowledge(*, version: PolicyVersion, user: User, request: HttpRequest | None = None) -> Acknowledgement:
    """A member of staff confirms they have read this version. Doing it twice records it once."""
    require(rights.must_read_policies(user, version.policy.school), "Only staff acknowledge policies.")
    if version.state != PolicyVersion.State.PUBLISHED:
        raise RuleBroken("Only a published version can be acknowledged.")
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
def remind_readers(*, policy: Policy, actor: User, readers: Sequence[User], request: HttpRequest | None = None) -> int:
    """Email everyone who has not yet acknowledged the current version; at most once a day."""
    _require_run_review(actor, policy)
    lock_for_update(policy)
    if not policy.staff_must_read:
        raise RuleBroken("Staff are not asked to read this policy.")
    now = timezone.now()
    if policy.last_reminded_readers_at and now - policy.last_reminded_readers_at < READER_REMINDER_GAP:
        raise RuleBroken("A reminder went today already. Try again tomorrow.")
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
def complete_duty(*, duty: Duty, actor: User, completed_on: date, notes: str = "",
                  upload: CheckedUpload | None = None, due_on: date | None = None,
                  request: HttpRequest | None = None) -> DutyCompletion:
    """Record that the duty was done, and roll it on to its next due date.

    ``due_on`` is the due date the person saw: if it has moved on (someone recorded it meanwhile, or the form
    was sent twice), nothing is recorded again.
    """
    require(rights.duty_access(actor, duty.school, duty).complete,
            "Only the duty's owner and the headteacher record it done.")
    return _record_completion(duty=duty, actor=actor, completed_on=completed_on, notes=notes, upload=upload,
                              due_on=due_on, request=request)


def complete_duty_by_code(*, school: School, code: str, actor: User, completed_on: date, notes: str = "",
                          request: HttpRequest | None = None) -> DutyCompletion | None:
    """For other features (a filtering check recorded, an annual review signed off): complete the school's duty
    with this code, unless it was already done in the current period (two checks in one month complete one
    month).

    Done on the person's behalf: the feature has checked their right to do its own work, and that work is what
    completes the duty, so the duty right (owner role or headteacher) is not asked for. It shares
    ``_record_completion`` with ``complete_duty``.
    """
    duty = Duty.objects.filter(school=school, code=code).first()
    if duty is None:
        return None
    if duty.completions.filter(due_on__gte=completed_on).exists():  # that period is already done
        return None
    return _record_completion(duty=duty, actor=actor, completed_on=completed_on, notes=notes, request=request)


@transaction.atomic
def _record_completion(*, duty: Duty, actor: User, completed_on: date, notes: str = "",
                       upload: CheckedUpload | None = None, due_on: date | None = None,
                       request: HttpRequest | None = None) -> DutyCompletion:
    """The write both ``complete_duty`` and ``complete_duty_by_code`` make, with the schedule's rules; no
    rights check (each caller decides that)."""
    duty = Duty.objects.select_for_update().get(pk=duty.pk)
    if due_on is not None and due_on != duty.next_due_on:
        raise RuleBroken(f"This was already recorded; it is next due on {duty.next_due_on:%d %B %Y}.")
    if completed_on > timezone.localdate():
        raise RuleBroken("The date it was done cannot be in the future.")
    terms = list(Term.objects.filter(school=duty.school))
    try:
        following = schedule.next_due(duty.recurrence, duty.next_due_on, duty.anchor_day, terms)
    except schedule.NoTermDates as error:
        raise RuleBroken(str(error)) from None
    completion = DutyCompletion(duty=duty, due_on=duty.next_due_on, completed_on=completed_on,
                                completed_by=actor, notes=notes)
    if upload is not None:
        completion.evidence = upload.file
        completion.evidence_type = upload.content_type
    completion.save()
    duty.next_due_on = following
    duty.save(update_fields=["next_due_on"])
    record_event(verb="compliance.duty_completed", actor=actor, school=duty.school, target=duty, request=request,
                 detail={"due_on": completion.due_on.isoformat(), "next_due_on": following.isoformat()})
    return completion
