"""Form fields every app shares: ids, dates bounded to plausible years, and the filters of a list page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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


# ---------------------------------------------------------------- dates bounded to plausible years
#
# Django accepts any date from 1 January 0001 to 31 December 9999; a year typed wrong (0202, 20266) or sent on
# purpose (9999-12-31) then fails later, in date arithmetic or in the database, as a 500. Every date a person
# enters goes through one of these fields, so the year is checked where it is typed. A form narrows the bounds
# where the thing dated says more (an incident cannot be in the future, a due date is within a year).

EARLIEST_YEAR = 1900
YEARS_AHEAD = 30  # the latest year by default: this year and thirty more (a review or an end date years away)

DateBound = date | Callable[[], date] | None
DateTimeBound = datetime | Callable[[], datetime] | None


def default_earliest() -> date:
    return date(EARLIEST_YEAR, 1, 1)


def default_latest() -> date:
    return date(timezone.localdate().year + YEARS_AHEAD, 12, 31)


def today() -> date:
    return timezone.localdate()


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the current time zone (the school's)."""
    return datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())


def minutes_from_now(minutes: int) -> Callable[[], datetime]:
    return lambda: timezone.now() + timedelta(minutes=minutes)


def days_from_today(days: int) -> Callable[[], date]:
    """A bound ``days`` from the day the form is checked (negative: before it)."""
    return lambda: timezone.localdate() + timedelta(days=days)


def _bound(value: Any, default: Callable[[], Any]) -> Any:
    if value is None:
        return default()
    return value() if callable(value) else value


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _years_message(earliest: date, latest: date) -> str:
    return f"Enter a real date between {long_date(earliest)} and {long_date(latest)}: check the year."


BOUND_MESSAGES: dict[str, Any] = {
    "too_early": "",  # "" for the message naming the range (see _years_message), or a form's own words
    "too_late": "",
}


def _check_bounds(field: forms.Field, value: Any, earliest: Any, latest: Any, shown: tuple[date, date]) -> None:
    if value is None:
        return
    for code, wrong in (("too_early", value < earliest), ("too_late", value > latest)):
        if wrong:
            raise ValidationError(field.error_messages[code] or _years_message(*shown), code=code)


class PlausibleDateField(forms.DateField):
    """A date between ``earliest`` and ``latest`` (a date, or a function of today, such as ``today`` or
    ``days_from_today(366)``): by default from 1900 to the end of the year thirty years from now. The bounds are
    worked out when the form is checked or shown, never when the module is imported (today moves on), and given
    to the browser's date picker as ``min`` and ``max``. ``too_early`` and ``too_late`` in ``error_messages`` say
    what is wrong in the form's own words; otherwise the message names the range and asks to check the year."""

    default_error_messages = BOUND_MESSAGES

    def __init__(self, *, earliest: DateBound = None, latest: DateBound = None, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)

    def limits(self) -> tuple[date, date]:
        return _bound(self.earliest, default_earliest), _bound(self.latest, default_latest)

    def validate(self, value: Any) -> None:
        super().validate(value)
        earliest, latest = self.limits()
        _check_bounds(self, value, earliest, latest, (earliest, latest))

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        if not self.widget.is_hidden:  # each form has its own copy of the field and its widget
            earliest, latest = self.limits()
            self.widget.attrs.update({"min": f"{earliest:%Y-%m-%d}", "max": f"{latest:%Y-%m-%d}"})
        return super().get_bound_field(form, field_name)


class PlausibleDateTimeField(forms.DateTimeField):
    """A date and time between ``earliest`` and ``latest`` (datetimes, or functions of now); by default from 1900
    to the end of the year thirty years from now."""

    default_error_messages = {
        **BOUND_MESSAGES,
        "nonexistent_time": "%(time)s on %(date)s did not happen here: the clocks went forward an hour. Enter the "
                            "time the clock showed, for example %(example)s",
    }

    def __init__(self, *, earliest: DateTimeBound = None, latest: DateTimeBound = None, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        kwargs.setdefault("widget", DateTimeInput())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        """As Django's, but a time the clocks change at is not refused with its generic message: in the hour the
        clocks go back (it happens twice) the first, earlier occurrence is taken, which keeps a deadline counted
        from it on the safe side; a time in the hour they skip going forward gets a message of its own."""
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
        naive = value if isinstance(value, datetime) else parse_datetime(str(value).strip())
        if naive is None:
            naive = forms.fields.BaseTemporalField.to_python(self, str(value).strip())
        if not isinstance(naive, datetime):
            return None
        zone = timezone.get_current_timezone()
        earlier = naive.replace(tzinfo=zone, fold=0)
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive.replace(fold=0):
            later = earlier.astimezone(UTC).astimezone(zone)  # the clock's reading an hour on
            raise ValidationError(self.error_messages["nonexistent_time"], code="nonexistent_time", params={
                "time": f"{naive:%H:%M}", "date": f"{naive.day} {naive:%B %Y}", "example": f"{later:%H:%M}"})
        return earlier

    def limits(self) -> tuple[datetime, datetime]:
        def end_of_latest_year() -> datetime:
            return start_of(default_latest()) + timedelta(days=1, microseconds=-1)

        return _bound(self.earliest, lambda: start_of(default_earliest())), _bound(self.latest, end_of_latest_year)

    def validate(self, value: Any) -> None:
        super().validate(value)
        earliest, latest = self.limits()
        _check_bounds(self, value, earliest, latest, (timezone.localtime(earliest).date(),
                                                      timezone.localtime(latest).date()))

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        if not self.widget.is_hidden:
            earliest, latest = (timezone.localtime(bound) for bound in self.limits())
            self.widget.attrs.update({"min": f"{earliest:%Y-%m-%dT%H:%M}", "max": f"{latest:%Y-%m-%dT%H:%M}"})
        return super().get_bound_field(form, field_name)


def plausible_dates(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's ``formfield_callback``: the model's date and date-time fields become the plausible ones."""
    if isinstance(db_field, models.DateTimeField):
        return db_field.formfield(form_class=PlausibleDateTimeField, **kwargs)
    if isinstance(db_field, models.DateField):
        return db_field.formfield(form_class=PlausibleDateField, **kwargs)
    return db_field.formfield(**kwargs)


# ---------------------------------------------------------------- the filters of a list page
#
# A list page's filters come from its query string (or a search form's body). A value that is not one of the
# choices, an id of nothing, or not a plausible date is an error on the page: the GOV.UK error summary and the
# message by the filter, and an empty list until it is put right. It never falls back to "everything": a class
# typed wrong must not widen a list of names, or an action on them, to the whole school.

class FilterForm(forms.Form):
    """Every field optional; always bound (an empty query string is "no filters", and valid). ``filters()`` is
    the cleaned values, or None when the filters are wrong (show nothing, and the errors)."""

    use_required_attribute = False

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(data if data is not None else {}, *args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def filters(self) -> dict[str, Any] | None:
        return self.cleaned_data if self.is_valid() else None


def choice_from(data: Any, name: str, choices: Any, *, label: str, required: bool = False) -> tuple[str, str]:
    """One choice read outside a form (a button's hidden value): (the value, "") for a value among ``choices``
    (values, or (value, label) pairs), or "" when not ``required``; else ("", the error to show)."""
    value = str(data.get(name, "") or "")
    allowed = {str(choice[0]) if isinstance(choice, (list, tuple)) else str(choice) for choice in choices}
    if value in allowed or (value == "" and not required):
        return value, ""
    return "", f"choose {label} from the page."


def id_from(data: Any, name: str) -> tuple[int | None, str]:
    """An optional id read outside a form: (the id or None for "", "") or (None, the error to show)."""
    value = str(data.get(name, "") or "").strip()
    if not value:
        return None, ""
    found = parse_id(value)
    return (found, "") if found is not None else (None, "that record was not found: reload the page and try again.")


# ---------------------------------------------------------------- a specific message for every required field
#
# The GOV.UK pattern: each message says what to do about that field ("Enter the date it happened"), never "This field
# is required.". The project's form renderer (settings.FORM_RENDERER) gives every form, the project's and the
# libraries' alike, bound fields that replace Django's generic message with one made from the field's label and
# widget, before the form is checked. A form gives a field its own words with ``error_messages={"required": ...}``
# (or ``required_message(form, name, text)`` in ``__init__``); a message other than Django's is always kept.

GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])
CHOOSING_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select, forms.SelectMultiple)


def _in_sentence(label: str) -> str:
    """The label inside a sentence: trailing punctuation gone, a capital dropped unless it starts an acronym."""
    text = label.strip().rstrip("?:.*").strip()
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def specific_required_message(field: forms.Field, label: str) -> str:
    """What to do when ``field`` (labelled ``label``) is left empty: Select, Tick, Choose or Enter, by its widget."""
    label = str(label or "")
    widget = field.widget
    question = label.strip().endswith("?")
    subject = f"an answer to “{label.strip()}”" if question else _in_sentence(label) or "an answer"
    if isinstance(widget, forms.CheckboxInput):
        return f"Tick “{label.strip()}” to go on" if label else "Tick the box to go on"
    if isinstance(widget, forms.ClearableFileInput) or isinstance(field, forms.FileField):
        return f"Choose a file for “{label.strip()}”" if label else "Choose a file"
    if isinstance(widget, CHOOSING_WIDGETS):
        return f"Select {subject}"
    return f"Enter {subject}"


def required_message(form: forms.BaseForm, name: str, text: str) -> None:
    """Give the form's own field ``name`` its own required message (each form has its own copy of its fields)."""
    form.fields[name].error_messages["required"] = text


class SpecificMessageBoundField(forms.BoundField):
    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        super().__init__(form, field, name)
        if str(field.error_messages.get("required", "")) == GENERIC_REQUIRED:
            field.error_messages["required"] = specific_required_message(field, str(self.label))


class FormRenderer(DjangoTemplates):
    """Django's renderer, with the bound fields above (``bound_field_class``, Django 5.2)."""

    bound_field_class = SpecificMessageBoundField
