"""The pages reached by an emailed signing link: no sign-in, only the token. Everything that trusts a token is
in this file.

On every request the link must exist (an unknown or tampered token is a 404 page) and not have expired (410);
each child must be on the invitation, on roll and still the parent's responsibility (else 404). A link shows only
the children still to answer: a child already answered is a page that neither names them nor shows the answer,
and once every child is answered the link shows the school's name and nothing else (no names, no answers, no
address carrying the token). The parent's receipt and PDF copy open through the link only for
``AUP_COPY_MINUTES`` after the answer (``rights.link_opens_answer``), then only on their signed-in family page.
The parent is the invitation's, never the signed-in user.

Every page here is a ``ratelimit.token_page``: a link that does not work (unknown, expired, or used for every
child) counts against the network that opened it, and answers posted and PDF copies count against the link.
"""

import zoneinfo

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from onlinesafety import ratelimit
from onlinesafety.submissions.decorators import sent_once

from .. import rights
from ..selectors import links as selectors
from .answers import answer_page, pdf_copy, problem_page


def _link_or_problem(request, token: str):
    """(the link, None) if the token opens a link still in date, else (None, the problem page)."""
    link = selectors.signing_link(token)
    if link is not None and link.expires_at > timezone.now():
        return link, None
    ratelimit.link_failed(request)
    if link is None:
        return None, problem_page(request, "unknown", 404)
    return None, problem_page(request, "expired", 410)


def _in_school_time(link):
    """Dates on these pages in the school's time zone (no signed-in school sets it)."""
    return timezone.override(zoneinfo.ZoneInfo(link.invitation.campaign.school.timezone))


def _still_to_answer(link):
    return selectors.still_to_answer(selectors.children_on_link(link))


def _used_page(request, link):
    """Every child on the link is answered: the school's name and the way to the signed-in copy, nothing more."""
    ratelimit.link_failed(request)
    return problem_page(request, "used", 410, school=link.invitation.campaign.school)


def _child_answered(request, link, token: str):
    """The child has an answer: the way back to the children still to answer, or the used page if none is left.
    Neither names the child nor shows the answer (another carer may have given it)."""
    if not _still_to_answer(link):
        return _used_page(request, link)
    return problem_page(request, "answered", 409, token=token)


def _heavy_action_refusal(request, link):
    return ratelimit.link_action_refusal(request, link=link, school=link.invitation.campaign.school)


@ratelimit.token_page
def sign_landing(request, token: str):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    with _in_school_time(link):
        children = selectors.children_on_link(link)
        if not children:
            return problem_page(request, "nothing", 410)
        to_answer = selectors.still_to_answer(children)
        if not to_answer:
            return _used_page(request, link)
        return render(request, "aup/sign_landing.html", {
            "link": link, "token": token, "children": to_answer, "answered": len(children) - len(to_answer),
            "kind": link.invitation.campaign.kind,
        })


@ratelimit.token_page
@sent_once
def sign_child(request, token: str, pupil_id: int):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    if request.method == "POST" and (refused := _heavy_action_refusal(request, link)):
        return refused
    pupil = selectors.child_on_link(link, pupil_id)
    if pupil is None:
        return problem_page(request, "unknown", 404)
    with _in_school_time(link):
        invitation = link.invitation
        return answer_page(
            request, pupil=pupil, parent=invitation.parent, kind=invitation.campaign.kind, invitation=invitation,
            token=token, done_path=lambda signature: reverse("aup:sign_done", args=[token, pupil.pk]),
            answered_page=lambda answer: _child_answered(request, link, token),
        )


def _own_answer_on_link(request, token: str, pupil_id: int):
    """(link, pupil, this parent's answer for the child, None) while the link still opens that answer, or
    (None, None, None, the problem page)."""
    link, problem = _link_or_problem(request, token)
    if problem:
        return None, None, None, problem
    pupil = selectors.child_on_link(link, pupil_id)
    signature = selectors.answer_on_link(link, pupil) if pupil else None
    if signature is None:
        return None, None, None, problem_page(request, "unknown", 404)
    if not rights.link_opens_answer(signature.signed_at, timezone.now()):
        return None, None, None, _answer_closed(request, link, token)
    return link, pupil, signature, None


def _answer_closed(request, link, token: str):
    """The receipt and copy have closed on the link: where to find the copy, and the way back to any child still
    to answer (the link is not spent for them)."""
    return problem_page(request, "closed", 410, school=link.invitation.campaign.school,
                        token=token if _still_to_answer(link) else "")


@ratelimit.token_page
def sign_done(request, token: str, pupil_id: int):
    link, pupil, signature, problem = _own_answer_on_link(request, token, pupil_id)
    if problem:
        return problem
    with _in_school_time(link):
        return render(request, "aup/sign_done.html", {
            "signature": signature, "pupil": pupil, "token": token, "remaining": _still_to_answer(link),
            "copy_minutes": settings.AUP_COPY_MINUTES,
        })


@ratelimit.token_page
def sign_copy(request, token: str, pupil_id: int):
    link, _, signature, problem = _own_answer_on_link(request, token, pupil_id)
    if problem:
        return problem
    if refused := _heavy_action_refusal(request, link):
        return refused
    with _in_school_time(link):
        return pdf_copy(signature)
