import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from .roles import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone such as Europe/London.")


class School(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A URN is the six-digit unique reference number.")],
        help_text="The six-digit unique reference number from Get Information about Schools.",
    )
    timezone = models.CharField(max_length=64, default="Europe/London", validators=[validate_timezone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a school. One person may hold several roles, in several schools."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    job_title = models.CharField(max_length=100, blank=True)
    is_chair = models.BooleanField("chair of governors", default=False)
    is_safeguarding_governor = models.BooleanField(
        "safeguarding / online safety link governor", default=False
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="schools_membership_unique_role"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_chair=True, is_active=True), name="schools_one_chair_per_school"
            ),
            models.CheckConstraint(
                condition=Q(role=Role.GOVERNOR) | Q(is_chair=False, is_safeguarding_governor=False),
                name="schools_governor_flags_only_for_governors",
            ),
        ]
        indexes = [models.Index(fields=["school", "role"], name="schools_membership_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.school}"


class YearGroup(models.IntegerChoices):
    NURSERY = -1, "Nursery"
    RECEPTION = 0, "Reception"
    Y1 = 1, "Year 1"
    Y2 = 2, "Year 2"
    Y3 = 3, "Year 3"
    Y4 = 4, "Year 4"
    Y5 = 5, "Year 5"
    Y6 = 6, "Year 6"
    Y7 = 7, "Year 7"
    Y8 = 8, "Year 8"
    Y9 = 9, "Year 9"
    Y10 = 10, "Year 10"
    Y11 = 11, "Year 11"
    Y12 = 12, "Year 12"
    Y13 = 13, "Year 13"


# The last year group of each key stage; later years are KS5.
KEY_STAGE_TOPS = ((YearGroup.RECEPTION, "EYFS"), (2, "KS1"), (6, "KS2"), (9, "KS3"), (11, "KS4"))
KEY_STAGES = [name for _, name in KEY_STAGE_TOPS] + ["KS5"]


def key_stage(year_group: int) -> str:
    """The key stage a year group belongs to (EYFS, KS1 ... KS5)."""
    return next((name for top, name in KEY_STAGE_TOPS if year_group <= top), KEY_STAGES[-1])


def key_stage_expression(year_group_field: str = "year_group") -> models.Case:
    """The same as ``key_stage``, worked out in SQL, for grouping by key stage in the database."""
    return models.Case(*[models.When(**{f"{year_group_field}__lte": top}, then=models.Value(name))
                         for top, name in KEY_STAGE_TOPS],
                       default=models.Value(KEY_STAGES[-1]), output_field=models.CharField())


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=60)
    year_group = models.SmallIntegerField(choices=YearGroup.choices)

    class Meta:
        ordering = ["year_group", "name"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="schools_class_unique_name")]

    def __str__(self) -> str:
        return self.name


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    year_group = models.SmallIntegerField(choices=YearGroup.choices)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils", verbose_name="class"
    )
    has_send = models.BooleanField("SEND", default=False, help_text="Has special educational needs or disabilities.")
    is_on_roll = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"], name="schools_pupil_name"),
            models.Index(fields=["school", "year_group"], name="schools_pupil_year"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def key_stage(self) -> str:
        return key_stage(self.year_group)

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > date.today():
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
        if self.school_class_id and self.school_id:
            assert self.school_class is not None, "a class id is set, so the class is loaded (or the lookup raised)"
            if self.school_class.school_id != self.school_id:
                raise ValidationError({"school_class": "That class belongs to another school."})


class ParentLink(models.Model):
    """A carer's link to a pupil."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER_CARER = "foster_carer", "Foster carer"
        GUARDIAN = "guardian", "Legal guardian"
        OTHER = "other", "Other carer"

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=True)

    class Meta:
        ordering = ["pupil", "parent__full_name"]
        constraints = [models.UniqueConstraint(fields=["parent", "pupil"], name="schools_parentlink_unique")]

    def __str__(self) -> str:
        return f"{self.parent} ({self.get_relationship_display()}) — {self.pupil}"


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "starts_on"], name="schools_term_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="schools_term_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "A term must end after it starts."})
        if self.school_id and self.starts_on and self.ends_on:
            overlapping = Term.objects.filter(
                school_id=self.school_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError("This term overlaps another term of the school.")
