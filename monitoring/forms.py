from django import forms

from onlinesafety.forms import FilterForm

from . import ingest
from .models import AlertStatus, DismissReason, Risk


class InboxFilterForm(FilterForm):
    status = forms.ChoiceField(choices=[("", "Any status"), *AlertStatus.choices], label="Status",
                               error_messages={"invalid_choice": "Choose a status from the list."})
    risk = forms.ChoiceField(choices=[("", "Any risk"), *Risk.choices], label="Risk",
                             error_messages={"invalid_choice": "Choose a risk level from the list."})


class UploadForm(forms.Form):
    file = forms.FileField(label="Monitoring alerts CSV export",
                           help_text="A CSV file with a header row, exported from the monitoring system, up to 200 MB.")


class MappingForm(forms.Form):
    def __init__(self, *args, header, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(column, column) for column in header]
        guessed = ingest.guess_mapping(header)
        for field, label in ingest.LABELS.items():
            self.fields[field] = forms.ChoiceField(
                choices=choices, label=label, required=field in ingest.REQUIRED, initial=guessed[field],
                error_messages={"required": f"Choose the column that holds the {label.lower()}."})


class DismissForm(forms.Form):
    reason = forms.ChoiceField(choices=DismissReason.choices, widget=forms.RadioSelect, label="Why dismiss it?",
                               error_messages={"required": "Choose why the alert is dismissed."})
    note = forms.CharField(max_length=300, required=False, label="The reason, in a few words",
                           help_text="Needed for another reason.",
                           error_messages={"max_length": "Use 300 characters or fewer."})

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("reason") == DismissReason.OTHER and not " ".join(cleaned.get("note", "").split()):
            self.add_error("note", "Say why the alert is dismissed.")
        return cleaned


class LinkForm(forms.Form):
    case_reference = forms.CharField(max_length=30, label="Case reference", help_text="For example OAKF-0007.",
                                     error_messages={"required": "Enter the case's reference.",
                                                     "max_length": "Enter a reference such as OAKF-0007."})
