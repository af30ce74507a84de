import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.csvexport import csv_lines, csv_response
from onlinesafety.forms import parse_id
from onlinesafety.pdf import render_pdf
from onlinesafety.schools.selectors import get_pupil_for_user, year_groups_of

from . import forms, selectors, services
from .documents import signed_text, text_of
from .models import Audience, CampaignKind, Outcome, Signature
from .selectors import COVERAGE_ROLES, KIOSK_ROLES, MANAGER_ROLES, READER_ROLES, REGISTER_ROLES

ROWS_PER_PAGE = 100
KINDS = {kind.value: kind for kind in CampaignKind}


def _families(count: int) -> str:
    return f"{count} {'family' if count == 1 else 'families'}"


def _kind(value) -> str:
    return KINDS.get(value, CampaignKind.AGREEMENT)


def _refused(request, error) -> None:
    messages.error(request, f"Nothing was changed: {error}")


# ---------------------------------------------------------------- agreements

@school_member_required(*READER_ROLES)
def agreement_list(request):
    agreements = selectors.agreements_of(request.school).order_by("pk")
    return render(request, "aup/agreement_list.html", {
        "agreements": agreements, "can_manage": bool(request.roles & MANAGER_ROLES),
        "can_see_coverage": bool(request.roles & COVERAGE_ROLES),
    })


@school_member_required(*READER_ROLES)
def agreement_detail(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    return render(request, "aup/agreement_detail.html", {
        "agreement": agreement, "versions": selectors.versions_of(agreement),
        "can_manage": bool(request.roles & MANAGER_ROLES), "publish_form": forms.PublishForm(),
    })


@school_member_required(*MANAGER_ROLES)
def edit_draft(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    initial = {"title": agreement.title, "text": agreement.draft_text}
    form = forms.DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_draft(agreement=agreement, actor=request.user, request=request, **form.cleaned_data)
        messages.success(request, "Draft saved. Publish it when it is ready; until then the version in force "
                                  "stays.")
        return redirect("aup:detail", agreement.pk)
    return render(request, "aup/draft_form.html", {"agreement": agreement, "form": form})


@require_POST
@school_member_required(*MANAGER_ROLES)
def publish(request, agreement_id: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        _refused(request, "write what changed on one line.")
        return redirect("aup:detail", agreement.pk)
    try:
        version = services.publish(agreement=agreement, actor=request.user, request=request, **form.cleaned_data)
    except services.AupRuleBroken as error:
        _refused(request, error)
    else:
        messages.success(request, f"Version {version.number} published. Everyone it applies to must answer it "
                                  "again.")
    return redirect("aup:detail", agreement.pk)


@school_member_required(*READER_ROLES)
def version_detail(request, agreement_id: int, number: int):
    agreement = selectors.get_agreement_for_user(request.user, request.school, agreement_id)
    version = selectors.versions_of(agreement).filter(number=number).first()
    if version is None:
        return render(request, "404.html", status=404)
    return render(request, "aup/version_detail.html", {"agreement": agreement, "version": version})


# ---------------------------------------------------------------- members sign

def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@school_member_required()
def mine(request):
    return render(request, "aup/mine.html", {
        "agreements": selectors.personal_agreements(request.user, request.school), "next": _safe_next(request),
    })


@school_member_required()
def sign_mine(request, version_id: int):
    version = selectors.get_version_to_sign(request.user, request.school, version_id)
    already = selectors.signatures_of_user(request.user, request.school).filter(version=version).first()
    form = forms.PersonalSignForm(request.POST or None)
    if request.method == "POST" and already is None and form.is_valid():
        try:
            services.sign_personal(version=version, user=request.user, school=request.school, request=request,
                                   typed_name=form.cleaned_data["typed_name"])
        except services.AupRuleBroken as error:
            form.add_error("typed_name", str(error))
        else:
            messages.success(request, f"Thank you: you signed the {version.title.lower()}.")
            remaining = selectors.unsigned_agreements(request.user, request.school)
            if remaining:
                url = reverse("aup:sign_mine", args=[remaining[0].current_version_id])
                return redirect(f"{url}?{urlencode({'next': _safe_next(request)})}" if _safe_next(request) else url)
            return redirect(_safe_next(request) or "home")
    return render(request, "aup/sign_mine.html", {
        "version": version, "text": signed_text(version), "form": form, "already": already,
        "next": _safe_next(request),
    })


# ---------------------------------------------------------------- the visitor kiosk

@school_member_required(*KIOSK_ROLES)
def kiosk(request):
    version = selectors.current_versions(request.school).get(Audience.VISITOR)
    form = forms.KioskForm(request.POST or None)
    if request.method == "POST" and version is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_at_kiosk(school=request.school, witness=request.user, full_name=data["full_name"],
                                   organisation=data["organisation"], visit_reason=data["visit_reason"],
                                   request=request)
        except services.AupRuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Signed. The form is ready for the next visitor.")
            return redirect("aup:kiosk")
    return render(request, "aup/kiosk.html", {"version": version, "form": form})


@school_member_required(*KIOSK_ROLES)
def visitor_log(request):
    page = Paginator(selectors.kiosk_signatures(request.school), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/visitor_log.html", {"page": page})


# ---------------------------------------------------------------- official social media accounts

@school_member_required(*MANAGER_ROLES)
def account_holders(request):
    people = selectors.people_who_sign(request.school, Audience.STAFF)
    form = forms.AccountHolderForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_account_holder(school=request.school, actor=request.user, request=request,
                                        **form.cleaned_data)
        except services.AupRuleBroken as error:
            form.add_error("user", str(error))
        else:
            messages.success(request, "Added. They will be asked to sign the social media agreement.")
            return redirect("aup:account_holders")
    return render(request, "aup/account_holders.html", {
        "holders": selectors.account_holders(request.school), "form": form,
    })


@require_POST
@school_member_required(*MANAGER_ROLES)
def remove_account_holder(request, holder_id: int):
    holder = selectors.account_holders(request.school).filter(pk=holder_id).first()
    if holder is not None:
        services.remove_account_holder(holder=holder, actor=request.user, request=request)
        messages.success(request, "Removed from the list of account holders.")
    return redirect("aup:account_holders")


# ---------------------------------------------------------------- campaigns

@school_member_required(*COVERAGE_ROLES)
def campaign_list(request):
    page = Paginator(selectors.campaigns_of(request.school), 50).get_page(request.GET.get("page"))
    return render(request, "aup/campaign_list.html", {
        "page": page, "can_start": bool(request.roles & MANAGER_ROLES),
    })


@school_member_required(*MANAGER_ROLES)
def campaign_new(request):
    form = forms.CampaignForm(request.POST or None, school=request.school,
                              year_groups=year_groups_of(request.school),
                              initial={"kind": CampaignKind.AGREEMENT, "link_days": settings.AUP_LINK_DAYS})
    if request.method == "POST" and form.is_valid():
        ids, label = form.cohort_ids_and_label()
        try:
            campaign = services.start_campaign(
                school=request.school, actor=request.user, kind=form.cleaned_data["kind"],
                cohort=form.cleaned_data["cohort"], ids=ids, cohort_label=label,
                link_days=form.cleaned_data["link_days"], request=request)
        except services.AupRuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Emails are on their way to {_families(campaign.families)}.")
            return redirect("aup:campaign", campaign.pk)
    return render(request, "aup/campaign_form.html", {"form": form,
                                                      "round": selectors.current_round(request.school)})


@school_member_required(*COVERAGE_ROLES)
def campaign_detail(request, campaign_id: int):
    campaign = selectors.get_campaign_for_user(request.user, request.school, campaign_id)
    return render(request, "aup/campaign_detail.html", {
        "campaign": campaign, "progress": selectors.campaign_progress(campaign),
    })


# ---------------------------------------------------------------- coverage

@school_member_required(*COVERAGE_ROLES)
def coverage(request):
    round_ = selectors.current_round(request.school)
    return render(request, "aup/coverage.html", {
        "personal": selectors.personal_coverage(request.school, round_),
        "families": selectors.family_coverage(request.school, round_),
        # Reversed once here, not once per row: with seventy classes the page renders 140 rows.
        "outstanding_url": reverse("aup:outstanding"), "resend_url": reverse("aup:resend"),
    })


@school_member_required(*COVERAGE_ROLES)
def outstanding(request):
    round_ = selectors.current_round(request.school)
    audience = request.GET.get("audience", "")
    if audience in Audience.values and audience in [a.value for a in selectors.PERSONAL_AUDIENCES]:
        people = selectors.unsigned_people(request.school, audience, round_)
        page = Paginator(people, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, "aup/outstanding_people.html", {
            "page": page, "audience": Audience(audience), "published": audience in round_.versions})
    kind = _kind(request.GET.get("kind"))
    class_key = _class_key(request.GET.get("class", ""))
    reads = audience if audience in [a.value for a in selectors.PUPIL_AUDIENCES] else ""
    pupils = selectors.outstanding_pupils(request.school, round_, kind, class_key, reads)
    page = Paginator(pupils, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/outstanding_pupils.html", {
        "page": page, "kind": kind, "kind_label": CampaignKind(kind).label, "class_key": class_key,
        "reads": reads, "reads_label": Audience(reads).label if reads else "",
        "query": request.GET.urlencode(),
    })


def _class_key(value: str) -> str:
    if value == "none":
        return value
    class_id = parse_id(value)
    return str(class_id) if class_id else ""


@school_member_required(*COVERAGE_ROLES)
def coverage_csv(request):
    round_ = selectors.current_round(request.school)
    families = selectors.family_coverage(request.school, round_)

    def status(pupil):
        if not families["aup_ready"]:
            return "not published"
        return "signed" if pupil.aup_signed else "declined" if pupil.aup_declined else "outstanding"

    def rows():
        for pupil in selectors.pupil_status_rows(request.school, round_).iterator(chunk_size=1000):
            images = ("answered" if pupil.images_answered else "outstanding") if families["images_ready"] \
                else "not published"
            yield ["pupil", pupil.full_name, pupil.get_year_group_display(),
                   pupil.school_class.name if pupil.school_class else "", status(pupil), images]
        for audience in selectors.PERSONAL_AUDIENCES:
            version = round_.versions.get(audience)
            unsigned = set(selectors.unsigned_people(request.school, audience, round_).values_list("pk", flat=True))
            for person in selectors.people_who_sign(request.school, audience):
                state = "not published" if version is None else "outstanding" if person.pk in unsigned else "signed"
                yield [Audience(audience).label, person.full_name, "", "", state, ""]

    header = ["who", "name", "year group", "class", "acceptable use", "image consent"]
    return csv_response(csv_lines(header, rows()), f"aup-coverage-{timezone.localdate():%Y-%m-%d}.csv")


@require_POST
@school_member_required(*COVERAGE_ROLES)
def resend(request):
    kind = _kind(request.POST.get("kind"))
    try:
        audience = request.POST.get("audience", "")
        campaign = services.resend_to_outstanding(
            school=request.school, actor=request.user, kind=kind, request=request,
            class_key=_class_key(request.POST.get("class", "")),
            reads=audience if audience in [a.value for a in selectors.PUPIL_AUDIENCES] else "")
    except services.AupRuleBroken as error:
        _refused(request, error)
        return redirect("aup:coverage")
    messages.success(request, f"New links sent to {_families(campaign.families)} who have not answered yet.")
    return redirect("aup:campaign", campaign.pk)


# ---------------------------------------------------------------- the registers

@school_member_required(*REGISTER_ROLES)
def technology_register(request):
    register = selectors.technology_register(request.school, timezone.localdate())
    page = Paginator(register, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "aup/technology_register.html", {
        "page": page, "grace_days": selectors.grace_days(),
    })


@school_member_required(*REGISTER_ROLES)
def add_restriction(request, pupil_id: int):
    pupil = get_pupil_for_user(request.user, request.school, pupil_id)
    form = forms.RestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_restriction(school=request.school, actor=request.user, pupil=pupil, request=request,
                                     **form.cleaned_data)
        except services.AupRuleBroken as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Added to the technology access register.")
            return redirect("aup:technology_register")
    return render(request, "aup/restriction_form.html", {"pupil": pupil, "form": form})


@require_POST
@school_member_required(*REGISTER_ROLES)
def lift_restriction(request, restriction_id: int):
    restriction = selectors.get_restriction_for_user(request.user, request.school, restriction_id)
    services.lift_restriction(restriction=restriction, actor=request.user, request=request)
    messages.success(request, "Restriction lifted.")
    return redirect("aup:technology_register")


@school_member_required(*REGISTER_ROLES)
def image_register(request):
    page = Paginator(selectors.image_register(request.school), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for pupil in page:
        pupil.uses = [getattr(pupil, name) for name, _ in Signature.IMAGE_USES]
    return render(request, "aup/image_register.html", {"page": page})


# ---------------------------------------------------------------- parents signed in

@school_member_required()
def family(request):
    round_ = selectors.current_round(request.school)
    children = selectors.with_statuses(selectors.children_to_answer(request.user, request.school), round_)
    return render(request, "aup/family.html", {
        "children": children, "aup_ready": round_.ready(CampaignKind.AGREEMENT),
        "images_ready": round_.ready(CampaignKind.IMAGES),
    })


@school_member_required()
def family_answer(request, pupil_id: int, kind: str):
    if kind not in KINDS:
        return render(request, "404.html", status=404)
    pupil = selectors.get_child_for_parent(request.user, request.school, pupil_id)
    return _answer_page(request, pupil=pupil, parent=request.user, kind=kind, invitation=None,
                        copy_path=lambda signature: reverse("aup:family_copy", args=[signature.pk]))


@school_member_required()
def family_copy(request, signature_id: int):
    signature = selectors.get_signature_for_parent(request.user, request.school, signature_id)
    return _pdf_copy(signature)


# ---------------------------------------------------------------- parents by emailed link

def _link_or_problem(request, token: str):
    link = selectors.signing_link(token)
    if link is None:
        return None, render(request, "aup/link_problem.html", {"problem": "unknown"}, status=404)
    if link.expires_at <= timezone.now():
        return None, render(request, "aup/link_problem.html", {"problem": "expired", "link": link}, status=410)
    return link, None


def _in_school_time(link):
    return timezone.override(zoneinfo.ZoneInfo(link.invitation.campaign.school.timezone))


def sign_landing(request, token: str):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    with _in_school_time(link):
        children = selectors.children_on_link(link)
        if not children:
            return render(request, "aup/link_problem.html", {"problem": "nothing"}, status=410)
        if all(child.answered for child in children):
            own = selectors.own_answers_on_link(link, children)
            for child in children:
                child.has_own_answer = child.pk in own
            return render(request, "aup/link_problem.html", {"problem": "used", "link": link, "token": token,
                                                             "children": children}, status=410)
        return render(request, "aup/sign_landing.html", {"link": link, "token": token, "children": children,
                                                          "kind": link.invitation.campaign.kind})


def sign_child(request, token: str, pupil_id: int):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    pupil = selectors.child_on_link(link, pupil_id)
    if pupil is None:
        return render(request, "aup/link_problem.html", {"problem": "unknown"}, status=404)
    with _in_school_time(link):
        invitation = link.invitation
        return _answer_page(
            request, pupil=pupil, parent=invitation.parent, kind=invitation.campaign.kind, invitation=invitation,
            token=token, copy_path=lambda signature: reverse("aup:sign_copy", args=[token, pupil.pk]),
        )


def _own_answer_on_link(request, token: str, pupil_id: int):
    """(link, pupil, this parent's answer for the child) or a problem page to return instead."""
    link, problem = _link_or_problem(request, token)
    if problem:
        return None, None, None, problem
    pupil = selectors.child_on_link(link, pupil_id)
    signature = selectors.answer_on_link(link, pupil) if pupil else None
    if signature is None:
        return None, None, None, render(request, "aup/link_problem.html", {"problem": "unknown"}, status=404)
    return link, pupil, signature, None


def sign_done(request, token: str, pupil_id: int):
    link, pupil, signature, problem = _own_answer_on_link(request, token, pupil_id)
    if problem:
        return problem
    with _in_school_time(link):
        remaining = [child for child in selectors.children_on_link(link) if not child.answered]
        return render(request, "aup/sign_done.html", {
            "signature": signature, "pupil": pupil, "token": token, "remaining": remaining,
        })


def sign_copy(request, token: str, pupil_id: int):
    link, _, signature, problem = _own_answer_on_link(request, token, pupil_id)
    if problem:
        return problem
    with _in_school_time(link):
        return _pdf_copy(signature)


# ---------------------------------------------------------------- shared by the link and the signed-in parent

def _answer_page(request, *, pupil, parent, kind, invitation, copy_path, token=""):
    round_ = selectors.current_round(pupil.school)
    version, pupil_version = round_.versions_for(kind, pupil.year_group)
    if not round_.ready(kind):
        return render(request, "aup/link_problem.html", {"problem": "unpublished"}, status=404)
    answers = selectors.answers_for(pupil, round_, kind)
    # Through a link each child is answered once; signed in, a parent who declined may still sign.
    if answers and (invitation is not None or any(a.outcome == Outcome.SIGNED for a in answers)):
        return _already_answered(request, answers[0], pupil, token)
    shown = forms.FamilyAnswerForm.shown_value(version, pupil_version)
    form = forms.FamilyAnswerForm(request.POST or None, kind=kind, sign_only=bool(answers),
                                  initial={"relationship": selectors.relationship_of(parent, pupil), "shown": shown})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signature = services.answer_for_child(
                school=pupil.school, parent=parent, pupil=pupil, kind=kind,
                outcome=data.get("decision", Outcome.SIGNED), typed_name=data["typed_name"],
                relationship=data["relationship"], discussed_with_child=data.get("discussed_with_child", False),
                decline_reason=data.get("decline_reason", ""), image_answers=form.image_answers(),
                invitation=invitation, request=request, shown=form.shown_versions(),
                copy_url=lambda signature: request.build_absolute_uri(copy_path(signature)),
            )
        except services.AlreadyAnswered:
            return _already_answered(request, selectors.answers_for(pupil, round_, kind)[0], pupil, token)
        except services.AgreementChanged as error:
            messages.warning(request, str(error))
            return redirect(request.get_full_path())
        except services.AupRuleBroken as error:
            form.add_error(None, str(error))
        else:
            if invitation is None:
                return redirect("aup:family_done", signature.pk)
            return redirect("aup:sign_done", token, pupil.pk)
    return render(request, "aup/answer.html", {
        "pupil": pupil, "kind": kind, "version": version, "pupil_version": pupil_version, "form": form,
        "token": token, "declined_before": bool(answers),
    })


def _already_answered(request, answer, pupil, token):
    return render(request, "aup/link_problem.html", {
        "problem": "answered", "answer": answer, "token": token, "pupil": pupil}, status=409)


@school_member_required()
def family_done(request, signature_id: int):
    signature = selectors.get_signature_for_parent(request.user, request.school, signature_id)
    return render(request, "aup/sign_done.html", {"signature": signature, "pupil": signature.pupil,
                                                  "remaining": [], "signed_in": True})


def _pdf_copy(signature) -> HttpResponse:
    pdf = render_pdf("aup/signature_pdf.html", {"signature": signature, "text": text_of(signature),
                                                "school": signature.school})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agreement-{signature.pk}.pdf"'
    return response

