"""A school's roster imports from its MIS: each import as a record with its summary, the school's saved columns,
and how the school reaches its MIS's API. The uploaded file itself is never stored: only the rows needed to apply
it, normalised, until it is applied, discarded or expires."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from onlinesafety.schools.models import School
from onlinesafety.schools.roles import Role


class Kind(models.TextChoices):
    PUPILS = "pupils", "Pupils"
    CONTACTS = "contacts", "Parents and carers"
    STAFF = "staff", "Staff"


class Source(models.TextChoices):
    UPLOAD = "upload", "Uploaded in the browser"
    FOLDER = "folder", "Unattended, from the MIS's export"
    API = "api", "From the MIS's API"


class Status(models.TextChoices):
    FETCHING = "fetching", "Reading the MIS's API"
    PREVIEWED = "previewed", "Ready to check"
    QUEUED = "queued", "Waiting for a worker"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed: nothing was changed"
    DISCARDED = "discarded", "Discarded"
    EXPIRED = "expired", "Expired"


# The roles an import may give the new people of a staff export: the person importing chooses one (never a default,
# never inferred). Leadership roles (head, DSL, deputy, Online Safety Lead) and governors are given one by one.
IMPORTABLE_STAFF_ROLES = (Role.STAFF, Role.TECHNICIAN, Role.VISITOR)
STAFF_ROLE_CHOICES = [(role.value, role.label) for role in IMPORTABLE_STAFF_ROLES]


class RosterImport(models.Model):
    """One import of pupils, contacts or staff: previewed -> queued -> applying -> applied (or failed); or
    discarded; a preview not confirmed within a day expires. One from the MIS's API starts as fetching (a worker
    reads the provider and makes the dry run, or fails with the provider's reason). The staged rows are cleared
    once it is applied, discarded or expired; the summaries (counts only) and the bad lines (line number and a
    plain reason) stay."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="roster_imports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="Empty for an unattended import.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    original_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True, help_text="Of the file read; the file is not kept.")
    encoding = models.CharField(max_length=20, blank=True)
    is_full_export = models.BooleanField(
        default=False, help_text="The person said the file holds everyone: only then are those missing marked as left.")
    staff_role = models.CharField(max_length=32, choices=STAFF_ROLE_CHOICES, blank=True,
                                  help_text="For staff: the role given to new people, chosen by the person.")
    columns = models.CharField(max_length=20, blank=True, help_text="The preset, the saved columns, or by hand.")
    mapping = models.JSONField(default=dict, help_text="Field -> the file's column name.")
    save_mapping = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="The dry run's counts.")
    details = models.JSONField(default=dict, help_text="The dry run's examples, cleared with the staged rows.")
    bad_lines = models.JSONField(default=list, help_text="The first 200 bad lines: [line, reason].")
    staged = models.JSONField(null=True, blank=True, help_text="The normalised rows to apply, until it is done.")
    applied = models.JSONField(default=dict, help_text="What was applied: counts only.")
    held_reason = models.TextField(blank=True, help_text="Why an unattended import waits for a person.")
    failure = models.TextField(blank=True, help_text="Why it failed, in plain words; never names.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"], name="roster_import_recent"),
                   models.Index(fields=["status", "queued_at"], name="roster_import_waiting")]
        constraints = [
            models.CheckConstraint(condition=Q(kind="staff", staff_role__in=[r.value for r in IMPORTABLE_STAFF_ROLES])
                                   | (~Q(kind="staff") & Q(staff_role="")), name="roster_import_staff_role"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="roster_import_status"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="roster_import_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk}"

    @property
    def in_progress(self) -> bool:
        """Reading the provider, waiting for a worker or being applied: its page keeps asking how it is going."""
        return self.status in (Status.FETCHING, Status.QUEUED, Status.APPLYING)

    @property
    def fetch_failed(self) -> bool:
        """It failed before its dry run was made (the MIS's API could not be read): nothing to apply or retry."""
        return self.status == Status.FAILED and not self.summary

    @property
    def percent(self) -> int:
        return min(100, self.progress * 100 // self.total) if self.total else 0


class SavedMapping(models.Model):
    """The columns a school's export uses, saved when a person confirms an import with "remember these columns"."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="roster_mappings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    mapping = models.JSONField(default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "kind"], name="roster_mapping_one_per_kind")]


class RosterSettings(models.Model):
    """How the roster reaches the school's MIS beyond a file: its DfE number (checked against a file's DfE number
    column) and its id at the MIS data provider (Wonde), with the role for new staff read from the API."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="roster_settings")
    dfe_number = models.CharField(
        "DfE number", max_length=7, blank=True,
        validators=[RegexValidator(r"^\d{7}$", "A DfE number is seven digits: the LA code and the establishment "
                                               "number, without the slash.")],
        help_text="The LA code and establishment number (LAESTAB), for example 8732345.")
    provider_school_id = models.CharField(
        "Wonde school id", max_length=40, blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", "A Wonde school id is letters and digits, like A1930499544.")],
        help_text="The school's id at Wonde, once the school has approved this product's access. Only the site "
                  "administrator sets it; Wonde's record of the school must carry this school's URN.")
    api_staff_role = models.CharField(
        "role for new staff from the API", max_length=32, choices=STAFF_ROLE_CHOICES, blank=True,
        help_text="Staff read from the API are imported only when a role is chosen here.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "roster settings"
        constraints = [models.UniqueConstraint(fields=["provider_school_id"], condition=~Q(provider_school_id=""),
                                               name="roster_settings_one_school_per_provider_id",
                                               violation_error_message="This Wonde school id is already another "
                                                                       "school's on this service: each school has "
                                                                       "its own.")]
