import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .roles import Role


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone such as Europe/London.")


class Organisation(models.Model):
    """A multi-academy trust or a local authority: it owns schools and administers them."""

    class Kind(models.TextChoices):
        TRUST = "trust", "Multi-academy trust"
        LOCAL_AUTHORITY = "local_authority", "Local authority"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationRole(models.TextChoices):
    """Roles held in an organisation rather than in one of its schools."""

    ADMINISTRATOR = "administrator", "Trust or local authority administrator"


class OrganisationMembership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="organisation_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=OrganisationRole.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"],
                                               name="schools_org_membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SPECIAL = "special", "Special school"
    ALTERNATIVE = "alternative", "Alternative provision or pupil referral unit"


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
    local_authority = models.CharField(max_length=100, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PRIMARY)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="schools", help_text="The trust or local authority it belongs to.")
    second_factor_for_all_staff = models.BooleanField(
        "ask every member of staff and governor for a second factor", default=False,
        help_text="The headteacher, the safeguarding team and the chair of governors always need one.")
    step_up_case_age_days = models.PositiveIntegerField(
        "ask for the second factor again to open a case older than (days)", default=365,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text="Allegations about staff and the incident log always ask for it when the last one is older "
                  "than 15 minutes.")

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
    mis_id = models.CharField("MIS id", max_length=50, blank=True,
                              help_text="The person's id in the school's MIS, when the roster import made them.")
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
    # The MIS's own keys: the roster import matches pupils by these, never by name.
    mis_id = models.CharField("MIS id", max_length=50, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True, help_text="The unique pupil number.")
    preferred_first_name = models.CharField(max_length=80, blank=True)
    preferred_last_name = models.CharField(max_length=80, blank=True)
    admission_date = models.DateField(null=True, blank=True)
    left_on = models.DateField("left on", null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["school", "last_name", "first_name"], name="schools_pupil_name"),
            models.Index(fields=["school", "year_group"], name="schools_pupil_year"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "mis_id"], condition=~Q(mis_id=""),
                                    name="schools_pupil_unique_mis_id"),
            models.UniqueConstraint(fields=["school", "upn"], condition=~Q(upn=""), name="schools_pupil_unique_upn"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(is_on_roll=False),
                                   name="schools_pupil_left_is_off_roll"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """The name the school uses: the preferred name where the MIS has one, else the legal name."""
        return f"{self.preferred_first_name or self.first_name} {self.preferred_last_name or self.last_name}"

    @property
    def legal_name(self) -> str:
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


class Contact(models.Model):
    """A parent or carer as the school's MIS records them, with or without an email address.

    A contact with an email has an account (``user``), which is how they sign agreements and receive links; a
    contact without one is still on record (the coverage page lists "no email on record")."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="contacts")
    mis_id = models.CharField("MIS id", max_length=50, blank=True)
    full_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="contacts")

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "mis_id"], condition=~Q(mis_id=""),
                                    name="schools_contact_unique_mis_id"),
            models.UniqueConstraint(fields=["school", "user"], condition=Q(user__isnull=False),
                                    name="schools_contact_one_per_account"),
        ]

    def __str__(self) -> str:
        return self.full_name


class ParentLink(models.Model):
    """A contact's link to a pupil. ``parent`` is the contact's account, kept equal to ``contact.user`` by the
    services that write links, so that the family queries need no extra join; it is empty for a contact
    with no email."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER_CARER = "foster_carer", "Foster carer"
        GUARDIAN = "guardian", "Legal guardian"
        OTHER = "other", "Other carer"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="parent_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="parent_links")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 is the first contact.")

    class Meta:
        ordering = ["pupil", "priority", "contact__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "pupil"], name="schools_parentlink_unique"),
            models.UniqueConstraint(fields=["contact", "pupil"], name="schools_parentlink_unique_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_relationship_display()}) — {self.pupil}"


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # The half-term holiday inside the term, if the school gives it: its first and last days off.
    half_term_starts_on = models.DateField("half-term holiday starts", null=True, blank=True)
    half_term_ends_on = models.DateField("half-term holiday ends", null=True, blank=True)

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "starts_on"], name="schools_term_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="schools_term_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(half_term_starts_on__isnull=True, half_term_ends_on__isnull=True)
                | Q(half_term_starts_on__gt=models.F("starts_on"),
                    half_term_ends_on__gte=models.F("half_term_starts_on"),
                    half_term_ends_on__lt=models.F("ends_on")),
                name="schools_term_half_term_inside",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "A term must end after it starts."})
        self._check_half_term()
        if self.school_id and self.starts_on and self.ends_on:
            overlapping = Term.objects.filter(
                school_id=self.school_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError("This term overlaps another term of the school.")

    def _check_half_term(self) -> None:
        first, last = self.half_term_starts_on, self.half_term_ends_on
        if (first is None) != (last is None):
            field = "half_term_ends_on" if last is None else "half_term_starts_on"
            raise ValidationError({field: "Enter both the first and the last day of the half-term holiday."})
        if first is None or last is None or not (self.starts_on and self.ends_on):
            return
        if last < first:
            raise ValidationError({"half_term_ends_on": "The half-term holiday must end on or after it starts."})
        if not (self.starts_on < first and last < self.ends_on):
            raise ValidationError({"half_term_starts_on": "The half-term holiday must fall inside the term."})
