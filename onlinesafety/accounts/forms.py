from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import QuerySet
from django.template import loader

from onlinesafety.mail.services import queue_email

from .models import User


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. Check them and try again.",
        "inactive": "This account is switched off. Ask your school office.",
    }


class QueuedPasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset email through the outbox and Celery rather than inside the web request."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(to=to_email, subject=subject, body=body, kind="password_reset")

    def get_users(self, email: str) -> QuerySet[User]:
        return User.objects.filter(email__iexact=email, is_active=True)
