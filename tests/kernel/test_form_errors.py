"""The GOV.UK error pattern's messages: every required field of every form in the project says what to do
("Enter …", "Select …", or the form's own words), never Django's "This field is required."."""

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import get_resolver

from onlinesafety.forms import GENERIC_REQUIRED, specific_required_message

PROJECT = Path(settings.BASE_DIR).resolve()


def project_apps():
    return [config for config in apps.get_app_configs() if Path(config.path).resolve().is_relative_to(PROJECT)
            and ".venv" not in Path(config.path).parts]


def every_project_form_class():
    get_resolver().url_patterns  # the views, and so their forms
    for config in project_apps():
        for module in ("forms", "admin"):
            if importlib.util.find_spec(f"{config.name}.{module}") is not None:
                importlib.import_module(f"{config.name}.{module}")
    found, waiting = set(), [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            source = inspect.getsourcefile(subclass) or ""
            if Path(source).resolve().is_relative_to(PROJECT) and ".venv" not in Path(source).parts:
                found.add(subclass)
    return sorted(found, key=lambda form_class: (form_class.__module__, form_class.__qualname__))


def empty_messages(form_class):
    """The message of each required field left empty, as the form itself would give it."""
    form = form_class.__new__(form_class)
    forms.BaseForm.__init__(form, data={})  # the fields and bound fields without the form's own arguments
    messages = {}
    for name, field in form.fields.items():
        if not field.required or field.disabled:
            continue
        form[name]  # the bound field (the project's renderer) gives it its message
        empty = [] if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)) else ""
        try:
            field.clean(empty)
        except ValidationError as error:
            messages[f"{form_class.__module__}.{form_class.__qualname__}.{name}"] = " ".join(error.messages)
    return messages


def test_it_gives_every_required_field_of_every_form_a_specific_message():
    form_classes = every_project_form_class()
    assert len(form_classes) > 40, "the walk did not find the project's forms"
    messages = {}
    for form_class in form_classes:
        messages.update(empty_messages(form_class))
    assert len(messages) > 40
    generic = [name for name, message in messages.items() if GENERIC_REQUIRED.rstrip(".") in message]
    assert generic == []


def test_it_keeps_a_forms_own_words():
    class Form(forms.Form):
        answer = forms.CharField(label="Your answer", error_messages={"required": "Say what you think"})

    assert Form({}).errors["answer"] == ["Say what you think"]


@pytest.mark.parametrize(("field", "label", "message"), [
    (forms.CharField(), "Email address", "Enter email address"),
    (forms.CharField(), "DSL name", "Enter DSL name"),
    (forms.CharField(), "What happened?", "Enter an answer to “What happened?”"),
    (forms.ChoiceField(choices=[("a", "A")]), "Outcome", "Select outcome"),
    (forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect), "Could it be illegal?",
     "Select an answer to “Could it be illegal?”"),
    (forms.BooleanField(), "I agree", "Tick “I agree” to go on"),
    (forms.FileField(), "Policy file", "Choose a file for “Policy file”"),
])
def test_it_says_enter_select_tick_or_choose_by_the_kind_of_field(field, label, message):
    assert specific_required_message(field, label) == message


def test_it_gives_the_message_to_a_form_checked_without_being_shown():
    class Form(forms.Form):
        due_on = forms.DateField(label="Due date")

    assert Form({}).errors["due_on"] == ["Enter due date"]
