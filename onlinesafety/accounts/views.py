from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy

from onlinesafety.audit.services import record_event

from .forms import EmailAuthenticationForm, QueuedPasswordResetForm
from .models import User

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
