from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from onlinesafety.forms import FilterForm, ModelMultipleChoiceField, PlausibleDateField, parse_id, today
from onlinesafety.schools.models import ParentLink, SchoolClass, YearGroup

from .models import Audience, Campaign, CampaignKind, Outcome, Signature

YES_NO = [("yes", "Yes"), ("no", "No")]


def _one_line(value: str) -> str:
    if any(ch in value for ch in "\r\n\t\x00"):
        raise ValidationError("Write this on one line.")
    return value.strip()


class DraftForm(forms.Form):
    title = forms.CharField(max_length=150)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 20}), label="Agreement text",
                           help_text="Plain text. Start a line with “- ” for a bullet point; leave a blank line "
                                     "between paragraphs.")

    def clean_title(self):
        return _one_line(self.cleaned_data["title"])

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\x00", "").strip()
        if not text:
            raise ValidationError("Write the agreement.")
        return text


class PublishForm(forms.Form):
    change_summary = forms.CharField(max_length=300, required=False, label="What changed (shown to signers)")

    def clean_change_summary(self):
        return _one_line(self.cleaned_data["change_summary"])


class PersonalSignForm(forms.Form):
    has_read = forms.BooleanField(label="I have read this agreement and I will keep to it.",
                                  error_messages={"required": "Tick the box to confirm you have read it."})
    typed_name = forms.CharField(max_length=150, label="Type your full name to sign")

    def clean_typed_name(self):
        return _one_line(self.cleaned_data["typed_name"])


class KioskForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Visitor's full name")
    organisation = forms.CharField(max_length=150, required=False, label="Organisation or agency")
    visit_reason = forms.CharField(max_length=200, required=False, label="Reason for the visit")
    has_read = forms.BooleanField(label="The visitor has read the agreement and agrees to keep to it.",
                                  error_messages={"required": "Tick the box once the visitor has read it."})

    def clean(self):
        cleaned = super().clean() or {}
        for name in ("full_name", "organisation", "visit_reason"):
            if name in cleaned:
                try:
                    cleaned[name] = _one_line(cleaned[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class FamilyAnswerForm(forms.Form):
    """A parent's answer for one child: the acceptable use agreement (sign or decline) or image consent."""

    # Nothing is chosen for the parent: consent that is preselected is not freely given.
    decision = forms.ChoiceField(choices=[(Outcome.SIGNED, "I agree and sign"), (Outcome.DECLINED, "I decline")],
                                 widget=forms.RadioSelect, label="Your answer",
                                 error_messages={"required": "Choose whether you agree and sign, or decline."})
    discussed_with_child = forms.BooleanField(
        required=False, label="I have read the pupil agreement with my child and talked it through with them.")
    decline_reason = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                     label="If you decline, please tell us why")
    relationship = forms.ChoiceField(
        choices=[("", "Select your relationship to the child"), *ParentLink.Relationship.choices],
        label="Your relationship to the child",
        error_messages={"required": "Select your relationship to the child."})
    typed_name = forms.CharField(max_length=150, label="Type your full name to sign",
                                 error_messages={"required": "Type your full name to sign."})
    # Which versions the page showed, so an answer never lands on a version published after it was read.
    shown = forms.CharField(widget=forms.HiddenInput, required=False, max_length=50)

    def __init__(self, *args, kind: str, sign_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if sign_only:  # a parent who declined before, now signing
            cast(forms.ChoiceField, self.fields["decision"]).choices = [(Outcome.SIGNED, "I agree and sign")]
            del self.fields["decline_reason"]
        if kind == CampaignKind.IMAGES:
            del self.fields["decision"], self.fields["discussed_with_child"], self.fields["decline_reason"]
            for name, label in Signature.IMAGE_USES:
                self.fields[name] = forms.ChoiceField(
                    choices=YES_NO, widget=forms.RadioSelect, label=label,
                    error_messages={"required": f"Answer yes or no for “{label}”."})

    def clean_typed_name(self):
        return _one_line(self.cleaned_data["typed_name"])

    def clean(self):
        cleaned = super().clean() or {}
        if self.kind == CampaignKind.AGREEMENT:
            if cleaned.get("decision") == Outcome.DECLINED and not cleaned.get("decline_reason", "").strip():
                self.add_error("decline_reason", "Tell us why, so the school can talk it through with you.")
            if cleaned.get("decision") == Outcome.SIGNED and not cleaned.get("discussed_with_child"):
                self.add_error("discussed_with_child", "Confirm that you have talked the rules through with "
                                                       "your child.")
        return cleaned

    @staticmethod
    def shown_value(version, pupil_version) -> str:
        return f"{version.pk}:{pupil_version.pk if pupil_version else ''}"

    def shown_versions(self) -> tuple | None:
        """(version id, pupil version id or None) from the page; (0, 0) when altered. None when the request
        did not carry it (not our page), which checks nothing: such a client could send any ids anyway."""
        if not self.cleaned_data.get("shown"):
            return None
        first, _, second = self.cleaned_data["shown"].partition(":")
        if not first.isdigit() or not (second == "" or second.isdigit()):
            return 0, 0
        return int(first), int(second) if second else None

    def image_answers(self) -> dict | None:
        if self.kind != CampaignKind.IMAGES:
            return None
        return {name: self.cleaned_data[name] == "yes" for name, _ in Signature.IMAGE_USES}


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(choices=CampaignKind.choices, widget=forms.RadioSelect, label="Ask families for")
    cohort = forms.ChoiceField(choices=[c for c in Campaign.Cohort.choices if c[0] != Campaign.Cohort.OUTSTANDING],
                               widget=forms.RadioSelect, initial=Campaign.Cohort.WHOLE_SCHOOL, label="Who")
    year_groups = forms.TypedMultipleChoiceField(choices=YearGroup.choices, coerce=int, required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    classes = ModelMultipleChoiceField(queryset=SchoolClass.objects.none(), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    link_days = forms.IntegerField(min_value=3, max_value=90, label="Links work for (days)")

    def __init__(self, *args, school, year_groups, **kwargs):
        super().__init__(*args, **kwargs)
        cast(ModelMultipleChoiceField, self.fields["classes"]).queryset = SchoolClass.objects.filter(school=school)
        cast(forms.ChoiceField, self.fields["year_groups"]).choices = [(y, YearGroup(y).label) for y in year_groups]

    def clean(self):
        cleaned = super().clean() or {}
        cohort = cleaned.get("cohort")
        if cohort == Campaign.Cohort.YEAR_GROUPS and not cleaned.get("year_groups"):
            self.add_error("year_groups", "Choose at least one year group.")
        if cohort == Campaign.Cohort.CLASSES and not cleaned.get("classes"):
            self.add_error("classes", "Choose at least one class.")
        return cleaned

    def cohort_ids_and_label(self) -> tuple[list[int], str]:
        cohort = self.cleaned_data["cohort"]
        if cohort == Campaign.Cohort.YEAR_GROUPS:
            years = sorted(self.cleaned_data["year_groups"])
            return years, ", ".join(YearGroup(y).label for y in years)
        if cohort == Campaign.Cohort.CLASSES:
            classes = sorted(self.cleaned_data["classes"], key=lambda c: (c.year_group, c.name))
            return [c.pk for c in classes], ", ".join(c.name for c in classes)
        return [], Campaign.Cohort.WHOLE_SCHOOL.label


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of member, shown by name (or email when they have none)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class AccountHolderForm(forms.Form):
    user = PersonChoiceField(queryset=None, label="Member of staff")
    accounts = forms.CharField(max_length=200, label="Which accounts", help_text="For example “Instagram, X”.")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = people

    def clean_accounts(self):
        return _one_line(self.cleaned_data["accounts"])


class RestrictionForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Staff see this on the register; keep it short and factual.")
    ends_on = PlausibleDateField(required=False, label="Until (optional)", earliest=today,
                                 error_messages={"too_early": "The date has already passed."})

    def clean_reason(self):
        return _one_line(self.cleaned_data["reason"])


class CoverageFilterForm(FilterForm):
    """Which families a coverage list, or a resend, is about: the kind of form, one agreement's readers, one class
    (or "none": pupils in no class). Nothing given means every family; a value that is none of these is an error,
    never "every family"."""

    kind = forms.ChoiceField(choices=CampaignKind.choices, label="Form")
    audience = forms.ChoiceField(choices=Audience.choices, label="Agreement")
    missing = forms.ChoiceField(choices=[("email", "No email on record")], label="Missing")

    def __init__(self, data, *, school, audiences=tuple(Audience), **kwargs):
        super().__init__(data, **kwargs)
        self.school = school
        self.fields["class"] = forms.CharField(required=False, label="Class", max_length=20)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [(a.value, a.label) for a in audiences]

    def clean_class(self):
        value = self.cleaned_data["class"].strip()
        if value in ("", "none"):
            return value
        class_id = parse_id(value)
        if class_id is None or not SchoolClass.objects.filter(school=self.school, pk=class_id).exists():
            raise ValidationError("Choose a class from the coverage page: that one is not a class of this school.")
        return str(class_id)
