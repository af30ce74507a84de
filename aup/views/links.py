"""The pages reached by an emailed signing link: no sign-in, only the token. Everything that trusts a token is
in this file.

On every request the link must exist (an unknown or tampered token is a 404 page) and not have expired (410);
each child must be on the invitation, on roll and still the parent's responsibility (else 404); a child already
answered this round is a clear "already answered" page. The parent is the invitation's, never the signed-in user.
"""

import zoneinfo

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..selectors import links as selectors
from .answers import answer_page, pdf_copy, problem_page


def _link_or_problem(request, token: str):
    """(the link, None) if the token opens a link still in date, else (None, the problem page)."""
    link = selectors.signing_link(token)
    if link is None:
        return None, problem_page(request, "unknown", 404)
    if link.expires_at <= timezone.now():
        return None, problem_page(request, "expired", 410, link=link)
    return link, None


def _in_school_time(link):
    """Dates on these pages in the school's time zone (no signed-in school sets it)."""
    return timezone.override(zoneinfo.ZoneInfo(link.invitation.campaign.school.timezone))


def sign_landing(request, token: str):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    with _in_school_time(link):
        children = selectors.children_on_link(link)
        if not children:
            return problem_page(request, "nothing", 410)
        if all(child.answered for child in children):
            return problem_page(request, "used", 410, link=link, token=token, children=children,
                                own_answers=selectors.own_answers_on_link(link, children))
        return render(request, "aup/sign_landing.html", {"link": link, "token": token, "children": children,
                                                          "kind": link.invitation.campaign.kind})


def sign_child(request, token: str, pupil_id: int):
    link, problem = _link_or_problem(request, token)
    if problem:
        return problem
    pupil = selectors.child_on_link(link, pupil_id)
    if pupil is None:
        return problem_page(request, "unknown", 404)
    with _in_school_time(link):
        invitation = link.invitation
        return answer_page(
            request, pupil=pupil, parent=invitation.parent, kind=invitation.campaign.kind, invitation=invitation,
            token=token, copy_path=lambda signature: reverse("aup:sign_copy", args=[token, pupil.pk]),
            done_path=lambda signature: reverse("aup:sign_done", args=[token, pupil.pk]),
        )


def _own_answer_on_link(request, token: str, pupil_id: int):
    """(link, pupil, this parent's answer for the child, None) or (None, None, None, the problem page)."""
    link, problem = _link_or_problem(request, token)
    if problem:
        return None, None, None, problem
    pupil = selectors.child_on_link(link, pupil_id)
    signature = selectors.answer_on_link(link, pupil) if pupil else None
    if signature is None:
        return None, None, None, problem_page(request, "unknown", 404)
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
        return pdf_copy(signature)
