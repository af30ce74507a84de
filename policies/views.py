from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from incidents.selectors import get_incident_for_user
from onlinesafety.access import school_member_required
from onlinesafety.pdf import render_pdf
from onlinesafety.uploads import EXTENSIONS

from . import forms, selectors, services
from .models import PolicyVersion, Review
from .selectors import CALENDAR_ROLES, EDITOR_ROLES, READER_ROLES, REGISTER_ROLES

POLICIES_PER_PAGE = 50


def _policy(request, policy_id):
    policy = selectors.get_policy_for_user(request.user, request.school, policy_id, timezone.localdate())
    return policy, selectors.rights_on(request.user, request.school, policy)


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _done(request, policy, message):
    messages.success(request, message)
    return redirect("policies:detail", policy.pk)


def _broken(request, policy, error):
    messages.error(request, f"Nothing was changed: {error}")
    return redirect("policies:detail", policy.pk)


# ---------------------------------------------------------------- the register

@school_member_required(*REGISTER_ROLES)
def register(request):
    today = timezone.localdate()
    policies = selectors.register(request.user, request.school, today)
    counts = selectors.status_counts(policies)
    status = request.GET.get("status", "")
    if status in selectors.STATUS_LABELS:
        policies = policies.filter(status=status)
    page = Paginator(policies, POLICIES_PER_PAGE).get_page(request.GET.get("page"))
    can_add = bool(request.roles & EDITOR_ROLES)
    return render(request, "policies/register.html", {
        "page": page, "counts": counts, "labels": selectors.STATUS_LABELS, "status": status, "can_add": can_add,
    })


@school_member_required(*EDITOR_ROLES)
def create(request):
    form = forms.PolicyForm(request.POST or None, school=request.school,
                            owners=selectors.readers_of(request.school))
    if request.method == "POST" and form.is_valid():
        policy = services.create_policy(school=request.school, actor=request.user, request=request,
                                        **form.cleaned_data)
        return _done(request, policy, "Policy added to the register.")
    return render(request, "policies/policy_form.html", {"form": form})


@school_member_required(*EDITOR_ROLES)
def edit(request, policy_id: int):
    policy, _ = _policy(request, policy_id)
    form = forms.PolicyForm(request.POST or None, instance=policy, school=request.school,
                            owners=selectors.readers_of(request.school))
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_policy(policy=policy, actor=request.user, request=request, **changed)
        return _done(request, policy, "Policy details saved.")
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy})


@school_member_required(*REGISTER_ROLES)
def detail(request, policy_id: int):
    policy, rights = _policy(request, policy_id)
    acknowledgements = selectors.acknowledgement_table(policy) if rights.run_review or rights.edit else []
    return render(request, "policies/detail.html", {
        "policy": policy, "rights": rights, "versions": selectors.versions_of(policy),
        "draft": selectors.draft_of(policy), "reviews": policy.reviews.select_related("started_by")[:10],
        "acknowledgements": acknowledgements,
        "acknowledged_count": sum(1 for _, when in acknowledgements if when),
        "start_form": forms.StartReviewForm(), "approve_form": forms.ApproveForm(),
        "send_back_form": forms.SendBackForm(), "status_label": selectors.STATUS_LABELS[policy.status],
    })


@require_POST
@school_member_required(*REGISTER_ROLES)
def start_review(request, policy_id: int):
    policy, rights = _policy(request, policy_id)
    form = forms.StartReviewForm(request.POST)
    scheduled = request.POST.get("reason") == Review.Reason.SCHEDULED
    _refuse_unless(rights.run_review if scheduled else rights.early_review)
    if not form.is_valid():
        return _broken(request, policy, "choose a reason for the review.")
    try:
        services.start_review(policy=policy, actor=request.user, request=request, **form.cleaned_data)
    except services.PolicyRuleBroken as error:
        return _broken(request, policy, error)
    return _done(request, policy, "Review started.")


@school_member_required(*REGISTER_ROLES)
def draft(request, policy_id: int):
    policy, rights = _policy(request, policy_id)
    _refuse_unless(rights.run_review)
    current = selectors.draft_of(policy) or policy.current_version
    initial = {"text": current.text if current else "", "change_summary": ""}
    form = forms.DraftForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(policy=policy, actor=request.user, request=request,
                                change_summary=form.cleaned_data["change_summary"],
                                text=form.cleaned_data["text"], upload=form.cleaned_data["document"])
        except services.PolicyRuleBroken as error:
            return _broken(request, policy, error)
        return _done(request, policy, "Draft saved.")
    return render(request, "policies/draft_form.html", {"form": form, "policy": policy})


def _workflow_step(step, *, needs):
    """A POST that moves the review on: check the right, run the service, say what happened."""

    @require_POST
    @school_member_required(*REGISTER_ROLES)
    def view(request, policy_id: int):
        policy, rights = _policy(request, policy_id)
        _refuse_unless(getattr(rights, needs))
        try:
            message = step(request, policy)
        except services.PolicyRuleBroken as error:
            return _broken(request, policy, error)
        return _done(request, policy, message)

    return view


def _submit(request, policy):
    services.submit_for_approval(policy=policy, actor=request.user, request=request)
    return "Submitted for approval. The approvers have been emailed."


def _approve(request, policy):
    form = forms.ApproveForm(request.POST)
    if not form.is_valid():
        raise services.PolicyRuleBroken(" ".join(" ".join(e) for e in form.errors.values()))
    services.approve(policy=policy, actor=request.user, request=request, **form.cleaned_data)
    return "Approved and published. The next review date follows from the cycle."


def _send_back(request, policy):
    form = forms.SendBackForm(request.POST)
    if not form.is_valid():
        raise services.PolicyRuleBroken("say what needs changing.")
    services.send_back(policy=policy, actor=request.user, reason=form.cleaned_data["reason"], request=request)
    return "Returned to the owner for changes."


def _remind(request, policy):
    readers = selectors.unacknowledged_readers(policy)
    count = services.remind_readers(policy=policy, actor=request.user, readers=readers, request=request)
    return f"Reminder sent to {count} member{'s' if count != 1 else ''} of staff."


submit = _workflow_step(_submit, needs="run_review")
approve = _workflow_step(_approve, needs="approve")
send_back = _workflow_step(_send_back, needs="approve")
remind = _workflow_step(_remind, needs="run_review")


@school_member_required(*REGISTER_ROLES)
def version_file(request, policy_id: int, version_id: int):
    version = selectors.get_version_for_user(request.user, request.school, policy_id, version_id,
                                             timezone.localdate())
    return _version_response(version)


def _version_response(version: PolicyVersion):
    policy = version.policy
    if version.document:
        extension = ".pdf" if version.document_type == "application/pdf" else ".docx"
        response = FileResponse(version.document.open("rb"), content_type=version.document_type,
                                as_attachment=extension == ".docx",
                                filename=f"{policy.title} v{version.number}{extension}")
    else:
        pdf = render_pdf("policies/version_pdf.html", {"policy": policy, "version": version})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, f"{policy.title} v{version.number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- reading and acknowledging

@school_member_required(*READER_ROLES)
def to_read(request):
    return render(request, "policies/to_read.html",
                  {"policies": selectors.policies_to_read(request.user, request.school)})


@require_POST
@school_member_required(*READER_ROLES)
def acknowledge(request, policy_id: int):
    policy = get_object_or_404(selectors.policies_to_read(request.user, request.school), pk=policy_id)
    services.acknowledge(version=policy.current_version, user=request.user, request=request)
    messages.success(request, f"Thank you: you have confirmed you read “{policy.title}”.")
    return redirect("policies:to_read")


# ---------------------------------------------------------------- early review from an incident

@school_member_required(*REGISTER_ROLES)
def early_review_for_incident(request, incident_id: int):
    access = get_incident_for_user(request.user, request.school, incident_id)
    if not access.full:
        raise Http404("No such case.")
    today = timezone.localdate()
    policies = [p for p in selectors.register(request.user, request.school, today)
                if selectors.rights_on(request.user, request.school, p).early_review]
    form = forms.EarlyReviewForm(request.POST or None, policies=policies)
    if request.method == "POST" and form.is_valid():
        policy = form.cleaned_data["policy"]
        try:
            services.start_review(policy=policy, actor=request.user, reason=Review.Reason.INCIDENT,
                                  detail=form.cleaned_data["detail"], incident_id=access.incident.pk,
                                  request=request)
        except services.PolicyRuleBroken as error:
            return _broken(request, policy, error)
        return _done(request, policy, f"Early review started because of case {access.incident.reference}.")
    return render(request, "policies/early_review.html", {"incident": access.incident, "form": form},
                  status=400 if form.errors else 200)


# ---------------------------------------------------------------- public page

def public_register(request, school_slug: str):
    school, policies = selectors.public_policies(school_slug)
    return render(request, "policies/public.html", {"school": school, "policies": policies})


def public_file(request, school_slug: str, policy_id: int):
    return _version_response(selectors.get_public_version(school_slug, policy_id))


# ---------------------------------------------------------------- the compliance calendar

@school_member_required(*(CALENDAR_ROLES | READER_ROLES))
def compliance(request):
    today = timezone.localdate()
    duties = [(duty, selectors.can_complete(request.user, request.school, duty))
              for duty in selectors.duties_of(request.school)]
    return render(request, "policies/compliance.html", {
        "calendar": selectors.calendar(request.school, today), "duties": duties, "today": today,
        "complete_form": forms.CompleteDutyForm(),
    })


@school_member_required(*(CALENDAR_ROLES | READER_ROLES))
def duty_detail(request, duty_id: int):
    duty = get_object_or_404(selectors.duties_of(request.school), pk=duty_id)
    allowed = selectors.can_complete(request.user, request.school, duty)
    form = forms.CompleteDutyForm(request.POST or None, request.FILES or None,
                                  initial={"due_on": duty.next_due_on})
    if request.method == "POST":
        _refuse_unless(allowed)
        if form.is_valid():
            try:
                services.complete_duty(duty=duty, actor=request.user, request=request,
                                       due_on=form.cleaned_data["due_on"],
                                       completed_on=form.cleaned_data["completed_on"],
                                       notes=form.cleaned_data["notes"], upload=form.cleaned_data["evidence"])
            except services.PolicyRuleBroken as error:
                messages.error(request, f"Nothing was changed: {error}")
            else:
                duty.refresh_from_db()
                messages.success(request, f"Recorded. It is next due on {duty.next_due_on:%d %B %Y}.")
                return redirect("policies:duty", duty.pk)
    return render(request, "policies/duty.html", {
        "duty": duty, "form": form, "can_complete": allowed, "completions": selectors.completions_of(duty),
    }, status=400 if form.errors else 200)


@school_member_required(*(CALENDAR_ROLES | READER_ROLES))
def duty_evidence(request, duty_id: int, completion_id: int):
    duty = get_object_or_404(selectors.duties_of(request.school), pk=duty_id)
    completion = get_object_or_404(duty.completions.exclude(evidence=""), pk=completion_id)
    extension = EXTENSIONS.get(completion.evidence_type, "")
    response = FileResponse(completion.evidence.open("rb"), content_type=completion.evidence_type,
                            as_attachment=True, filename=f"{duty.code or 'duty'}-{completion.due_on}{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    return response

