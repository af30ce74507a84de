import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from onlinesafety.schools.models import School
from onlinesafety.schools.roles import Role


class PolicyKind(models.TextChoices):
    ONLINE_SAFETY = "online_safety", "Online safety"
    AUP = "aup", "Acceptable use agreements"
    FILTERING = "filtering", "Filtering and monitoring"
    TECHNICAL_SECURITY = "technical_security", "Technical security"
    MOBILE = "mobile", "Mobile technology"
    SOCIAL_MEDIA = "social_media", "Social media"
    DIGITAL_IMAGES = "digital_images", "Digital images"
    DATA_PROTECTION = "data_protection", "Data protection"
    AI = "ai", "Use of AI"
    SAFEGUARDING = "safeguarding", "Safeguarding and child protection"
    REMOTE_LEARNING = "remote_learning", "Remote learning"
    STAFF_CONDUCT = "staff_conduct", "Staff code of conduct"
    OTHER = "other", "Other"


class ApprovingBody(models.TextChoices):
    GOVERNING_BODY = "governing_body", "Governing body"
    MANAGEMENT_COMMITTEE = "management_committee", "Management committee"
    HEADTEACHER = "headteacher", "Headteacher"


class Stage(models.TextChoices):
    """Where the policy is in its review cycle. Overdue and due soon are worked out from the dates."""

    CURRENT = "current", "Approved"
    UNDER_REVIEW = "under_review", "Under review"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    # A starter policy of a new school: on the register, waiting for the school's own document.
    NOT_UPLOADED = "not_uploaded", "Not yet uploaded"


class Policy(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="policies")
    title = models.CharField(max_length=150)
    kind = models.CharField(max_length=30, choices=PolicyKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="Leave empty until someone is named: the headteacher "
                                                          "hears about its reviews meanwhile.")
    owner_role = models.CharField(max_length=32, choices=Role.choices,
                                  help_text="The role the owner holds this policy in.")
    approving_body = models.CharField(max_length=30, choices=ApprovingBody.choices)
    review_cycle_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    last_approved_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.CURRENT)
    staff_must_read = models.BooleanField(default=False)
    is_public = models.BooleanField("show on the public policies page", default=True)
    current_version = models.ForeignKey(
        "PolicyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_reminded_readers_at = models.DateTimeField(null=True, blank=True)
    starter_code = models.SlugField(max_length=40, blank=True,
                                    help_text="Set for the policies of the starter register a new school is given.")

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="policies_unique_title"),
            models.UniqueConstraint(fields=["school", "starter_code"], condition=~Q(starter_code=""),
                                    name="policies_starter_once"),
        ]
        indexes = [models.Index(fields=["school", "next_review_on"], name="policies_next_review")]

    def __str__(self) -> str:
        return self.title


def policy_document_path(instance, filename: str) -> str:
    return f"policies/{instance.policy.school_id}/{uuid.uuid4().hex}"


class PolicyVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        PUBLISHED = "published", "Approved and published"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    text = models.TextField(blank=True, help_text="The policy written here, or leave empty and upload a document.")
    document = models.FileField(upload_to=policy_document_path, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    change_summary = models.CharField(max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_on = models.DateField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minute_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policies_version_unique_number"),
            models.CheckConstraint(condition=~Q(text="") | ~Q(document=""), name="policies_version_has_content"),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(approved_on__isnull=False), name="policies_published_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"


class Review(models.Model):
    """One review of a policy, scheduled or early."""

    class Reason(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled review"
        DEVELOPMENT = "development", "A significant development"
        THREAT = "threat", "A new threat"
        INCIDENT = "incident", "An incident"
        OTHER = "other", "Other"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="reviews")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    incident_id = models.PositiveIntegerField(null=True, blank=True, help_text="The incident that prompted it.")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy"], condition=Q(completed_at__isnull=True),
                                    name="policies_one_open_review"),
        ]


class Acknowledgement(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="policies_ack_once")]


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    HALF_TERMLY = "half_termly", "Every half term"
    TERMLY = "termly", "Every term"
    YEARLY = "yearly", "Yearly"


class Duty(models.Model):
    """A recurring job the school must not forget: a check, an audit, a report."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="duties")
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=500, blank=True)
    owner_role = models.CharField(max_length=32, choices=Role.choices)
    recurrence = models.CharField(max_length=20, choices=Recurrence.choices)
    next_due_on = models.DateField()
    anchor_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of the month it falls on, kept when a short month moves it earlier.",
    )
    code = models.SlugField(max_length=40, blank=True, help_text="Set for duties other features complete.")

    class Meta:
        ordering = ["next_due_on", "title"]
        verbose_name_plural = "duties"
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], condition=~Q(code=""), name="policies_duty_code"),
        ]
        indexes = [models.Index(fields=["school", "next_due_on"], name="policies_duty_due")]

    def __str__(self) -> str:
        return self.title


def duty_evidence_path(instance, filename: str) -> str:
    return f"duties/{instance.duty.school_id}/{uuid.uuid4().hex}"


class DutyCompletion(models.Model):
    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="completions")
    due_on = models.DateField(help_text="The due date this completion met.")
    completed_on = models.DateField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    evidence = models.FileField(upload_to=duty_evidence_path, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on"]
        constraints = [models.UniqueConstraint(fields=["duty", "due_on"], name="policies_duty_done_once")]


class ReminderSent(models.Model):
    """One reminder for one item, due date and threshold. Written before the emails, in their transaction,
    so a rerun or a retry of the daily task sends nothing twice."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField(max_length=10)  # "policy" or "duty"
    item_id = models.PositiveIntegerField()
    due_on = models.DateField()
    threshold = models.CharField(max_length=20)  # "30", "7", "0" or "overdue-N" (week N)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_id", "due_on", "threshold"],
                                    name="policies_reminder_once"),
        ]
