"""The set-up forms. Each field has its own message for each way it can be wrong (the GOV.UK error pattern:
the page lists every error at the top, each linking to its field)."""

import re
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from onlinesafety.forms import PlausibleDateField
from onlinesafety.schools.models import Organisation, Phase, Term
from onlinesafety.schools.people.forms import GovukFormMixin

from .terms import TermDates, describe, term_problems

URN = re.compile(r"[0-9]{6}")
DEFAULT_TIMEZONE = "Europe/London"


def timezone_choices() -> list[tuple[str, str]]:
    """Every time zone of the IANA database a school could be in (Europe/London, Asia/Dubai ...), sorted."""
    zones = sorted(zone for zone in zoneinfo.available_timezones()
                   if "/" in zone and not zone.startswith(("Etc/", "posix/", "right/", "SystemV/")))
    return [(zone, zone.replace("_", " ")) for zone in zones]


class SchoolForm(forms.Form):
    name = forms.CharField(max_length=150, label="Name of the school",
                           error_messages={"required": "Enter the name of the school.",
                                           "max_length": "The name must be 150 characters or fewer."})
    urn = forms.CharField(label="URN", max_length=20,
                          help_text="The six-digit unique reference number from Get Information about Schools.",
                          error_messages={"required": "Enter the school's URN.",
                                          "max_length": "Enter the URN as six digits, for example 123456."})
    local_authority = forms.CharField(max_length=100, label="Local authority",
                                      help_text="The local authority the school is in, for example Leeds.",
                                      error_messages={"required": "Enter the local authority the school is in.",
                                                      "max_length": "The local authority must be 100 characters "
                                                                    "or fewer."})
    phase = forms.ChoiceField(choices=Phase.choices, widget=forms.RadioSelect, label="Phase",
                              error_messages={"required": "Choose the school's phase.",
                                              "invalid_choice": "Choose the school's phase."})
    timezone = forms.ChoiceField(label="Time zone", initial=DEFAULT_TIMEZONE,
                                 help_text="Dates and reminders follow this time zone.",
                                 error_messages={"required": "Choose the school's time zone.",
                                                 "invalid_choice": "Choose a time zone from the list, such as "
                                                                   "Europe/London."})
    organisation: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Trust or local authority",
        error_messages={"required": "Choose the trust or local authority the school belongs to.",
                        "invalid_choice": "Choose one of the trusts or local authorities listed."})

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], may_stand_alone: bool,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = timezone_choices()
        field = cast(forms.ModelChoiceField, self.fields["organisation"])
        field.queryset = organisations
        field.to_field_name = "slug"
        field.required = not may_stand_alone
        field.empty_label = ("None: the school stands on its own" if may_stand_alone
                             else "Choose the trust or local authority")
        field.help_text = "The school is set up and overseen by it." if may_stand_alone else ""

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the name of the school.")
        return name

    def clean_urn(self) -> str:
        urn = "".join(self.cleaned_data["urn"].split())
        if not URN.fullmatch(urn):
            raise forms.ValidationError("Enter the URN as six digits, for example 123456.")
        return urn

    def clean_local_authority(self) -> str:
        local_authority = " ".join(self.cleaned_data["local_authority"].split())
        if not local_authority:
            raise forms.ValidationError("Enter the local authority the school is in.")
        return local_authority


DATE_ERRORS = {
    "starts_on": "Enter the first day of the term as a date.",
    "ends_on": "Enter the last day of the term as a date.",
    "half_term_starts_on": "Enter the first day of the half-term holiday as a date.",
    "half_term_ends_on": "Enter the last day of the half-term holiday as a date.",
}


class TermForm(forms.Form):
    name = forms.CharField(max_length=60, label="Name", help_text="For example Autumn 2026.",
                           error_messages={"required": "Enter the term's name, for example Autumn 2026.",
                                           "max_length": "The name must be 60 characters or fewer."})
    starts_on = PlausibleDateField(label="First day of term",
                                   error_messages={"required": "Enter the first day of the term.",
                                                   "invalid": DATE_ERRORS["starts_on"]})
    ends_on = PlausibleDateField(label="Last day of term",
                                 error_messages={"required": "Enter the last day of the term.",
                                                 "invalid": DATE_ERRORS["ends_on"]})
    half_term_starts_on = PlausibleDateField(required=False, label="Half-term holiday: first day",
                                             help_text="The first day off. Leave both half-term dates empty if the "
                                                       "term has no half-term holiday.",
                                             error_messages={"invalid": DATE_ERRORS["half_term_starts_on"]})
    half_term_ends_on = PlausibleDateField(required=False, label="Half-term holiday: last day",
                                           help_text="The last day off.",
                                           error_messages={"invalid": DATE_ERRORS["half_term_ends_on"]})

    def __init__(self, *args: Any, others: Iterable[Term] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.others = list(others)

    def dates(self) -> TermDates:
        data = self.cleaned_data
        return TermDates(data["name"], data["starts_on"], data["ends_on"], data.get("half_term_starts_on"),
                         data.get("half_term_ends_on"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors or not {"name", "starts_on", "ends_on"} <= cleaned.keys():
            return cleaned
        dates = self.dates()
        same = next((term for term in self.others if dates.matches(term)), None)
        if same is None:  # the same term sent again is kept as it is, not refused as an overlap
            for name, message in term_problems(dates, self.others).items():
                self.add_error(name, message)
        return cleaned


class BaseTermFormSet(forms.BaseFormSet):
    """Next year's terms, copied forward: each row is checked against the school's terms (in the form) and
    against the rows above it (here)."""

    def _left_out(self, form: forms.BaseForm) -> bool:
        return bool(self.can_delete and form.cleaned_data.get("DELETE"))

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms if not self._left_out(form)):
            return
        kept: list[TermDates] = []
        for form in self.forms:
            if self._left_out(form):
                continue
            dates = cast(TermForm, form).dates()
            clash = next((other for other in kept
                          if other.starts_on <= dates.ends_on and other.ends_on >= dates.starts_on), None)
            if clash is not None:
                form.add_error("starts_on", f"These dates overlap {describe(clash)}, above.")
            kept.append(dates)

    def kept_forms(self) -> list[TermForm]:
        return [cast(TermForm, form) for form in self.forms if not self._left_out(form)]

    def kept_terms(self) -> list[TermDates]:
        return [form.dates() for form in self.kept_forms()]


TermFormSet = forms.formset_factory(TermForm, formset=BaseTermFormSet, extra=0, can_delete=True, max_num=12,
                                    validate_max=True, absolute_max=12)


def error_summary(*forms_or_formsets: forms.BaseForm | forms.BaseFormSet) -> list[tuple[str, str]]:
    """Every error on the page, in order, each with the id of the field it belongs to: the GOV.UK error summary
    links each message to its field."""
    found: list[tuple[str, str]] = []
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            found += [("", str(error)) for error in item.non_form_errors()]
            found += error_summary(*item.forms)
            continue
        first_field = next(iter(item.fields), "")
        for name, errors in item.errors.items():
            field_name = name if name in item.fields else first_field
            anchor = item[field_name].auto_id if field_name else ""
            if field_name and isinstance(item.fields[field_name].widget, forms.RadioSelect):
                anchor = f"{anchor}_0"  # the first of the radios
            found += [(anchor or "", str(error)) for error in errors]
    return found


def _delete_label(formset: forms.BaseFormSet) -> None:
    for form in formset.forms:
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Leave this term out"


def term_formset(data: Any = None, *, initial: Sequence[dict[str, Any]] | None = None,
                 others: Iterable[Term] = ()) -> BaseTermFormSet:
    formset = TermFormSet(data, initial=initial, prefix="term", form_kwargs={"others": list(others)})
    _delete_label(formset)
    return cast(BaseTermFormSet, formset)


class SignInSecurityForm(GovukFormMixin, forms.Form):
    """What the school asks of its people at sign-in, beyond what every school asks."""

    second_factor_for_all_staff = forms.BooleanField(
        required=False, label="Ask every member of staff and governor for a second factor",
        help_text="The headteacher, the safeguarding team and the chair of governors always need one. Parents "
                  "and visitors never do.")
    step_up_case_age_days = forms.IntegerField(
        label="Ask for the second factor again to open a case older than (days)", min_value=30, max_value=3650,
        help_text="Between 30 and 3650 days. Allegations about staff and the incident log always ask for it when "
                  "the last one was more than 15 minutes ago.",
        error_messages={"required": "Enter a number of days, for example 365.",
                        "invalid": "Enter a whole number of days, for example 365.",
                        "min_value": "Enter 30 days or more.", "max_value": "Enter 3650 days (ten years) or fewer."})
