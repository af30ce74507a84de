from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from onlinesafety.audit.models import AppendOnlyModel
from onlinesafety.csvimport import ImportState
from onlinesafety.schools.models import School


class UserGroup(models.TextChoices):
    PUPILS_EYFS_KS1 = "pupils_eyfs_ks1", "Pupils: EYFS and KS1"
    PUPILS_KS2 = "pupils_ks2", "Pupils: KS2"
    PUPILS_KS3_PLUS = "pupils_ks3_plus", "Pupils: KS3 and above"
    ALL_PUPILS = "all_pupils", "All pupils"
    STAFF = "staff", "Staff"
    EVERYONE = "everyone", "Everyone"


class FilteringSettings(models.Model):
    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="filtering_settings")
    max_unblock_days = models.PositiveSmallIntegerField(
        "longest temporary unblock (days)", default=42, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    # Who provides the school's filtering and its monitoring (DfE Filtering and Monitoring Standards): a set-up
    # checklist item, and what the annual review starts from.
    filtering_provider = models.CharField(max_length=150, blank=True,
                                          help_text="For example the broadband or filtering service's name.")
    monitoring_provider = models.CharField(max_length=150, blank=True,
                                           help_text="The monitoring service, or how the school monitors.")
    providers_recorded_at = models.DateTimeField(null=True, blank=True)
    providers_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+")


class ChangeRequest(models.Model):
    class Action(models.TextChoices):
        UNBLOCK = "unblock", "Unblock"
        BLOCK = "block", "Block"

    class TargetType(models.TextChoices):
        URL = "url", "A web page"
        DOMAIN = "domain", "A whole website (domain)"
        CATEGORY = "category", "A filtering category"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved, awaiting the technician"
        REJECTED = "rejected", "Rejected"
        ACTIVE = "active", "In place"
        REVERT_DUE = "revert_due", "Period ended: revert due"
        REVERTED = "reverted", "Reverted"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="filter_requests")
    action = models.CharField(max_length=10, choices=Action.choices)
    target_type = models.CharField(max_length=10, choices=TargetType.choices)
    target = models.CharField(max_length=2000, help_text="Normalised: lower-case host in ASCII (punycode).")
    target_display = models.CharField(max_length=2000, help_text="As people read it (international letters).")
    user_group = models.CharField(max_length=20, choices=UserGroup.choices)
    reason = models.TextField("educational reason")
    lesson = models.CharField("lesson or topic", max_length=200, blank=True)
    is_temporary = models.BooleanField(default=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    from_report = models.BooleanField(default=False, help_text="Came from “report a site”.")

    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    educational_benefit = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    supervision = models.TextField(blank=True)
    decision_note = models.TextField(blank=True)

    implemented_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    implemented_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reverted_at = models.DateTimeField(null=True, blank=True)
    revert_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_temporary=False) | Q(starts_on__isnull=False, ends_on__isnull=False,
                                                     ends_on__gte=models.F("starts_on")),
                name="filtering_temporary_has_period",
            ),
            models.CheckConstraint(condition=~Q(decided_by=models.F("requested_by")),
                                   name="filtering_not_approved_by_requester"),
        ]
        indexes = [models.Index(fields=["school", "status", "ends_on"], name="filtering_request_status")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_display}"


class LogEntry(AppendOnlyModel):
    """The filtering change log: every request and every step, who, when and why. Never changed."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.PROTECT, related_name="log")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "-at"], name="filtering_log_time")]


class RevertReminder(models.Model):
    """Sent once per (change, threshold), however often the task runs."""

    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="+")
    threshold = models.CharField(max_length=20)  # "due", "late-N" (day N late), "escalated"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change", "threshold"], name="filtering_reminder_once")]


class Result(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NOT_TESTED = "not_tested", "Not tested"


CHECK_CATEGORIES = [
    ("child_abuse", "Child sexual abuse content (IWF list)"),
    ("terrorism", "Terrorist content"),
    ("pornography", "Pornography"),
    ("self_harm", "Self-harm and suicide"),
    ("extremism", "Extremism and hate"),
    ("gambling", "Gambling"),
    ("violence", "Violence"),
    ("drugs", "Drugs and substance abuse"),
    ("malware", "Malware and hacking"),
    ("proxies", "Proxies and filter bypass"),
]


class FilterCheck(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="filter_checks")
    checked_on = models.DateField()
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=200)
    devices = models.CharField("devices tested", max_length=300)
    user_groups = models.CharField("user groups tested", max_length=300)
    results = models.JSONField(help_text="Category code -> pass / fail / not_tested.")
    issues = models.TextField("issues found", blank=True)
    actions = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]

    @property
    def failed(self) -> list[str]:
        return [label for code, label in CHECK_CATEGORIES if self.results.get(code) == Result.FAIL]


class AnnualReview(models.Model):
    """The yearly filtering and monitoring review (DfE Filtering and Monitoring Standards)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="filtering_reviews")
    reviewed_on = models.DateField()
    senior_leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    governor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filtering_provider = models.CharField(max_length=150)
    monitoring_provider = models.CharField(max_length=150)
    categories_blocked = models.TextField()
    alert_route = models.TextField("how alerts reach the DSL")
    alert_speed = models.CharField("how fast alerts arrive", max_length=150)
    out_of_hours = models.TextField("out of hours, personal devices and mobile data")
    training = models.TextField("staff training")
    findings = models.TextField()
    actions = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on"]


class ProviderImport(models.Model):
    State = ImportState

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="provider_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="provider-logs/")
    original_name = models.CharField(max_length=200)
    encoding = models.CharField(max_length=20, blank=True)
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    queued_at = models.DateTimeField(null=True, blank=True,
                                     help_text="When the columns were chosen and it was queued for a worker.")
    progress_at = models.DateTimeField(null=True, blank=True,
                                       help_text="The worker's last sign of life: when it claimed the import, or "
                                                 "saved a batch of rows.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has taken it on.")
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    bad_lines = models.JSONField(default=list, help_text="The first bad rows: line number and why.")
    failure = models.CharField(max_length=100, blank=True,
                               help_text="Why it last failed: the kind of error, never its text.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    @property
    def in_progress(self) -> bool:
        """Waiting for a worker or being imported: its page keeps asking how it is going."""
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class BlockedEvent(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField()
    user_ref = models.CharField("user", max_length=150)
    user_group = models.CharField(max_length=100, blank=True)
    url = models.CharField(max_length=2000)
    category = models.CharField(max_length=100)
    action = models.CharField(max_length=50, blank=True)
    row_hash = models.CharField(max_length=64)
    source = models.ForeignKey(ProviderImport, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "row_hash"], name="filtering_event_once")]
        indexes = [
            models.Index(fields=["school", "occurred_at"], name="filtering_event_time"),
            models.Index(fields=["school", "category", "occurred_at"], name="filtering_event_category"),
        ]
