from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.forms import (
    DateInput,
    DateTimeInput,
    FilterForm,
    ModelMultipleChoiceField,
    PlausibleDateField,
    PlausibleDateTimeField,
    days_from_today,
    minutes_from_now,
    parse_id,
    plausible_dates,
    start_of,
    today,
)
from onlinesafety.schools.models import Pupil
from onlinesafety.schools.selectors import pupils_visible_to
from onlinesafety.uploads import MEGABYTE, check_upload
from onlinesafety.weburl import parse_url

from . import checklists, flowchart, selectors
from .models import (
    ILLEGAL_ANSWERS,
    PUPIL_BEHAVIOURS,
    PUPIL_RESPONSES,
    STAFF_BEHAVIOURS,
    STAFF_RESPONSES,
    Agency,
    Behaviour,
    ChecklistAnswerValue,
    Danger,
    Device,
    Expectation,
    IncidentCategory,
    Level,
    Location,
    MeetingKind,
    MeetingRole,
    Network,
    Outcome,
    ParentContact,
    PupilRole,
    Referral,
    Sanction,
    Status,
    Subject,
    TimelineEntry,
)
from .services import NEEDS_LEVEL

EVIDENCE_TYPES = ("image/png", "image/jpeg", "application/pdf")
EARLIEST_DATE = date(2000, 1, 1)  # older dates are typing mistakes
EVIDENCE_MAX_BYTES = 10 * MEGABYTE
YES_NO = [("yes", "Yes"), ("no", "No")]
QUICK_LOCATIONS = [(value, label) for value, label in Location.choices if value != Location.NOT_KNOWN]
ROLE_CHOICES = [("", "Choose their role"), *PupilRole.choices]
NO_PUPIL_QUESTION = ("No pupil involved? Tick “No pupil is involved” to send it without one, or find and tick each "
                     "pupil involved.")


def choose_from(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer ``queryset`` in the form's model choice field ``name`` (Django types ``form.fields`` as plain fields)."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def set_choices(form: forms.BaseForm, name: str, choices: list[tuple[Any, str]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def validate_web_address(value: str) -> str:
    """A web address or bare domain, http(s) only, no credentials; kept as the person typed it."""
    value = value.strip()
    if value:
        parse_url(value)
    return value


def now_to_the_minute() -> datetime:
    """Now in the current (the school's) time zone, as the report's date and time input shows it."""
    return timezone.localtime().replace(second=0, microsecond=0)


class ReportForm(forms.Form):
    """The quick report: the two flowchart questions, when, who and what happened; the rest is "add more detail"."""

    immediate_risk = forms.ChoiceField(
        label="Is a child at immediate risk of harm?", choices=YES_NO, widget=forms.RadioSelect,
        help_text="Harm could happen today: a meeting with a stranger, a threat of self-harm, a child missing.",
        error_messages={"required": "Select whether a child is at immediate risk of harm"},
    )
    possibly_illegal = forms.ChoiceField(
        label="Could this be illegal?", choices=ILLEGAL_ANSWERS, widget=forms.RadioSelect,
        help_text="For example sexual images of a child, grooming, terrorism, hate crime, threats or fraud.",
        error_messages={"required": "Select whether this could be illegal"},
    )
    occurred_at = PlausibleDateTimeField(
        label="When did it happen?", help_text="Your best estimate if you are not sure.",
        earliest=lambda: start_of(EARLIEST_DATE), latest=minutes_from_now(5), initial=now_to_the_minute,
        error_messages={"required": "Enter the date and time it happened",
                        "invalid": "Enter the date and time it happened, for example 3 December 2026 at 10:30",
                        "too_early": "That date is too long ago. Check the year.",
                        "too_late": "That time is in the future. When did it happen?"},
    )
    pupils = ModelMultipleChoiceField(queryset=None, required=False, label="Pupils involved",
                                      widget=forms.CheckboxSelectMultiple)
    no_pupil = forms.BooleanField(
        label="No pupil is involved", required=False,
        help_text="Tick this if the concern is about no pupil, or find and tick each pupil involved.",
    )
    description = forms.CharField(
        label="What happened?", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The facts, and the child's own words in quotation marks. Do not investigate or ask leading "
                  "questions.",
        error_messages={"required": "Describe what happened"},
    )
    # Add more detail
    location = forms.ChoiceField(label="Where did it happen?", choices=QUICK_LOCATIONS, widget=forms.RadioSelect,
                                 required=False)
    category: forms.ModelChoiceField[IncidentCategory] = forms.ModelChoiceField(
        label="What kind of concern is it?", queryset=None, required=False, empty_label="Not sure (Other)",
        help_text="The safeguarding team can change it.")
    staff_involved = ModelMultipleChoiceField(queryset=None, required=False, label="Staff involved",
                                              widget=forms.CheckboxSelectMultiple)
    other_people = forms.CharField(label="Other or unknown adults", required=False, max_length=300,
                                   help_text="For example: an unknown adult on a gaming platform.")
    is_allegation = forms.BooleanField(
        label="This is a concern about the conduct of an adult who works here",
        required=False,
        help_text="It will go to the headteacher alone, or to the chair of governors if it is about the "
                  "headteacher.",
    )
    allegation_subject: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, required=False, label="Which adult?")
    device = forms.ChoiceField(label="Device", choices=Device.choices, initial=Device.UNKNOWN, required=False)
    network = forms.ChoiceField(label="Network", choices=Network.choices, initial=Network.UNKNOWN, required=False)
    platform = forms.CharField(label="App, game or website", required=False, max_length=120)
    url = forms.CharField(label="Web address", required=False, max_length=2000,
                          help_text="Copy the address; do not visit it again to find it.")
    immediate_action = forms.CharField(label="What have you done so far?", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    already_told = forms.CharField(label="Who have you already told?", required=False, max_length=300)
    evidence = MultipleFileField(
        label="Evidence (screenshots or documents)", required=False,
        help_text="PNG, JPEG or PDF, up to 10 MB each (%(total)s MB in all). Never for sexual images of children.",
    )
    DETAIL_FIELDS = ("location", "category", "staff_involved", "other_people", "is_allegation", "allegation_subject",
                     "device", "network", "platform", "url", "immediate_action", "already_told", "evidence")

    def __init__(self, *args, user, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        categories = selectors.categories_of(school)
        self.pupils_offered = pupils_visible_to(user, school)
        choose_from(self, "category", categories)
        self.fallback_category = selectors.fallback_category(categories)
        choose_from(self, "pupils", self.pupils_offered)
        # The page draws its own pupil boxes (found by search), so the error summary links to the search box.
        setattr(self.fields["pupils"], "error_anchor", "pupil-search")  # read by templates/_error_summary.html
        choose_from(self, "staff_involved", selectors.staff_of(school))
        choose_from(self, "allegation_subject", selectors.staff_of(school))
        self.no_upload_category_ids = [c.pk for c in categories if not c.accepts_uploads]
        evidence = self.fields["evidence"]
        evidence.help_text = evidence.help_text % {"total": (settings.MAX_REQUEST_BYTES - MEGABYTE) // MEGABYTE}

        self.role_fields = self._add_role_fields()

    def _add_role_fields(self) -> list[tuple[Pupil, str]]:
        """A role question for each pupil ticked (``role_<id>``), with nothing chosen in advance: the reporter says
        whether the pupil was harmed, is said to have caused harm, saw it, or was involved. The page draws the
        questions next to the pupils' boxes; an unanswered one links from the error summary to its own list."""
        added, questions = [], {}
        for pupil in self.selected_pupils():
            name = f"role_{pupil.pk}"
            questions[name] = forms.ChoiceField(
                label=f"Role of {pupil.full_name}", choices=ROLE_CHOICES,
                error_messages={"required": f"Choose the role of {pupil.full_name} in what happened (affected, "
                                            "alleged to have caused harm, witness or involved), or untick them",
                                "invalid_choice": f"Choose the role of {pupil.full_name} from the list"})
            added.append((pupil, name))
        if questions:  # asked (and listed in the error summary) straight after the pupils
            fields = list(self.fields.items())
            at = [name for name, _ in fields].index("pupils") + 1
            self.fields = dict([*fields[:at], *questions.items(), *fields[at:]])
        return added

    def selected_pupils(self) -> list[Pupil]:
        """Pupils to show as already chosen when the form is shown again."""
        if not self.is_bound:
            return []
        if not hasattr(self, "_selected_pupils"):
            ids = [pk for pk in map(parse_id, self["pupils"].data or []) if pk is not None]
            self._selected_pupils = list(self.pupils_offered.filter(pk__in=ids).order_by("last_name", "first_name",
                                                                                         "pk")) if ids else []
        return self._selected_pupils

    def chosen_pupils(self) -> list[tuple[Pupil, forms.BoundField]]:
        """The pupils ticked, each with their role question, for the page to draw."""
        return [(pupil, self[name]) for pupil, name in self.role_fields]

    def clean_url(self):
        return validate_web_address(self.cleaned_data["url"])

    def asks_no_pupil(self) -> bool:
        """Whether to show the "no pupil involved?" question: once a report without a pupil has been sent."""
        return self.is_bound and (bool(self["no_pupil"].value()) or "no_pupil" in self.errors)

    def hides_illegal_steps(self) -> bool:
        """Whether the illegal-content steps start hidden: unless the form comes back with yes or not sure (the
        page's script shows them as soon as either is chosen)."""
        return not (self.is_bound and self["possibly_illegal"].value() in flowchart.POSSIBLY_ILLEGAL_ANSWERS)

    def hides_evidence(self) -> bool:
        """Whether the upload starts hidden: when the form comes back with yes or not sure (nothing is attached to a
        concern that could be illegal), unless it comes back to say just that, next to the field."""
        return not self.hides_illegal_steps() and "evidence" not in self.errors

    def detail_has_errors(self) -> bool:
        return any(name in self.errors for name in self.DETAIL_FIELDS)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if "pupils" in cleaned and not cleaned["pupils"] and not cleaned.get("no_pupil"):
            self.add_error("no_pupil", NO_PUPIL_QUESTION)
        cleaned["pupil_roles"] = {pupil.pk: cleaned[name] for pupil, name in self.role_fields if cleaned.get(name)}
        # What "add more detail" leaves unanswered is recorded as not known.
        cleaned["location"] = cleaned.get("location") or Location.NOT_KNOWN
        cleaned["device"] = cleaned.get("device") or Device.UNKNOWN
        cleaned["network"] = cleaned.get("network") or Network.UNKNOWN
        if "category" in cleaned and cleaned["category"] is None:
            cleaned["category"] = self.fallback_category
            if self.fallback_category is None:
                self.add_error("category", "Choose what kind of concern it is")
        if cleaned.get("is_allegation") and not cleaned.get("allegation_subject"):
            self.add_error("allegation_subject", "Choose the adult the concern is about.")
        category = cleaned.get("category")
        files = cleaned.get("evidence") or []
        if files and cleaned.get("possibly_illegal") in flowchart.POSSIBLY_ILLEGAL_ANSWERS:
            self.add_error("evidence", COULD_BE_ILLEGAL_NO_FILES)
        elif category is not None and files and not category.accepts_uploads:
            self.add_error(
                "evidence",
                "Do not upload anything for this kind of concern. Do not view, copy, share or save the images: "
                "secure the device, write down the web address and describe what you were told.",
            )
        else:
            checked = []
            for upload in files:
                try:
                    checked.append(check_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES))
                except ValidationError as error:
                    self.add_error("evidence", error)
            cleaned["checked_files"] = checked
        return cleaned


# The steps shown for a concern that could be illegal say never to copy or screenshot the content; the form does
# not then take a copy. The safeguarding team adds what evidence it keeps on the case page.
COULD_BE_ILLEGAL_NO_FILES = ("Do not attach anything to a concern that could be illegal: remove the files, describe "
                             "what was seen in words and give the web address. The safeguarding team decides what "
                             "evidence to keep.")


class VersionedForm(forms.Form):
    """Carries the case version the user saw, so a stale change is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(VersionedForm):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None, label="Assign to")

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "assignee", selectors.triage_team(incident.school).exclude(
            pk=incident.subject_of_allegation_id))


class LevelForm(VersionedForm):
    # No level is offered as a default: the most severe one, chosen by accident, would start a police referral.
    level = forms.ChoiceField(choices=[("", "Select a level"), *Level.choices], label="Level",
                              error_messages={"required": "Select the case's level."})


class StatusForm(VersionedForm):
    status = forms.ChoiceField(choices=[(Status.OPEN, Status.OPEN.label), (Status.WAITING, Status.WAITING.label)])


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(choices=[("", "Choose an outcome")] + Outcome.choices, label="Outcome",
                                error_messages={"required": "Choose the outcome the case closes with."})
    summary = forms.CharField(required=False, label="Summary", widget=forms.Textarea(attrs={"rows": 2}))
    close_open_actions = forms.BooleanField(required=False)
    close_unanswered_checklist = forms.BooleanField(required=False)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.open_actions = list(selectors.open_actions(incident))
        # The harms' checklists do not stop a case closing: items still unanswered ask the user to confirm.
        self.unanswered_checklist = selectors.unanswered_checklist_items(incident)
        unanswered = len(self.unanswered_checklist)
        self.fields["close_unanswered_checklist"].label = (
            f"Close the case with {unanswered} checklist item{'s' if unanswered != 1 else ''} unanswered")
        # The flowchart's steps are read only when the form is sent: the page shows its own checklist.
        self.open_steps = (flowchart.open_steps(selectors.branch_checklist(incident, selectors.illegal_branch(
            incident))) if self.is_bound else [])
        count = len(self.open_actions)
        self.fields["close_open_actions"].label = (
            f"Close the case and its {count} open action{'s' if count != 1 else ''}")

    @property
    def asks_about_open_actions(self) -> bool:
        """Whether the page shows the open actions and the box to close them with the case: once a first attempt
        to close found some (the box then stays, ticked or not, until the case closes)."""
        return self.is_bound and bool(self.open_actions)

    def clean(self):
        cleaned = super().clean() or {}
        if not self.incident.level:
            self.add_error(None, NEEDS_LEVEL)
        elif self.open_steps:
            self.add_error(None, flowchart.refusal_to_close(self.open_steps))
        elif self.open_actions and not cleaned.get("close_open_actions"):
            count = len(self.open_actions)
            self.add_error("close_open_actions",
                           f"This case still has {count} open action{'s' if count != 1 else ''}. Tick the box to "
                           "close them with the case, or mark them done first.")
        if self.unanswered_checklist and not cleaned.get("close_unanswered_checklist"):
            count = len(self.unanswered_checklist)
            self.add_error("close_unanswered_checklist",
                           f"{count} checklist item{'s are' if count != 1 else ' is'} not answered. Answer "
                           f"{'them' if count != 1 else 'it'}, or tick the box to close the case anyway.")
        return cleaned


def _people_of(incident) -> QuerySet[User]:
    """Adults of the school who can be named as doing a step of the case (never the person it is about)."""
    return selectors.colleagues_to_share_with(incident.school).exclude(pk=incident.subject_of_allegation_id)


class BranchEvidenceForm(VersionedForm):
    how = forms.CharField(label="How was the evidence preserved?", max_length=300,
                          help_text="For example: web address and a written description; the device kept as found. "
                                    "Never a copy or screenshot of a sexual image of a child.",
                          error_messages={"required": "Say how the evidence was preserved"})
    where = forms.CharField(label="Where is it kept?", max_length=300,
                            error_messages={"required": "Say where the evidence is kept"})
    by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Who preserved it?", empty_label="Choose a person",
        error_messages={"required": "Choose who preserved the evidence"})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "by", _people_of(incident))


class BranchDeviceForm(VersionedForm):
    secured = forms.ChoiceField(label="Was the device secured?", choices=YES_NO, widget=forms.RadioSelect,
                                error_messages={"required": "Select whether the device was secured"})
    by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, label="Who secured it?", required=False, empty_label="Choose a person")
    held_at = forms.CharField(label="Where is it held?", max_length=300, required=False,
                              help_text="For example: locked in the DSL's office safe.")
    because = forms.CharField(label="If not, why not?", max_length=300, required=False,
                              help_text="For example: there was no device, the content was on a public website.")

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "by", _people_of(incident))

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("secured") == "yes":
            if not cleaned.get("by"):
                self.add_error("by", "Choose who secured the device")
            if not cleaned.get("held_at", "").strip():
                self.add_error("held_at", "Say where the device is held")
        elif cleaned.get("secured") == "no" and not cleaned.get("because", "").strip():
            self.add_error("because", "Say why the device was not secured")
        return cleaned


class BranchMeetingForm(VersionedForm):
    kind = forms.ChoiceField(label="Strategy meeting or incident review?", choices=MeetingKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select whether it was a strategy meeting or an incident "
                                                         "review"})
    held_on = PlausibleDateField(label="When was it held?", earliest=EARLIEST_DATE, latest=today,
                                 error_messages={"required": "Enter the date the meeting was held",
                                                 "too_early": "That date is too long ago. Check the year.",
                                                 "too_late": "A meeting already held cannot be in the future."})
    roles = forms.MultipleChoiceField(label="Who was there, by role?", choices=MeetingRole.choices,
                                      widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "Tick the role of each person at the meeting"})
    decision = forms.CharField(label="What was decided?", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                               error_messages={"required": "Say what the meeting decided"})


class AgencyNotContactedForm(VersionedForm):
    agency = forms.ChoiceField(label="Agency not contacted", choices=[],
                               error_messages={"required": "Choose the agency that was not contacted"})
    reason = forms.CharField(label="Why not?", max_length=300,
                             help_text="For example: no web address to report; the police advised no referral.",
                             error_messages={"required": "Say why the agency was not contacted"})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        prompted = (flowchart.prompted_agencies(incident.level, selectors.adult_in_school_involved(incident))
                    if incident.level in flowchart.ILLEGAL_LEVELS else [])
        set_choices(self, "agency", [("", "Choose an agency"), *((a.value, a.label) for a in prompted)])


class ReopenForm(VersionedForm):
    reason = forms.CharField(label="Why reopen it?", max_length=500)


class AcknowledgeForm(VersionedForm):
    pass


class BehavioursForm(VersionedForm):
    """Which rows of the response tables the case concerns: the pupils' table, or the staff's for a case about an
    adult (and any behaviour already recorded from the other)."""

    behaviours = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="What the case concerns",
        help_text="Tick each behaviour. The case then shows the responses the school's tables require or suggest.",
        error_messages={"invalid_choice": "Tick only behaviours from the list: %(value)s is not one of them."},
    )

    def __init__(self, *args, incident, **kwargs):
        self.recorded = list(incident.behaviours.values_list("behaviour", flat=True))
        super().__init__(*args, **kwargs)
        offered = PUPIL_BEHAVIOURS if selectors.case_subject(incident) == Subject.PUPIL else STAFF_BEHAVIOURS
        codes = list(dict.fromkeys([*offered, *(Behaviour(code) for code in self.recorded)]))
        set_choices(self, "behaviours", [(code.value, code.label) for code in codes])
        self.fields["behaviours"].label = ("What the pupils did" if offered is PUPIL_BEHAVIOURS
                                           else "What the adult did")
        self.initial.setdefault("behaviours", self.recorded)

    def clean_behaviours(self):
        chosen = self.cleaned_data["behaviours"]
        if not chosen and not self.recorded:
            raise ValidationError("Tick at least one behaviour the case concerns.")
        if set(chosen) == set(self.recorded):
            raise ValidationError("Those are the behaviours already recorded: tick or untick one to change them.")
        return chosen


class PupilRoleForm(VersionedForm):
    """The safeguarding team corrects a linked pupil's role in this case (nothing is chosen for them)."""

    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(
        queryset=None, label="Pupil", empty_label="Choose a pupil",
        error_messages={"required": "Choose the pupil whose role changes",
                        "invalid_choice": "Choose one of the pupils linked to this case"})
    role = forms.ChoiceField(
        label="Their role in this case", choices=ROLE_CHOICES,
        error_messages={"required": "Choose the pupil's role in this case",
                        "invalid_choice": "Choose the pupil's role from the list"})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "pupil", incident.pupils.order_by("last_name", "first_name"))


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, TimelineEntry.Kind(k).label) for k in
                 (TimelineEntry.Kind.NOTE, TimelineEntry.Kind.FEEDBACK, TimelineEntry.Kind.LESSON)],
        label="Kind", initial=TimelineEntry.Kind.NOTE,
        help_text="Only feedback is shown to the person who reported the concern.",
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Text", max_length=5000)

    def __init__(self, *args, incident=None, **kwargs):
        super().__init__(*args, **kwargs)
        if incident is not None and incident.reported_by_id is None:
            # A pupil's or a parent's report: no account, so no one could read feedback (services.add_note refuses it)
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = [(k, TimelineEntry.Kind(k).label)
                            for k in (TimelineEntry.Kind.NOTE, TimelineEntry.Kind.LESSON)]
            kind.help_text = ("Sent by a pupil or a parent without an account: there is no one to give feedback to "
                              "here, so contact them another way if you need to.")


class ActionForm(forms.Form):
    description = forms.CharField(max_length=300, label="Action")
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None, label="Who does it")
    due_on = PlausibleDateField(label="Due", earliest=days_from_today(-366), latest=days_from_today(366),
                                error_messages={"too_early": "Choose a due date within a year of today.",
                                                "too_late": "Choose a due date within a year of today."})

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "owner", selectors.colleagues_to_share_with(incident.school).exclude(
            pk=incident.subject_of_allegation_id))


class ReferralForm(forms.ModelForm):
    referred_on = PlausibleDateField(label="Referred on", earliest=EARLIEST_DATE, latest=today,
                                     error_messages={"too_early": "That date is too long ago. Check the year.",
                                                     "too_late": "A referral date cannot be in the future."})

    class Meta:
        model = Referral
        fields = ["agency", "referred_on", "reference", "contact", "outcome"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "agency", Agency.choices)


class ParentContactForm(forms.ModelForm):
    class Meta:
        model = ParentContact
        fields = ["pupil", "who", "contacted_at", "method"]
        widgets = {"contacted_at": DateTimeInput()}
        formfield_callback = plausible_dates

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "pupil", incident.pupils.all())
        self.fields["pupil"].required = False


class SanctionForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["pupil", "kind", "until", "notes"]
        widgets = {"until": DateInput()}
        formfield_callback = plausible_dates

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "pupil", incident.pupils.all())
        self.fields["pupil"].required = False

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("kind") == Sanction.Kind.ACCESS_REMOVED and not cleaned.get("until"):
            self.add_error("until", "Say until when network and internet access is removed.")
        return cleaned


class ShareForm(forms.Form):
    colleague: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None, label="Colleague")
    can_contribute = forms.BooleanField(
        required=False, label="They may also work on it",
        help_text="Add notes, actions and referrals, change its status, close it. Only you can share it further.",
    )

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "colleague", selectors.colleagues_to_share_with(incident.school).exclude(
            pk=incident.subject_of_allegation_id))


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Add a file", help_text="PNG, JPEG or PDF, up to 10 MB.")

    def clean_file(self):
        return check_upload(self.cleaned_data["file"], allowed=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES)


class TriageFilterForm(FilterForm):
    queue = forms.ChoiceField(required=False, choices=[(name, label) for name, (label, _) in selectors.QUEUES.items()],
                              widget=forms.HiddenInput)
    category: forms.ModelChoiceField[IncidentCategory] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All categories")
    year_group = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Year group")
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Anyone", label="Assigned to")
    date_from = PlausibleDateField(required=False, label="From")
    date_to = PlausibleDateField(required=False, label="To")

    def __init__(self, *args, school, year_groups, team, **kwargs):
        super().__init__(*args, **kwargs)
        choose_from(self, "category", selectors.categories_of(school))
        set_choices(self, "year_group", [("", "All years"), *year_groups])
        choose_from(self, "assignee", team)

    def triage_filters(self) -> selectors.TriageFilters | None:
        """The filters, or None when one is wrong (the page then lists nothing and shows the errors)."""
        data = self.filters()
        if data is None:
            return None
        return selectors.TriageFilters(
            category=data["category"].pk if data["category"] else None, year_group=data["year_group"],
            assignee=data["assignee"].pk if data["assignee"] else None, date_from=data["date_from"],
            date_to=data["date_to"],
        )


CELL_CHOICES = [("", "Blank"), (Expectation.REQUIRED.value, "Required"), (Expectation.POSSIBLY.value, "Suggested")]


def cell_field_name(behaviour: str, response: str) -> str:
    return f"cell__{behaviour}__{response}"


class ResponseTablesForm(forms.Form):
    """The whole of the response tables: a cell per behaviour and response of its table (blank, required or
    suggested), the continued-infringements settings, and the version the editor started from."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    continued_threshold = forms.IntegerField(
        label="Cases before a pupil is at continued infringements", min_value=2, max_value=50,
        help_text="Counting the pupil's cases in the period that record a behaviour, this one included.",
        error_messages={"required": "Enter how many cases make continued infringements.",
                        "min_value": "Continued infringements need at least 2 cases.",
                        "max_value": "Enter 50 cases or fewer.",
                        "invalid": "Enter the number of cases as a whole number, like 3."},
    )
    continued_period_days = forms.IntegerField(
        label="Over how many days", min_value=1, max_value=3650,
        help_text="A rolling period ending today: 365 is the last year.",
        error_messages={"required": "Enter the number of days the cases are counted over.",
                        "min_value": "Count the cases over at least 1 day.",
                        "max_value": "Count the cases over 3650 days (10 years) or fewer.",
                        "invalid": "Enter the number of days as a whole number, like 365."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for behaviours, responses in ((PUPIL_BEHAVIOURS, PUPIL_RESPONSES), (STAFF_BEHAVIOURS, STAFF_RESPONSES)):
            for behaviour in behaviours:
                for response in responses:
                    self.fields[cell_field_name(behaviour, response)] = forms.ChoiceField(
                        choices=CELL_CHOICES, required=False, label=f"{behaviour.label}: {response.label}",
                        error_messages={"invalid_choice": "Choose blank, required or suggested."},
                    )

    def cells(self) -> dict[tuple[Behaviour, Any], Expectation]:
        """The cells that are not blank."""
        chosen = {}
        for behaviours, responses in ((PUPIL_BEHAVIOURS, PUPIL_RESPONSES), (STAFF_BEHAVIOURS, STAFF_RESPONSES)):
            for behaviour in behaviours:
                for response in responses:
                    value = self.cleaned_data.get(cell_field_name(behaviour, response))
                    if value:
                        chosen[(behaviour, response)] = Expectation(value)
        return chosen


# ---------------------------------------------------------------- the harms' procedure checklists

ANSWER_CHOICES = ChecklistAnswerValue.choices


def checklist_prefix(kind: str) -> str:
    return f"checklist-{kind}"


class ChecklistAnswersForm(forms.Form):
    """One checklist's items, each yes / no / not applicable (none preselected until answered), with a note where
    an answer needs one. An item left blank is left as it was. Each item carries, hidden, the version of its answer
    the page was drawn with (``<item>-seen``), so that the service refuses to overwrite a colleague's answer given
    since (``services.answer_checklist``'s ``seen``)."""

    def __init__(self, *args, view, **kwargs):
        kwargs.setdefault("prefix", checklist_prefix(view.record.kind))
        super().__init__(*args, **kwargs)
        self.view = view
        self.rows = []
        # A form-wide error ("answer at least one") links to the first item's first radio.
        self.first_field = f"{self.prefix}-{view.rows[0].item.key}_0" if view.rows else ""
        for row in view.rows:
            item = row.item
            self.fields[f"{item.key}-seen"] = forms.CharField(
                required=False, widget=forms.HiddenInput, initial=checklists.answer_version(row.answer))
            self.fields[item.key] = forms.ChoiceField(
                label=item.question, choices=ANSWER_CHOICES, required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                help_text=item.hint, initial=row.answer.answer if row.answer else None)
            note_name = f"{item.key}-note"
            if item.note_needed_for:
                self.fields[note_name] = forms.CharField(
                    label=item.note_prompt, max_length=300, required=False,
                    widget=forms.TextInput(attrs={"class": "form-control"}),
                    initial=row.answer.note if row.answer else "")
            self.rows.append((row, self[item.key], self[note_name] if item.note_needed_for else None))

    def clean(self):
        cleaned = super().clean() or {}
        given = 0
        for row in self.view.rows:
            item = row.item
            answer = cleaned.get(item.key)
            if not answer:
                continue
            given += 1
            note = (cleaned.get(f"{item.key}-note") or "").strip()
            if answer in item.note_needed_for and not note:
                self.add_error(f"{item.key}-note", f"{item.note_prompt}: needed when the answer is "
                                                   f"“{ChecklistAnswerValue(answer).label.lower()}”")
        if not given and not self.errors:
            self.add_error(None, "Answer at least one question of the checklist.")
        return cleaned

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {row.item.key: (data[row.item.key], data.get(f"{row.item.key}-note") or "")
                for row in self.view.rows if data.get(row.item.key)}

    def seen(self) -> dict[str, str]:
        """Each item's answer version as the page showed it ("" for unanswered)."""
        return {row.item.key: self.cleaned_data.get(f"{row.item.key}-seen") or "" for row in self.view.rows}


class AddChecklistForm(forms.Form):
    kind = forms.ChoiceField(label="Checklist to add", choices=(),
                             error_messages={"required": "Choose the checklist to add",
                                             "invalid_choice": "Choose a checklist from the list"})

    def __init__(self, *args, incident, **kwargs):
        kwargs.setdefault("prefix", "add_checklist")
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", [("", "Choose a checklist"), *selectors.checklists_to_add(incident)])


class ChecklistClockForm(forms.Form):
    started_at = PlausibleDateTimeField(
        label="When was it discovered?", latest=minutes_from_now(5),
        help_text="The 72 hours run from the moment the school became aware of the breach.",
        error_messages={"required": "Enter the date and time the breach was discovered",
                        "invalid": "Enter the date and time it was discovered, for example 3 December 2026 at 10:30",
                        "too_early": "That date is too long ago. Check the year.",
                        "too_late": "That time is in the future. When was it discovered?"})

    def __init__(self, *args, kind, **kwargs):
        kwargs.setdefault("prefix", f"clock-{kind}")
        super().__init__(*args, **kwargs)
# ---------------------------------------------------------------- reports from pupils and parents

PUPIL_WHERE = [
    ("online game", "In an online game"),
    ("social media", "On social media"),
    ("messages", "In messages or a chat"),
    ("website", "On a website"),
    ("somewhere else", "Somewhere else"),
]


class PupilReportForm(forms.Form):
    """The pupils' "tell a trusted adult" form: short questions in plain words; the name and class are theirs to
    give or not."""

    what_happened = forms.CharField(
        label="What happened?", help_text="Tell us in your own words.", max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what happened, in your own words."})
    where = forms.ChoiceField(
        label="Where did it happen?", choices=PUPIL_WHERE, widget=forms.RadioSelect,
        error_messages={"required": "Choose where it happened. If you are not sure, choose Somewhere else."})
    danger_now = forms.ChoiceField(
        label="Is someone in danger right now?", choices=Danger.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose Yes, No or I don't know."})
    name = forms.CharField(
        label="Your name (you don't have to tell us)", required=False, max_length=150,
        help_text="You can tell us your name so we can help you. You don't have to.")
    school_class = forms.CharField(label="Your class (you don't have to tell us)", required=False, max_length=60)


PARENT_PLATFORMS = [
    ("", "Choose one"),
    ("Social media", "Social media"),
    ("Messaging app or text messages", "Messaging app or text messages"),
    ("Online game", "Online game"),
    ("Video or streaming site", "Video or streaming site"),
    ("Website", "Website"),
    ("Email", "Email"),
    ("Other or not known", "Other or not known"),
]
HONEYPOT = "homepage"


class ParentReportForm(forms.Form):
    """A parent's or carer's "report an online safety concern" form (the school's public page). ``homepage`` is the
    honeypot: hidden from people (and from screen readers), filled in by robots."""

    reporter_name = forms.CharField(label="Your name", max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "name"}))
    reporter_email = forms.EmailField(
        label="Your email address", help_text="We send your reference here. The email repeats nothing you tell us.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your email address, so we can send your reference",
                        "invalid": "Enter an email address like name@example.com"})
    child_name = forms.CharField(label="Your child's name (optional)", required=False, max_length=150)
    child_class = forms.CharField(label="Their class or year (optional)", required=False, max_length=60)
    what_happened = forms.CharField(
        label="What happened?", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you saw or were told, who was involved if you know, and anything already done about it.",
        error_messages={"required": "Enter what happened"})
    occurred_on = PlausibleDateField(
        label="When did it happen?", help_text="The day, or your best guess.", earliest=days_from_today(-3650),
        latest=today, error_messages={"required": "Enter the day it happened, or your best guess",
                                      "too_late": "The day it happened must be today or in the past"})
    platform = forms.ChoiceField(label="Where did it happen?", choices=PARENT_PLATFORMS,
                                 error_messages={"required": "Select where it happened, or Other or not known"})
    danger_now = forms.ChoiceField(
        label="Is a child in danger right now?", choices=[(Danger.YES, "Yes"), (Danger.NO, "No")],
        widget=forms.RadioSelect, error_messages={"required": "Select yes if a child is in danger right now"})
    # No max_length: a long value must not send the form back with an error about a field no person sees.
    homepage = forms.CharField(label="Leave this empty", required=False)

    def is_robot(self) -> bool:
        """The honeypot is filled, whatever else was sent (read from the raw data, so it holds for a form that is
        otherwise wrong too): the report is discarded but looks accepted."""
        return bool(str(self.data.get(HONEYPOT, "")).strip())
