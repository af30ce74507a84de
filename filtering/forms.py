from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from onlinesafety.forms import DateInput, FilterForm, PlausibleDateField, days_from_today, plausible_dates, today

from .models import CHECK_CATEGORIES, AnnualReview, ChangeRequest, Result, UserGroup


class ChangeRequestForm(forms.Form):
    action = forms.ChoiceField(choices=ChangeRequest.Action.choices, widget=forms.RadioSelect, label="What is needed")
    target_type = forms.ChoiceField(choices=ChangeRequest.TargetType.choices, label="What to change")
    target = forms.CharField(max_length=2000, label="Web address, website or category",
                             help_text="For example https://example.com/page, example.com, or a category name.")
    user_group = forms.ChoiceField(choices=UserGroup.choices, label="For whom")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Educational reason",
                             help_text="What pupils will learn and why the filter stands in the way (or why it "
                                       "should block this).")
    lesson = forms.CharField(max_length=200, required=False, label="Lesson or topic")
    is_temporary = forms.BooleanField(required=False, initial=True, label="Only for a period of study")
    starts_on = PlausibleDateField(required=False, label="From")
    ends_on = PlausibleDateField(required=False, label="Until")


class ApproveForm(forms.Form):
    educational_benefit = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Educational benefit")
    risks = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Risks")
    supervision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Supervision in place")
    note = forms.CharField(required=False, max_length=500, label="Note")


class RejectForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why it is refused")


class ImplementForm(forms.Form):
    provider_reference = forms.CharField(max_length=100, label="The filtering provider's reference")


class RevertForm(forms.Form):
    reference = forms.CharField(max_length=100, required=False, label="Reference (optional)")


class ReportSiteForm(forms.Form):
    PROBLEMS = [
        ("reachable", "It opens, but it should be blocked"),
        ("needed", "It is blocked, but it is needed for learning"),
        ("harm", "It suggests a child may be at risk of harm"),
    ]
    url = forms.CharField(max_length=2000, label="Web address")
    problem = forms.ChoiceField(choices=PROBLEMS, widget=forms.RadioSelect, label="What is wrong")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What you saw or need",
                                  required=False)

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("problem") in ("reachable", "needed") and not (cleaned.get("description") or "").strip():
            self.add_error("description", "Say what you saw, or what pupils need it for.")
        return cleaned


class CheckForm(forms.Form):
    checked_on = PlausibleDateField(initial=timezone.localdate, label="Checked on", earliest=days_from_today(-62),
                                    latest=today,
                                    error_messages={"too_early": "Record checks within two months of doing them.",
                                                    "too_late": "A check cannot be dated in the future."})
    method = forms.CharField(max_length=200, label="Method",
                             help_text="For example: an online filtering test, or manual checks by category.")
    devices = forms.CharField(max_length=300, label="Devices tested")
    user_groups = forms.CharField(max_length=300, label="User groups tested")
    issues = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Issues found")
    actions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Actions")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CHECK_CATEGORIES:
            self.fields[f"result_{code}"] = forms.ChoiceField(choices=Result.choices, initial=Result.NOT_TESTED,
                                                             label=label)

    def results(self) -> dict[str, str]:
        """Category code -> pass / fail / not tested."""
        return {code: self.cleaned_data[f"result_{code}"] for code, _ in CHECK_CATEGORIES}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = AnnualReview
        fields = ["reviewed_on", "senior_leader", "governor", "filtering_provider", "monitoring_provider",
                  "categories_blocked", "alert_route", "alert_speed", "out_of_hours", "training", "findings",
                  "actions"]
        widgets = {"reviewed_on": DateInput(), **{name: forms.Textarea(attrs={"rows": 2}) for name in
                   ("categories_blocked", "alert_route", "out_of_hours", "training", "findings", "actions")}}
        formfield_callback = plausible_dates

    def __init__(self, *args, leaders, governors, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["senior_leader"]).queryset = leaders
        cast(forms.ModelChoiceField, self.fields["governor"]).queryset = governors

    def clean_reviewed_on(self):
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise ValidationError("A review cannot be dated in the future.")
        return day


class UploadForm(forms.Form):
    file = forms.FileField(label="Provider CSV export", help_text="A CSV file with a header row, up to 500 MB.")


class MappingForm(forms.Form):
    LABELS = {"time": "Time", "user": "User", "user_group": "User group", "url": "Web address",
              "category": "Category", "action": "Action"}
    REQUIRED = ("time", "user", "url", "category")

    def __init__(self, *args, header, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(column, column) for column in header]
        for field, label in self.LABELS.items():
            guess = next((c for c in header if field.replace("_", " ") in c.lower() or c.lower() == field), "")
            self.fields[field] = forms.ChoiceField(choices=choices, label=label, required=field in self.REQUIRED,
                                                   initial=guess)


class ProvidersForm(forms.Form):
    filtering_provider = forms.CharField(max_length=150, label="Filtering provider",
                                         help_text="Who filters the school's internet, for example its broadband "
                                                   "or filtering service.",
                                         error_messages={"required": "Enter the filtering provider.",
                                                         "max_length": "Use 150 characters or fewer."})
    monitoring_provider = forms.CharField(max_length=150, label="Monitoring provider",
                                          help_text="Who monitors what is done on school devices, or how the "
                                                    "school monitors (for example, physical supervision).",
                                          error_messages={"required": "Enter the monitoring provider.",
                                                          "max_length": "Use 150 characters or fewer."})

    def clean(self):
        cleaned = super().clean() or {}
        for name in ("filtering_provider", "monitoring_provider"):
            if name in cleaned and not " ".join(cleaned[name].split()):
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned


class ChangeListFilterForm(FilterForm):
    status = forms.ChoiceField(choices=ChangeRequest.Status.choices, label="Request status")


class ChangeLogFilterForm(FilterForm):
    """The change log's filters, under the names its address has always used (``?status=&from=&to=``)."""

    status = forms.ChoiceField(choices=[("", "Any"), *ChangeRequest.Status.choices], label="Request status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = PlausibleDateField(required=False, label="From")
        self.fields["to"] = PlausibleDateField(required=False, label="To")
