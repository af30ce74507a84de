"""The people pages' forms, in the GOV.UK error pattern: a summary at the top linking to each field with a
problem (the kernel's ``_error_summary.html``), and each field's own message tied to it for screen readers
(``schools/people/_field.html``)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from onlinesafety.accounts.models import User

from ..models import Membership
from ..roles import Role
from .selectors import MANAGED_ROLES

WIDGET_CLASSES = {"checkbox": "form-check-input", "radioselect": "form-check-input", "select": "form-select"}


class GovukFormMixin:
    """Bootstrap classes on every widget; the hint and, once validated, the error named in ``aria-describedby``
    and ``aria-invalid`` on the field with a problem."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = type(field.widget).__name__.lower()
            field.widget.attrs.setdefault("class", WIDGET_CLASSES.get(kind, "form-control"))
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]  # a mixin: the form's own full_clean
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        for name in errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            described = [part for part in (attrs.get("aria-describedby", ""), f"id_{name}-error") if part]
            attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described),
                          "class": f"{attrs.get('class', '')} is-invalid".strip()})


def role_choices(exclude: str = "") -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in MANAGED_ROLES if role != exclude]


class AddMemberForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150,
        error_messages={"required": "Enter the person's full name",
                        "max_length": "Full name must be 150 characters or fewer"})
    email = forms.EmailField(
        label="Email address", max_length=254,
        help_text="Their invitation to set a password goes here. If an account already uses this address, that "
                  "account is given the role: no second account is made.",
        error_messages={"required": "Enter their email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"})
    role = forms.ChoiceField(
        label="Role", choices=role_choices, widget=forms.RadioSelect,
        help_text="What they will see and do depends on it. A person can hold several roles: add each one.",
        error_messages={"required": "Choose the role they will hold",
                        "invalid_choice": "Choose one of the roles listed"})
    job_title = forms.CharField(
        label="Job title (optional)", max_length=100, required=False,
        error_messages={"max_length": "Job title must be 100 characters or fewer"})
    is_chair = forms.BooleanField(
        label="Chair of governors", required=False,
        help_text="Governors only. If another governor is chair, this person replaces them.")
    is_link_governor = forms.BooleanField(
        label="Safeguarding / online safety link governor", required=False, help_text="Governors only.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") and data["role"] != Role.GOVERNOR:
            if data.get("is_chair"):
                self.add_error("is_chair", "Only a governor can be chair of governors: choose Governor as the "
                                           "role, or untick this")
            if data.get("is_link_governor"):
                self.add_error("is_link_governor", "Only a governor can be a link governor: choose Governor as "
                                                   "the role, or untick this")
        return data


class SuccessorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else str(obj.email)


def _successor(candidates: QuerySet[User]) -> SuccessorField:
    return SuccessorField(
        queryset=candidates, label="New headteacher", empty_label="Choose the new headteacher",
        help_text="This is the school's only headteacher, so name the next one. They are given the headteacher "
                  "role at the same moment.",
        error_messages={"required": "Choose the new headteacher",
                        "invalid_choice": "Choose one of the members of staff listed"})


class ChangeRoleForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="New role", widget=forms.RadioSelect,
        error_messages={"required": "Choose the role that replaces this one",
                        "invalid_choice": "Choose one of the roles listed"})

    def __init__(self, *args: Any, membership: Membership, successors: QuerySet[User] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = role_choices(exclude=membership.role)
        if successors is not None:
            self.fields["successor"] = _successor(successors)


class EndMembershipForm(GovukFormMixin, forms.Form):
    def __init__(self, *args: Any, successors: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if successors is not None:
            self.fields["successor"] = _successor(successors)
