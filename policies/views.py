from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from incidents.selectors import get_incident_for_user
from onlinesafety import ratelimit
from onlinesafety.access import school_member_required
from onlinesafety.downloads import bytes_download, file_download, safe_filename
from onlinesafety.pdf import render_pdf
from onlinesafety.rules import RuleBroken
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.uploads import EXTENSIONS
from onlinesafety.views import refusal

from . import forms, rights, selectors, services
from .models import PolicyVersion, Review

POLICIES_PER_PAGE = 50


def _done(request, policy, message):
    messages.success(request, message)
    return redirect("policies:detail", policy.pk)


def _back_to(policy):
    return redirect("policies:detail", policy.pk)


# ---------------------------------------------------------------- the register

@school_member_required(rights.can_read_register)
def register(request):
    today = timezone.localdate()
    policies = selectors.register(request.user, request.school, today)
    counts = selectors.status_counts(policies)
    filter_form = forms.RegisterFilterForm(request.GET, labels=selectors.STATUS_LABELS)
    filters = filter_form.filters()
    status = filters["status"] if filters is not None else ""
    if filters is None:
        policies = policies.none()
    elif status:
        policies = policies.filter(status=status)
    page = Paginator(policies, POLICIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "policies/register.html", {
        "page": page, "counts": counts, "labels": selectors.STATUS_LABELS, "status": status,
        "filter_form": filter_form, "can_add": rights.can_edit_policies(request.user, request.school),
    }, status=400 if filter_form.errors else 200)


@school_member_required(rights.can_edit_policies)
@sent_once
def create(request):
    form = forms.PolicyForm(request.POST or None, school=request.school,
                            owners=selectors.readers_of(request.school))
    if request.method == "POST" and form.is_valid():
        policy = services.create_policy(school=request.school, actor=request.user, request=request,
                                        **form.cleaned_data)
        return _done(request, policy, "Policy added to the register.")
    return render(request, "policies/policy_form.html", {"form": form})


@school_member_required(rights.can_edit_policies)
@sent_once
def edit(request, policy_id: int):
    policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate(),
                                           needed="edit").policy
    form = forms.PolicyForm(request.POST or None, instance=policy, school=request.school,
                            owners=selectors.readers_of(request.school))
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_policy(policy=policy, actor=request.user, request=request, **changed)
        return _done(request, policy, "Policy details saved.")
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy})


@school_member_required(rights.can_read_register)
def detail(request, policy_id: int):
    access = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate())
    policy = access.policy
    acknowledgements = selectors.acknowledgement_table(policy) if access.run_review or access.edit else []
    return render(request, "policies/detail.html", {
        "policy": policy, "rights": access, "versions": selectors.versions_of(policy),
        "draft": selectors.draft_of(policy), "reviews": policy.reviews.select_related("started_by")[:10],
        "acknowledgements": acknowledgements,
        "acknowledged_count": sum(1 for _, when in acknowledgements if when),
        "start_form": forms.StartReviewForm(), "approve_form": forms.ApproveForm(),
        "send_back_form": forms.SendBackForm(),
    })


@require_POST
@school_member_required(rights.can_read_register)
@sent_once
def start_review(request, policy_id: int):
    scheduled = request.POST.get("reason") == Review.Reason.SCHEDULED
    policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate(),
                                           needed="run_review" if scheduled else "early_review").policy
    form = forms.StartReviewForm(request.POST)
    with refusal(request) as attempt:
        if not form.is_valid():
            raise RuleBroken("choose a reason for the review.")
        services.start_review(policy=policy, actor=request.user, request=request, **form.cleaned_data)
    return _done(request, policy, "Review started.") if attempt.ok else _back_to(policy)


@school_member_required(rights.can_read_register)
@sent_once
def draft(request, policy_id: int):
    policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate(),
                                           needed="run_review").policy
    current = selectors.draft_of(policy) or policy.current_version
    initial = {"text": current.text if current else "", "change_summary": ""}
    form = forms.DraftForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal(request) as attempt:
            services.save_draft(policy=policy, actor=request.user, request=request,
                                change_summary=form.cleaned_data["change_summary"],
                                text=form.cleaned_data["text"], upload=form.cleaned_data["document"])
        return _done(request, policy, "Draft saved.") if attempt.ok else _back_to(policy)
    return render(request, "policies/draft_form.html", {"form": form, "policy": policy})


@school_member_required(rights.can_read_register)
@sent_once
def upload(request, policy_id: int):
    """A starter policy's document: the school's own policy, already approved, becomes version 1."""
    policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate(),
                                           needed="upload").policy
    form = forms.UploadInForceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            services.upload_policy_in_force(policy=policy, actor=request.user, approved_on=data["approved_on"],
                                            text=data["text"], upload=data["document"],
                                            minute_reference=data["minute_reference"], request=request)
        if attempt.ok:
            return _done(request, policy, "Uploaded. The next review date follows from the cycle.")
    return render(request, "policies/upload_form.html", {"form": form, "policy": policy},
                  status=400 if form.errors else 200)


def _workflow_step(step, *, needs):
    """A POST that moves the review on: check the right, run the service, say what happened."""

    @require_POST
    @school_member_required(rights.can_read_register)
    @sent_once
    def view(request, policy_id: int):
        policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate(),
                                               needed=needs).policy
        with refusal(request) as attempt:
            message = step(request, policy)
        return _done(request, policy, message) if attempt.ok else _back_to(policy)

    return view


def _submit(request, policy) -> str:
    services.submit_for_approval(policy=policy, actor=request.user, request=request)
    return "Submitted for approval. The approvers have been emailed."


def _approve(request, policy) -> str:
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        raise RuleBroken(" ".join(" ".join(str(error) for error in errors) for errors in form.errors.values()))
    services.approve(policy=policy, actor=request.user, request=request, **form.cleaned_data)
    return "Approved and published. The next review date follows from the cycle."


def _send_back(request, policy) -> str:
    form = forms.SendBackForm(request.POST)
    if not form.is_valid():
        raise RuleBroken("say what needs changing.")
    services.send_back(policy=policy, actor=request.user, reason=form.cleaned_data["reason"], request=request)
    return "Returned to the owner for changes."


def _remind(request, policy) -> str:
    readers = selectors.unacknowledged_readers(policy)
    count = services.remind_readers(policy=policy, actor=request.user, readers=readers, request=request)
    return f"Reminder sent to {count} member{'s' if count != 1 else ''} of staff."


submit = _workflow_step(_submit, needs="run_review")
approve = _workflow_step(_approve, needs="approve")
send_back = _workflow_step(_send_back, needs="approve")
remind = _workflow_step(_remind, needs="run_review")


@school_member_required(rights.can_read_register)
def version_file(request, policy_id: int, version_id: int):
    version = selectors.get_version_for_user(request.user, request.school, policy_id, version_id,
                                             timezone.localdate())
    return _version_download(version)


def _version_download(version: PolicyVersion):
    """An uploaded PDF is shown in the browser and a Word document saved; a text version becomes a PDF."""
    policy = version.policy
    name = f"{policy.title} v{version.number}"
    if version.document:
        extension = ".pdf" if version.document_type == "application/pdf" else ".docx"
        return file_download(version.document.open("rb"), content_type=version.document_type,
                             filename=safe_filename(name, extension), inline=extension == ".pdf")
    pdf = render_pdf("policies/version_pdf.html", {"policy": policy, "version": version})
    return bytes_download(pdf, content_type="application/pdf", filename=safe_filename(name, ".pdf"), inline=True)


# ---------------------------------------------------------------- reading and acknowledging

@school_member_required(rights.must_read_policies)
def to_read(request):
    return render(request, "policies/to_read.html",
                  {"policies": selectors.policies_to_read(request.user, request.school)})


@require_POST
@school_member_required(rights.must_read_policies)
@sent_once
def acknowledge(request, policy_id: int):
    version = selectors.get_version_to_read(request.user, request.school, policy_id)
    services.acknowledge(version=version, user=request.user, request=request)
    messages.success(request, f"Thank you: you have confirmed you read “{version.policy.title}”.")
    return redirect("policies:to_read")


# ---------------------------------------------------------------- early review from an incident

@school_member_required(rights.can_read_register)
@sent_once
def early_review_for_incident(request, incident_id: int):
    incident = get_incident_for_user(request.user, request.school, incident_id, needed="read").incident
    policies = selectors.policies_for_early_review(request.user, request.school, timezone.localdate())
    form = forms.EarlyReviewForm(request.POST or None, policies=policies)
    if request.method == "POST" and form.is_valid():
        policy = form.cleaned_data["policy"]
        with refusal(request) as attempt:
            services.start_review(policy=policy, actor=request.user, reason=Review.Reason.INCIDENT,
                                  detail=form.cleaned_data["detail"], incident_id=incident.pk, request=request)
        if not attempt.ok:
            return _back_to(policy)
        return _done(request, policy, f"Early review started because of case {incident.reference}.")
    return render(request, "policies/early_review.html", {"incident": incident, "form": form},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------- public page

@ratelimit.public_page
def public_register(request, school_slug: str):
    school, policies = selectors.public_policies(school_slug)
    return render(request, "policies/public.html", {"school": school, "policies": policies})


@ratelimit.public_page
def public_file(request, school_slug: str, policy_id: int):
    return _version_download(selectors.get_public_version(school_slug, policy_id))


# ---------------------------------------------------------------- the compliance calendar

@school_member_required(rights.can_see_calendar)
def compliance(request):
    today = timezone.localdate()
    return render(request, "policies/compliance.html", {
        "calendar": selectors.calendar(request.school, today),
        "duties": selectors.duty_accesses(request.user, request.school), "today": today,
    })


@school_member_required(rights.can_see_calendar)
@sent_once
def duty_detail(request, duty_id: int):
    access = selectors.get_duty_for_user(request.user, request.school, duty_id,
                                         needed="complete" if request.method == "POST" else None)
    duty = access.duty
    form = forms.CompleteDutyForm(request.POST or None, request.FILES or None,
                                  initial={"due_on": duty.next_due_on})
    if request.method == "POST" and form.is_valid():
        with refusal(request) as attempt:
            services.complete_duty(duty=duty, actor=request.user, request=request,
                                   due_on=form.cleaned_data["due_on"],
                                   completed_on=form.cleaned_data["completed_on"],
                                   notes=form.cleaned_data["notes"], upload=form.cleaned_data["evidence"])
        if attempt.ok:
            duty.refresh_from_db()
            messages.success(request, f"Recorded. It is next due on {duty.next_due_on:%d %B %Y}.")
            return redirect("policies:duty", duty.pk)
    return render(request, "policies/duty.html", {
        "duty": duty, "form": form, "rights": access, "completions": selectors.completions_of(duty),
    }, status=400 if form.errors else 200)


@school_member_required(rights.can_see_calendar)
def duty_evidence(request, duty_id: int, completion_id: int):
    duty = selectors.get_duty_for_user(request.user, request.school, duty_id).duty
    completion = get_object_or_404(duty.completions.exclude(evidence=""), pk=completion_id)
    extension = EXTENSIONS.get(completion.evidence_type, "")
    return file_download(completion.evidence.open("rb"), content_type=completion.evidence_type,
                         filename=safe_filename(f"{duty.code or 'duty'}-{completion.due_on}", extension))
