"""Form fields every app shares."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet

LARGEST_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A database id from a query string, or None: ASCII digits only, and small enough for the database."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > LARGEST_ID:
        return None
    return int(text)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids too large for the database as invalid choices (SQLite raises OverflowError on them)."""

    def _check_values(self, value: Any) -> QuerySet[Model]:
        for item in value if isinstance(value, (list, tuple)) else []:
            text = str(item).strip()
            if text.lstrip("-").isdigit() and abs(int(text)) > LARGEST_ID:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": text})
        return super()._check_values(value)  # type: ignore[misc]  # Django's own, not in the stubs


class DateInput(forms.DateInput):
    """The browser's date picker; it only understands ISO dates, whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")
