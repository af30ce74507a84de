"""What the link pages (``links``) and a signed-in parent's pages (``family``) share: the answer page for one
child, the "problem" pages, and the PDF copy of an answer.

Nothing here reads a token or the signed-in user: the caller has already found the parent, the child and, for a
link, the invitation, and says where the receipt page is and what to show for a child already answered. The
emailed receipt always points to the copy on the parent's own signed-in page, which outlives the link.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from onlinesafety.downloads import bytes_download
from onlinesafety.mail.services import absolute_url
from onlinesafety.pdf import render_pdf
from onlinesafety.views import refusal

from .. import forms
from ..documents import text_of
from ..models import CampaignKind, Outcome, Signature
from ..selectors.family import answers_for
from ..selectors.rounds import current_round
from ..services import answers as services


def problem_page(request, problem: str, status: int, **context):
    """The page a parent sees instead of the form: an unknown, expired or spent link, an answer already
    recorded, or nothing published yet. ``problem`` picks the wording."""
    return render(request, "aup/link_problem.html", {"problem": problem, **context}, status=status)


def answer_page(request, *, pupil, parent, kind, invitation, done_path: Callable[[Signature], str],
                answered_page: Callable[[Signature], HttpResponse] | None = None, token: str = ""):
    """Show the texts and the form for ``pupil``; record the answer on a valid POST and go to ``done_path``.
    ``answered_page(answer)`` is shown instead of the form for a child already answered (by default the
    signed-in parent's page, which names the child and gives the date)."""
    answered_page = answered_page or (lambda answer: _already_answered(request, answer, pupil))
    kind = CampaignKind(kind)
    round_ = current_round(pupil.school)
    version, pupil_version = round_.versions_for(kind, pupil.year_group)
    if not round_.ready(kind):
        return problem_page(request, "unpublished", 404)
    answers = answers_for(pupil, round_, kind)
    # Through a link each child is answered once; signed in, a parent who declined may still sign.
    if answers and (invitation is not None or any(a.outcome == Outcome.SIGNED for a in answers)):
        return answered_page(answers[0])
    shown = forms.FamilyAnswerForm.shown_value(version, pupil_version)
    form = forms.FamilyAnswerForm(request.POST or None, kind=kind, sign_only=bool(answers),
                                  initial={"shown": shown})  # nothing answered for the parent, not even who they are
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal(request, form) as attempt:
            try:
                signature = services.answer_for_child(
                    school=pupil.school, parent=parent, pupil=pupil, kind=kind,
                    outcome=Outcome(data.get("decision", Outcome.SIGNED)), typed_name=data["typed_name"],
                    relationship=data["relationship"], discussed_with_child=data.get("discussed_with_child", False),
                    decline_reason=data.get("decline_reason", ""), image_answers=form.image_answers(),
                    invitation=invitation, request=request, shown=form.shown_versions(),
                    copy_url=lambda signature: absolute_url(reverse("aup:family_copy", args=[signature.pk])),
                )
            except services.AlreadyAnswered:
                return answered_page(answers_for(pupil, round_, kind)[0])
            except services.AgreementChanged as error:
                messages.warning(request, str(error))
                return HttpResponseRedirect(request.get_full_path())
        if attempt.ok:
            return HttpResponseRedirect(done_path(signature))
    return render(request, "aup/answer.html", {
        "pupil": pupil, "kind": kind, "version": version, "pupil_version": pupil_version, "form": form,
        "token": token, "declined_before": bool(answers),
    })


def _already_answered(request, answer: Signature, pupil):
    return problem_page(request, "answered", 409, answer=answer, pupil=pupil)


def pdf_copy(signature: Signature):
    """The PDF record of an answer, as a download."""
    pdf = render_pdf("aup/signature_pdf.html", {"signature": signature, "text": text_of(signature),
                                                "school": signature.school})
    return bytes_download(pdf, content_type="application/pdf", filename=f"agreement-{signature.pk}.pdf")
