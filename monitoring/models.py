"""Alerts from the school's monitoring system (Smoothwall Monitor, Senso, Impero, Securly, Lightspeed Alert ...),
in one inbox for the safeguarding team."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onlinesafety.csvimport import ImportState
from onlinesafety.schools.models import Pupil, School


class Risk(models.TextChoices):
    """The provider's risk level, read onto one scale (its words or its numbers, 1 to 5)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class AlertStatus(models.TextChoices):
    NEW = "new", "To triage"
    DISMISSED = "dismissed", "Dismissed"
    LINKED = "linked", "Linked to a case"
    CASE_OPENED = "case_opened", "Case opened"


class DismissReason(models.TextChoices):
    FALSE_POSITIVE = "false_positive", "False positive"
    ALREADY_KNOWN = "already_known", "Already known"
    OTHER = "other", "Another reason"


class Arrival(models.TextChoices):
    UPLOAD = "upload", "CSV upload"
    WEBHOOK = "webhook", "From the provider (webhook)"
    FILE = "file", "Dropped file"


class MonitoringSettings(models.Model):
    """The school's inbound webhook: the secret the provider sends in a header."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="monitoring_settings")
    webhook_secret = models.CharField(max_length=100)
    secret_set_at = models.DateTimeField(default=timezone.now)
    secret_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                      related_name="+")


class MonitoringImport(models.Model):
    """A CSV of alerts: uploaded, its columns chosen, imported by a worker (or by the command, at once)."""

    State = ImportState

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="monitoring_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="Empty for a dropped file (the command).")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    arrival = models.CharField(max_length=10, choices=Arrival.choices, default=Arrival.UPLOAD)
    file = models.FileField(upload_to="monitoring-alerts/")
    original_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    queued_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True, help_text="The worker's last sign of life.")
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    bad_lines = models.JSONField(default=list, help_text="The first bad rows: line number and why.")
    failure = models.CharField(max_length=100, blank=True, help_text="The kind of error, never its text.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class MonitoringAlert(models.Model):
    """One alert the provider raised. An alert that may show a sexual image of a child keeps its metadata only:
    its captured text and screenshot reference are dropped as it arrives (``content_withheld``)."""

    # Every index below starts with the school: the foreign key needs none of its own.
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    arrival = models.CharField(max_length=10, choices=Arrival.choices)
    provider = models.CharField(max_length=60, blank=True)
    provider_reference = models.CharField(max_length=200)
    user_ref = models.CharField("user", max_length=150, blank=True)
    device = models.CharField(max_length=150, blank=True)
    pupil_identifier = models.CharField(max_length=100, blank=True)
    pupil = models.ForeignKey(Pupil, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    category = models.CharField(max_length=100)
    risk = models.CharField(max_length=10, choices=Risk.choices)
    captured_text = models.TextField(blank=True)
    screenshot_ref = models.CharField("screenshot reference", max_length=500, blank=True)
    content_withheld = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    dismiss_note = models.CharField(max_length=300, blank=True)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    source = models.ForeignKey(MonitoringImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "provider_reference"], name="monitoring_alert_once"),
            models.CheckConstraint(condition=Q(content_withheld=False) | (Q(captured_text="") & Q(screenshot_ref="")),
                                   name="monitoring_withheld_keeps_nothing"),
        ]
        indexes = [
            models.Index(fields=["school", "status", "-occurred_at", "-id"], name="monitoring_alert_inbox"),
            models.Index(fields=["school", "-occurred_at", "-id"], name="monitoring_alert_time"),
            models.Index(fields=["school", "risk", "-occurred_at", "-id"], name="monitoring_alert_risk"),
            # The counts of what waits (high risk, matched to nobody), from the index alone.
            models.Index(fields=["school", "risk", "pupil"], condition=Q(status="new"),
                         name="monitoring_alert_waiting"),
        ]

    @property
    def is_high_risk(self) -> bool:
        return self.risk == Risk.HIGH
