import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onlinesafety.schools.models import School, Term


def report_path(instance, filename: str) -> str:
    return f"governor-reports/{instance.school_id}/{uuid.uuid4().hex}.pdf"


class TermReport(models.Model):
    """One version of a school's termly report to governors. Regenerating adds a version; old ones stay."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="governor_reports")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="governor_reports")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent, while it is being built.")
    step = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="Empty when the schedule asked for it.")
    requested_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now, help_text="When it was last handed to the workers.")
    progress_at = models.DateTimeField(null=True, blank=True,
                                       help_text="The worker's last sign of life: when it claimed the build, or "
                                                 "finished a step.")
    failure = models.CharField(max_length=100, blank=True,
                               help_text="Why the last build failed: the kind of error, never its text.")
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to=report_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    figures = models.JSONField(default=dict, blank=True,
                               help_text="The term's own figures as reported, reused as \"last term\" next term.")

    class Meta:
        ordering = ["-term__starts_on", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "term", "version"], name="governors_report_version_once"),
            models.CheckConstraint(condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256="")),
                                   name="governors_ready_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.term} v{self.version}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.BUILDING)
