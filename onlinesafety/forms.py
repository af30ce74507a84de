"""Form fields every app shares."""

from django import forms
from django.core.exceptions import ValidationError

LARGEST_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids too large for the database as invalid choices (SQLite raises OverflowError on them)."""

    def _check_values(self, value):
        for item in value if isinstance(value, (list, tuple)) else []:
            text = str(item).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > LARGEST_ID:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": text})
        return super()._check_values(value)
