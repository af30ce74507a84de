"""A signed-in parent's pages: their children's agreements, an answer for one child, its receipt and copy.
Only children they hold parental responsibility for, and only their own answers, are found. This is where a
parent who answered through an emailed link downloads their copy once the link's short window has passed."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from onlinesafety.access import school_member_required
from onlinesafety.submissions.decorators import sent_once

from ..models import CampaignKind
from ..selectors import family as selectors
from ..selectors.rounds import current_round, with_statuses
from .answers import answer_page, pdf_copy


@school_member_required()
def family(request):
    round_ = current_round(request.school)
    children = selectors.with_own_answers(
        with_statuses(selectors.children_to_answer(request.user, request.school), round_), request.user, round_)
    return render(request, "aup/family.html", {
        "children": children, "aup_ready": round_.ready(CampaignKind.AGREEMENT),
        "images_ready": round_.ready(CampaignKind.IMAGES),
    })


@school_member_required()
@sent_once
def family_answer(request, pupil_id: int, kind: str):
    if kind not in CampaignKind.values:
        raise Http404("No such agreement.")
    pupil = selectors.get_child_for_parent(request.user, request.school, pupil_id)
    return answer_page(request, pupil=pupil, parent=request.user, kind=kind, invitation=None,
                       done_path=lambda signature: reverse("aup:family_done", args=[signature.pk]))


@school_member_required()
def family_done(request, signature_id: int):
    signature = selectors.get_signature_for_parent(request.user, request.school, signature_id)
    return render(request, "aup/sign_done.html", {"signature": signature, "pupil": signature.pupil,
                                                  "remaining": [], "signed_in": True})


@school_member_required()
def family_copy(request, signature_id: int):
    signature = selectors.get_signature_for_parent(request.user, request.school, signature_id)
    return pdf_copy(signature)
