import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from onlinesafety import ratelimit
from onlinesafety.audit.services import record_event
from onlinesafety.rules import RuleBroken

from . import selectors as invitation_selectors, services as invitation_services
from .forms import EmailAuthenticationForm, InvitationPasswordForm, QueuedPasswordResetForm
from .models import Invitation, User

if TYPE_CHECKING:
    from django.views.generic.edit import FormView as _FormView  # what the mixin is mixed into
else:
    _FormView = object


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = QueuedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, str]:
        # Links start with the configured address, never with whatever Host header the request carried.
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form: QueuedPasswordResetForm) -> HttpResponse:
        record_event(verb="auth.password_reset_requested", request=self.request)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class AuditPasswordSetMixin(_FormView):
    """Records that a user's password was set, once the form has saved it."""

    audit_verb = ""

    def form_valid(self, form: "SetPasswordForm[User]") -> HttpResponse:
        response = super().form_valid(form)
        record_event(verb=self.audit_verb, actor=form.user, target=form.user, request=self.request)
        return response


class PasswordResetConfirmView(AuditPasswordSetMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    audit_verb = "auth.password_reset"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(AuditPasswordSetMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")
    audit_verb = "auth.password_changed"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


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
    invitation_services.record_expired_attempt(invitation=invitation, request=request)
    return _problem(request, "expired", 410, invitation)


def _spent(invitation: Invitation) -> bool:
    """Used, withdrawn, or no longer needed: the account is switched off or has a password already."""
    return (invitation.is_spent or not invitation.user.is_active
            or invitation_selectors.has_password(invitation.user))


@never_cache
@ratelimit.token_page
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link, whatever state its invitation is in (and whatever the method): the token's hash goes into
    the session and the browser on to the page that shows what to do, so the token leaves the address bar."""
    request.session[INVITATION_SESSION_KEY] = invitation_selectors.token_key(token)
    return _no_referrer(redirect("accounts:invitation_set_password"))


@never_cache
@ratelimit.token_page
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_set_password(request: HttpRequest) -> HttpResponse:
    """Set a password from the invitation whose link this browser opened: then the invitation is spent and the
    person is signed in and sent to their home page. Without one (the page opened directly, or in another
    browser), it is the "this link does not work" page. A link that does not work counts towards the network's
    lockout (``onlinesafety.ratelimit``), the page opened with no link at all does not; passwords tried count
    against the invitation."""
    key = request.session.get(INVITATION_SESSION_KEY, "")
    found = invitation_selectors.invitation_for_key(key)
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
                user = invitation_services.accept_invitation(
                    invitation=found, password=form.cleaned_data["new_password1"], request=request)
            except invitation_services.InvitationSpent:
                return _problem(request, "spent", 410, found)
            except invitation_services.InvitationExpired:
                return _expired(request, found)
            except RuleBroken as error:
                form.add_error("new_password1", str(error))
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Your password is set and you are signed in.")
                return redirect("home")
        response = render(request, "accounts/invitation.html", {"form": form, "invitation": found},
                          status=400 if form.errors else 200)
    return response
