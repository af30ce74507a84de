import zoneinfo

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from onlinesafety import ratelimit
from onlinesafety.rules import RuleBroken
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import safe_next

from . import mfa, selectors, services
from .forms import InvitationPasswordForm
from .middleware import second_factor_required
from .models import Invitation, User


def not_offered(request: HttpRequest, **kwargs: object) -> HttpResponse:
    """allauth pages the product does not offer: signing up (schools add their people), managing one's email
    addresses (the school's roster owns them), a password set without an invitation, sign-in codes by email."""
    raise Http404


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """What a second factor is and how to set one up: where a person whose role needs one is sent until they do."""
    user = request.user
    assert isinstance(user, User)
    return render(request, "accounts/second_factor.html", {
        "required": second_factor_required(request),
        "has_second_factor": mfa.has_second_factor(user),
        "next": safe_next(request),
    })


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """Where this person is signed in, and "sign out everywhere" (every other browser, then this one)."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        ended = services.sign_out_everywhere(user=user, request=request)
        logout(request)
        messages.success(request, f"You are signed out everywhere ({ended} other "
                                  f"{'browser' if ended == 1 else 'browsers'} and this one).")
        return redirect("account_login")
    return render(request, "accounts/sessions.html", {
        "sessions": selectors.signed_in_sessions(user, current_key=request.session.session_key or ""),
    })


# ---------------------------------------------------------------- invitations: the page an emailed link opens
#
# As Django's password reset confirm view does: the emailed address carries the token, and its only answer is a
# redirect to a token-less address, with the token's hash kept in the session. So after that one request the token
# is in no address (the browser's bar and history, a later Referer, the access log, Django's 4xx log lines) and on
# no page. That first answer also says ``Referrer-Policy: no-referrer``; the token-less pages keep the site's
# ``same-origin``, as their address carries nothing secret and a browser told "no-referrer" sends ``Origin: null``
# with a form's POST, which Django's CSRF check rightly refuses.

INVITATION_SESSION_KEY = "_invitation_key"


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response.headers["Referrer-Policy"] = "no-referrer"  # the security middleware only sets it when it is unset
    return response


def _problem(request: HttpRequest, problem: str, status: int, invitation: Invitation | None = None) -> HttpResponse:
    """An unknown link (404), an expired one (410: ask the school for a new one) or a spent one (410: sign in)."""
    return render(request, "accounts/invitation_problem.html", {
        "problem": problem, "school": invitation.school if invitation else None,
        "signed_in_as_invitee": invitation is not None and request.user.pk == invitation.user_id,
    }, status=status)


def _expired(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    ratelimit.link_failed(request)
    services.record_expired_attempt(invitation=invitation, request=request)
    return _problem(request, "expired", 410, invitation)


def _spent(invitation: Invitation) -> bool:
    """Used, withdrawn, or no longer needed: the account is switched off or has a password already."""
    return (invitation.is_spent or not invitation.user.is_active
            or selectors.has_password(invitation.user))


@never_cache
@ratelimit.token_page
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link, whatever state its invitation is in (and whatever the method): the token's hash goes into
    the session and the browser on to the page that shows what to do, so the token leaves the address bar."""
    request.session[INVITATION_SESSION_KEY] = selectors.token_key(token)
    return _no_referrer(redirect("accounts:invitation_set_password"))


@never_cache
@ratelimit.token_page
@sensitive_post_parameters("new_password1", "new_password2")
@sent_once
def invitation_set_password(request: HttpRequest) -> HttpResponse:
    """Set a password from the invitation whose link this browser opened: then the invitation is spent and the
    person is signed in and sent to their home page. Without one (the page opened directly, or in another
    browser), it is the "this link does not work" page. A link that does not work counts towards the network's
    lockout (``onlinesafety.ratelimit``), the page opened with no link at all does not; passwords tried count
    against the invitation."""
    key = request.session.get(INVITATION_SESSION_KEY, "")
    found = selectors.invitation_for_key(key)
    if found is None:
        if key:
            ratelimit.link_failed(request)
        return _problem(request, "unknown", 404)
    if _spent(found):
        ratelimit.link_failed(request)
        return _problem(request, "spent", 410, found)
    if found.has_expired():
        return _expired(request, found)
    if request.method == "POST" and (
            refused := ratelimit.link_action_refusal(request, link=found, school=found.school)):
        return refused
    with timezone.override(zoneinfo.ZoneInfo(found.school.timezone)):
        form = InvitationPasswordForm(found.user, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                user = services.accept_invitation(
                    invitation=found, password=form.cleaned_data["new_password1"], request=request)
            except services.InvitationSpent:
                return _problem(request, "spent", 410, found)
            except services.InvitationExpired:
                return _expired(request, found)
            except RuleBroken as error:
                form.add_error("new_password1", str(error))
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
                messages.success(request, "Your password is set and you are signed in.")
                return redirect("home")
        response = render(request, "accounts/invitation.html", {"form": form, "invitation": found},
                          status=400 if form.errors else 200)
    return response
