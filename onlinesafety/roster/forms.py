import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from . import presets
from .fields import FIELDS
from .models import STAFF_ROLE_CHOICES, Kind, RosterSettings
from .parsing import MAX_ROWS

COLUMNS_AUTO = ("auto", "Work it out: the school's saved columns, else the MIS export that fits")
COLUMNS_SAVED = ("saved", "The school's saved columns")
COLUMNS_BY_HAND = ("by_hand", "I will choose the columns")
FULL_EXPORT = {
    Kind.PUPILS: ("Only then is a pupil missing from it marked as left (never deleted: their records stay)."),
    Kind.CONTACTS: "Only then is a link between a contact and a pupil that is missing from it removed.",
    Kind.STAFF: "Only then does a member of staff an import added, who is missing from it, lose their membership.",
}
NOT_IN_FILE = ("", "— not in this file —")


class UploadForm(forms.Form):
    file = forms.FileField(label="The CSV export", help_text=f"Exported from the MIS as CSV, up to 10 MB and "
                                                             f"{MAX_ROWS:,} rows. It is read once for the dry run and "
                                                             "never kept.")
    columns = forms.ChoiceField(label="Which columns hold what")
    is_full_export = forms.BooleanField(label="This file holds everyone (a full export)", required=False)
    staff_role = forms.ChoiceField(label="Role for the new members of staff",
                                   help_text="People already in the school keep their roles.")
    save_mapping = forms.BooleanField(label="Remember these columns for the next import", required=False,
                                      initial=True)
    header = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, kind: Kind, has_saved: bool, header: list[str] | None = None,
                 mapping: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [COLUMNS_AUTO] + ([COLUMNS_SAVED] if has_saved else []) + [
            (code, f"A {label} export") for code, label in presets.CHOICES] + [COLUMNS_BY_HAND]
        columns = self.fields["columns"]
        assert isinstance(columns, forms.ChoiceField)
        columns.choices = choices
        self.fields["is_full_export"].help_text = FULL_EXPORT[kind]
        if kind == Kind.STAFF:
            role = self.fields["staff_role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = [("", "Choose a role")] + STAFF_ROLE_CHOICES
        else:
            del self.fields["staff_role"]
        if header is None and self.is_bound:
            header = self._posted_header()
        self.columns_in_file = header
        if header:
            self.initial["header"] = json.dumps(header)
            self.initial["columns"] = COLUMNS_BY_HAND[0]
            for field in FIELDS[kind]:
                self.fields[f"col_{field.name}"] = forms.ChoiceField(
                    label=field.label, required=False, choices=[NOT_IN_FILE] + [(c, c) for c in header],
                    initial=(mapping or {}).get(field.name, ""))

    def _posted_header(self) -> list[str] | None:
        try:
            header = json.loads(self.data.get("header") or "null")
        except ValueError:
            return None
        if isinstance(header, list) and 0 < len(header) <= 300 and all(
                isinstance(c, str) and len(c) <= 100 for c in header):
            return header
        return None

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("col_")]

    def mapping(self) -> dict[str, str] | None:
        """The columns chosen by hand, or None when a preset or the saved columns are chosen."""
        if self.cleaned_data.get("columns") != COLUMNS_BY_HAND[0] or not self.columns_in_file:
            return None
        return {name[4:]: value for name, value in self.cleaned_data.items() if name.startswith("col_") and value}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is not None and not upload.size:
            raise ValidationError("The file is empty.")
        return upload


class SettingsForm(forms.ModelForm):
    dfe_number = forms.CharField(label="DfE number", max_length=12, required=False,
                                 help_text=RosterSettings._meta.get_field("dfe_number").help_text)

    class Meta:
        model = RosterSettings
        fields = ["dfe_number", "provider_school_id", "api_staff_role"]

    def __init__(self, *args: Any, can_connect: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_connect:  # only the site administrator sets the Wonde school id: shown, never taken from the form
            field = self.fields["provider_school_id"]
            field.disabled = True
            field.help_text = ("The school's id at Wonde. The site administrator sets it once the school has approved "
                               "this product's access in Wonde: ask them to connect the school.")

    def clean_dfe_number(self) -> str:
        return "".join(self.cleaned_data["dfe_number"].replace("/", "").split())
