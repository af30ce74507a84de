from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from onlinesafety.forms import FilterForm, PlausibleDateField, plausible_dates, today
from onlinesafety.schools.roles import Role
from onlinesafety.uploads import MEGABYTE, check_upload

from .models import Policy, Review

DOCUMENT_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
EVIDENCE_TYPES = ("image/png", "image/jpeg", "application/pdf")
MAX_BYTES = 10 * MEGABYTE


class PolicyForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ["title", "kind", "owner", "owner_role", "approving_body", "review_cycle_months",
                  "last_approved_on", "next_review_on", "staff_must_read", "is_public"]
        help_texts = {"next_review_on": "Leave empty to follow from the last approval and the cycle."}
        formfield_callback = plausible_dates

    def __init__(self, *args, school, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.ChoiceField, self.fields["owner_role"]).choices = [
            (r.value, r.label) for r in Role if r not in (Role.PARENT, Role.VISITOR)
        ]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if any(ch in title for ch in "\r\n\t"):
            raise ValidationError("Write the title on one line.")
        clash = Policy.objects.filter(school=self.school, title__iexact=title).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("The school already has a policy with this title.")
        return title

    def clean_last_approved_on(self):
        day = self.cleaned_data["last_approved_on"]
        if day and day > timezone.localdate():
            raise ValidationError("The last approval cannot be in the future.")
        return day


class StartReviewForm(forms.Form):
    reason = forms.ChoiceField(choices=Review.Reason.choices, label="Why review it now?")
    detail = forms.CharField(max_length=500, required=False, label="Details",
                             help_text="For an early review: what happened, or what changed.")


class DraftForm(forms.Form):
    change_summary = forms.CharField(max_length=500, label="What changed in this version")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 14}), label="Policy text",
                           help_text="Write the policy here, or upload its document below.")
    document = forms.FileField(required=False, label="Or upload the document",
                               help_text="PDF or Word (.docx), up to 10 MB.")

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return None
        return check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=MAX_BYTES)

    def clean(self):
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("document") and not self.errors:
            raise ValidationError("Write the policy or upload its document.")
        return cleaned


class ApproveForm(forms.Form):
    approved_on = PlausibleDateField(label="Date approved", initial=timezone.localdate, latest=today,
                                     error_messages={"too_late": "The approval date cannot be in the future."})
    minute_reference = forms.CharField(max_length=100, required=False, label="Minute reference",
                                       help_text="For example: FGB 14/11/2026 item 6.")


class EarlyReviewForm(forms.Form):
    policy: "forms.ModelChoiceField[Policy]" = forms.ModelChoiceField(queryset=None, label="Policy",
                                                                      empty_label="Choose a policy")
    detail = forms.CharField(max_length=500, required=False, label="What should the review look at?",
                             help_text="Describe the gap, not the people: this is not confidential.")

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["policy"])
        field.queryset = Policy.objects.filter(pk__in=[p.pk for p in policies]).order_by("title")


class SendBackForm(forms.Form):
    reason = forms.CharField(max_length=500, label="What needs changing")


class CompleteDutyForm(forms.Form):
    due_on = PlausibleDateField(widget=forms.HiddenInput)  # the due date the person saw: a second send is refused
    completed_on = PlausibleDateField(label="Done on", initial=timezone.localdate, latest=today,
                                      error_messages={"too_late": "The date it was done cannot be in the future."})
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")
    evidence = forms.FileField(required=False, label="Evidence (optional)", help_text="PNG, JPEG or PDF, up to 10 MB.")

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        return check_upload(upload, allowed=EVIDENCE_TYPES, max_bytes=MAX_BYTES) if upload else None


class UploadInForceForm(forms.Form):
    """A starter policy's document: the policy the school already has, with the date it was approved."""

    document = forms.FileField(required=False, label="The policy's document",
                               help_text="PDF or Word (.docx), up to 10 MB.")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or its text",
                           help_text="Paste the policy here instead of uploading it.")
    approved_on = PlausibleDateField(label="Date it was last approved", latest=today,
                                     error_messages={"required": "Enter the date the policy was last approved.",
                                                     "invalid": "Enter the date the policy was last approved as a "
                                                                "date.",
                                                     "too_late": "The approval date cannot be in the future."})
    minute_reference = forms.CharField(max_length=100, required=False, label="Minute reference (optional)",
                                       help_text="For example: FGB 14/11/2026 item 6.")

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        return check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=MAX_BYTES) if upload else None

    def clean(self):
        cleaned = super().clean() or {}
        if not (cleaned.get("text") or "").strip() and not cleaned.get("document") and "document" not in self.errors:
            self.add_error("document", "Upload the policy's document, or paste its text below.")
        return cleaned


class RegisterFilterForm(FilterForm):
    status = forms.ChoiceField(choices=[], label="Status")

    def __init__(self, *args, labels, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = list(labels.items())
