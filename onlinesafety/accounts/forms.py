from typing import Any

from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest

from onlinesafety.audit.services import record_event
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


class SignInForm(LoginForm):
    """allauth's sign-in form in the product's words. No "remember me": a session ends with the browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs.update({"autofocus": True, "autocomplete": "email", "placeholder": ""})
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["login"].error_messages["invalid"] = "Enter an email address like name@school.org.uk"
        self.fields["password"].widget.attrs["placeholder"] = ""
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordResetRequestForm(ResetPasswordForm):
    """Only to an account that has a password already: an account with none (made for a new member, or for every
    parent contact by the roster import) is opened only by an invitation the school chose to send, never by
    "forgot your password". The page answers the same whatever the address, so it tells nobody which addresses
    have accounts; the email goes through the outbox (the adapter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs["placeholder"] = ""
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@school.org.uk"

    users: list[User]

    def clean_email(self) -> str:
        email = super().clean_email()
        with_password = set(User.objects.filter(pk__in=[user.pk for user in self.users], is_active=True)
                            .exclude(no_password_q()).values_list("pk", flat=True))
        self.users = [user for user in self.users if user.pk in with_password]
        return email

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        record_event(verb="auth.password_reset_requested", request=request)
        return super().save(request, **kwargs)


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
