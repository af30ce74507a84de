"""The configuration form and the sign-in form. Each field has its own message for each way it can be wrong (the
GOV.UK error pattern: the page lists every error at the top, each linking to its field)."""

import re
from typing import Any

from django import forms

from .models import IdentityProvider
from .services import DOMAIN, GUID, MAX_DOMAINS, normalised_domains

MICROSOFT = IdentityProvider.Kind.MICROSOFT
GOOGLE = IdentityProvider.Kind.GOOGLE
SEPARATORS = re.compile(r"[\s,;]+")
NOT_A_TENANT = {"common", "organizations", "consumers"}


class IdentityProviderForm(forms.Form):
    client_id = forms.CharField(max_length=191, strip=True)
    client_secret = forms.CharField(max_length=400, required=False, strip=True,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    tenant_id = forms.CharField(label="Directory (tenant) ID", max_length=60, required=False, strip=True)
    domains = forms.CharField(label="Email domains", max_length=2000, strip=True,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "Enter the email domain your staff's addresses end with, "
                                                          "for example oakfield.sch.uk.",
                                              "max_length": f"Enter up to {MAX_DOMAINS} domains."})
    enabled = forms.BooleanField(label="Staff may sign in this way", required=False, initial=True)
    enforces_mfa = forms.BooleanField(required=False)

    def __init__(self, data: Any = None, *, kind: IdentityProvider.Kind, saved: IdentityProvider | None) -> None:
        initial = None
        if saved is not None:
            initial = {"client_id": saved.client_id, "tenant_id": saved.tenant_id,
                       "domains": "\n".join(domain.domain for domain in saved.domains.all()),
                       "enabled": saved.enabled, "enforces_mfa": saved.enforces_mfa}
        super().__init__(data, initial=initial)
        self.kind, self.saved = kind, saved
        name = "Microsoft" if kind == MICROSOFT else "Google"
        client_id = self.fields["client_id"]
        client_id.label = "Application (client) ID" if kind == MICROSOFT else "Client ID"
        what = "application (client) ID" if kind == MICROSOFT else "client ID"
        client_id.error_messages = {"required": f"Enter the {what} {name} gave the app.",
                                    "max_length": f"The {what} must be 191 characters or fewer."}
        secret = self.fields["client_secret"]
        secret.label = "Client secret" + (" (value)" if kind == MICROSOFT else "")
        secret.help_text = (f"Saved, ending {saved.secret_hint}. Leave this empty to keep it; enter a new one when "
                            f"the old one expires." if saved else f"The secret {name} showed when it was made.")
        secret.error_messages = {"max_length": "The client secret must be 400 characters or fewer."}
        if kind == MICROSOFT:
            self.fields["tenant_id"].help_text = "On the app's Overview page in the Microsoft Entra admin centre."
        else:
            del self.fields["tenant_id"]
        self.fields["domains"].help_text = (
            "The part after the @ in your staff's addresses, e.g. oakfield.sch.uk. One or more, on separate lines."
            + (" Each must be a domain of your Google Workspace." if kind == GOOGLE else
               " Each must be a domain verified in your Microsoft tenant."))
        factor = "multi-factor authentication" if kind == MICROSOFT else "2-Step Verification"
        self.fields["enforces_mfa"].label = f"Our {name} accounts must use {factor} to sign in"
        self.fields["enforces_mfa"].help_text = (
            f"Tick only if {name} enforces it for every account that signs in here (ask your IT provider). Then "
            "this site does not ask those who signed in with it for its own second factor. Who ticked it, and when, "
            "is recorded.")

    def clean_client_id(self) -> str:
        client_id: str = self.cleaned_data["client_id"]
        if self.kind == MICROSOFT and not GUID.fullmatch(client_id.lower()):
            raise forms.ValidationError("Enter the application (client) ID as Microsoft shows it, a GUID such as "
                                        "0b5c2d1e-7a9f-4c3b-8e21-5d6f7a8b9c0d.")
        if self.kind == GOOGLE and (" " in client_id or not client_id.endswith(".apps.googleusercontent.com")):
            raise forms.ValidationError("Enter the client ID as Google shows it, ending "
                                        ".apps.googleusercontent.com.")
        return client_id

    def clean_client_secret(self) -> str:
        secret: str = self.cleaned_data["client_secret"]
        if not secret and self.saved is None:
            raise forms.ValidationError("Enter the client secret.")
        if secret and (len(secret) < 12 or any(character.isspace() for character in secret)):
            raise forms.ValidationError("Enter the client secret as it was shown, without spaces (it is at least "
                                        "12 characters long).")
        return secret

    def clean_tenant_id(self) -> str:
        tenant: str = self.cleaned_data["tenant_id"].lower()
        if not tenant:
            raise forms.ValidationError("Enter the directory (tenant) ID.")
        if tenant in NOT_A_TENANT:
            raise forms.ValidationError(f"Enter your own tenant's directory ID, not '{tenant}': only your tenant's "
                                        "accounts may sign in.")
        if not GUID.fullmatch(tenant):
            raise forms.ValidationError("Enter the directory (tenant) ID as Microsoft shows it, a GUID such as "
                                        "0b5c2d1e-7a9f-4c3b-8e21-5d6f7a8b9c0d.")
        return tenant

    def clean_domains(self) -> list[str]:
        given = [part for part in SEPARATORS.split(self.cleaned_data["domains"]) if part]
        if any("@" in domain for domain in given):
            raise forms.ValidationError("Enter the domain only, without the part before the @: for example "
                                        "oakfield.sch.uk.")
        domains = normalised_domains(given)
        if not domains:
            raise forms.ValidationError("Enter the email domain your staff's addresses end with, for example "
                                        "oakfield.sch.uk.")
        wrong = next((domain for domain in domains if not DOMAIN.fullmatch(domain)), None)
        if wrong is not None:
            raise forms.ValidationError(f"'{wrong[:60]}' is not a domain: enter one like oakfield.sch.uk.")
        if len(domains) > MAX_DOMAINS:
            raise forms.ValidationError(f"Enter up to {MAX_DOMAINS} domains.")
        return domains


class WorkEmailForm(forms.Form):
    email = forms.EmailField(label="Your work email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
                             error_messages={"required": "Enter your work email address.",
                                             "invalid": "Enter an email address like name@oakfield.sch.uk."})


class RemoveForm(forms.Form):
    """Nothing to fill in: the button."""
