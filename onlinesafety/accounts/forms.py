from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db.models import QuerySet
from django.template import loader

from onlinesafety.mail.services import queue_email
from onlinesafety.schools.people.forms import GovukFormMixin

from .models import User
from .selectors import no_password_q


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
    """Sends the reset email through the outbox and Celery rather than inside the web request.

    Only to an account that has a password already, as Django's own form does: an account with none (made for a
    new member, or for every parent contact with an email by the roster import) is opened only by an invitation
    the school chose to send, never by "forgot your password". The page answers the same whatever the address, so
    it tells nobody which addresses have accounts."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(to=to_email, subject=subject, body=body, kind="password_reset")

    def get_users(self, email: str) -> QuerySet[User]:
        return User.objects.filter(email__iexact=email, is_active=True).exclude(no_password_q())


PASSWORD_HINT = ("At least 10 characters. Not a common password, not only numbers, and not like your name or "
                 "email address. Three random words make a good one.")


class InvitationPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    """Choosing a password from an invitation: Django's password validators, GOV.UK error messages."""

    error_messages = {"password_mismatch": "The two passwords do not match: type the same password in both boxes"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password1"].error_messages["required"] = "Choose a password"
        self.fields["new_password2"].label = "Type the password again"
        self.fields["new_password2"].error_messages["required"] = "Type the password again"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password2"].help_text = ""

    def clean(self) -> dict[str, Any]:
        # As Django's, but a password the validators refuse is the first box's error, where it was typed.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self) or {}
