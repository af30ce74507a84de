import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from onlinesafety.schools.models import Pupil, School


class CategoryCode(models.TextChoices):
    CYBERBULLYING = "cyberbullying", "Cyberbullying"
    ONLINE_HATE = "online_hate", "Online hate"
    YOUTH_IMAGERY = "youth_imagery", "Youth-produced sexual imagery (nudes and semi-nudes)"
    SEXUAL_ABUSE = "sexual_abuse", "Online sexual abuse, grooming or exploitation"
    INDECENT_IMAGES = "indecent_images", "Indecent images of children"
    RADICALISATION = "radicalisation", "Radicalisation and extremism"
    DELIBERATE_ACCESS = "deliberate_access", "Deliberate access to inappropriate content"
    ACCIDENTAL_NOT_REPORTED = "accidental_not_reported", "Accidental access, not reported"
    FILTER_BYPASS = "filter_bypass", "Getting round the filter"
    ACCOUNT_MISUSE = "account_misuse", "Account misuse or password sharing"
    DATA_BREACH = "data_breach", "Personal data breach"
    COPYRIGHT = "copyright", "Copyright and plagiarism"
    DEVICE_MISUSE = "device_misuse", "Unauthorised device or camera use"
    HARMFUL_AI = "harmful_ai", "Harmful use of AI"
    STAFF_CONDUCT = "staff_conduct", "Staff online conduct"
    OTHER = "other", "Other"


# Images in these categories are never viewed, copied, shared or saved by staff: no uploads.
NO_UPLOAD_CATEGORIES = frozenset({CategoryCode.YOUTH_IMAGERY, CategoryCode.SEXUAL_ABUSE, CategoryCode.INDECENT_IMAGES})


class IncidentCategory(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="incident_categories")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    accepts_uploads = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "incident categories"
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="incidents_category_unique_code")]

    def __str__(self) -> str:
        return self.name


class Location(models.TextChoices):
    IN_SCHOOL = "in_school", "In school"
    OUT_OF_SCHOOL = "out_of_school", "Out of school"
    ONLINE_ONLY = "online_only", "Online only"
    NOT_KNOWN = "not_known", "Not given"  # the quick report leaves it to "add more detail"


class Device(models.TextChoices):
    SCHOOL = "school", "A school device"
    PERSONAL = "personal", "A personal device"
    UNKNOWN = "unknown", "Not known"


class Network(models.TextChoices):
    SCHOOL = "school", "School network or wifi"
    MOBILE_DATA = "mobile_data", "Mobile data"
    HOME_OR_OTHER = "home_other", "Home or another network"
    UNKNOWN = "unknown", "Not known"


class Illegal(models.TextChoices):
    YES = "yes", "Yes"
    NOT_SURE = "not_sure", "Not sure"
    NO = "no", "No"
    # A pupil's or a parent's report: they are not asked (the safeguarding team decides at triage).
    NOT_ASKED = "not_asked", "Not asked"


# What the staff report form offers (a reporter is never offered "not asked").
ILLEGAL_ANSWERS = [(value, label) for value, label in Illegal.choices if value != Illegal.NOT_ASKED]


class ReporterKind(models.TextChoices):
    """Who sent the report: a member of staff (signed in: ``reported_by``), or a pupil or a parent through the
    signed-out forms (no account: ``reported_by`` is empty, what they told us is in ``OutsideReport``)."""

    STAFF = "staff", "Staff"
    PUPIL = "pupil", "Pupil"
    PARENT = "parent", "Parent or carer"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on an outside agency"
    CLOSED = "closed", "Closed"


class Level(models.TextChoices):
    ILLEGAL_IMMEDIATE_RISK = "illegal_risk", "Illegal, child at immediate risk"
    ILLEGAL_NO_RISK = "illegal", "Illegal, no immediate risk"
    INAPPROPRIATE = "inappropriate", "Inappropriate, not illegal"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    RESOLVED_INTERNALLY = "resolved", "Resolved internally"
    REFERRED_AND_CLOSED = "referred", "Referred and closed"


class Visibility(models.TextChoices):
    DSL_TEAM = "dsl_team", "Safeguarding team"
    HEADTEACHER = "headteacher", "Headteacher only (allegation about staff)"
    CHAIR = "chair", "Chair of governors only (allegation about the headteacher)"


def reference_prefix(school: School) -> str:
    """The part of the school's case references before the number ("OAKF" in "OAKF-0007")."""
    return "".join(ch for ch in school.slug.upper() if ch.isalnum())[:4]


class Incident(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    number = models.PositiveIntegerField(help_text="The school's own running number for the case.")
    # Empty for a pupil's or a parent's report (``reporter_kind``; a database check keeps the two together), so a
    # rule that compares it with a person must first ask that it is set.
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reporter_kind = models.CharField(max_length=10, choices=ReporterKind.choices, default=ReporterKind.STAFF)
    reported_at = models.DateTimeField(auto_now_add=True)
    occurred_at = models.DateTimeField("when it happened")
    location = models.CharField(max_length=20, choices=Location.choices)
    category = models.ForeignKey(IncidentCategory, on_delete=models.PROTECT, related_name="incidents")

    pupils: "models.ManyToManyField[Pupil, IncidentPupil]" = models.ManyToManyField(
        Pupil, blank=True, related_name="incidents", through="IncidentPupil")
    staff_involved = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    other_people = models.CharField("other or unknown adults", max_length=300, blank=True)

    device = models.CharField(max_length=20, choices=Device.choices, default=Device.UNKNOWN)
    network = models.CharField(max_length=20, choices=Network.choices, default=Network.UNKNOWN)
    platform = models.CharField("app or platform", max_length=120, blank=True)
    url = models.CharField("web address", max_length=2000, blank=True)

    description = models.TextField("what happened")
    immediate_action = models.TextField("action already taken", blank=True)
    already_told = models.CharField("anyone already told", max_length=300, blank=True)

    immediate_risk = models.BooleanField("a child is at immediate risk", default=False)
    possibly_illegal = models.CharField(max_length=10, choices=Illegal.choices, default=Illegal.NOT_SURE)
    is_urgent = models.BooleanField(default=False)

    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.DSL_TEAM)
    subject_of_allegation = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    level = models.CharField(max_length=20, choices=Level.choices, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at"]
        # Sharing a case with a colleague grants them the object permission incidents.view_incident.
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="incidents_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="incidents_closed_needs_outcome"
            ),
            models.CheckConstraint(
                condition=Q(reporter_kind="staff", reported_by__isnull=False)
                | Q(reporter_kind__in=["pupil", "parent"], reported_by__isnull=True),
                name="incidents_reporter_kind_matches"),
        ]
        indexes = [
            models.Index(fields=["school", "status", "-is_urgent", "reported_at"], name="incidents_queue"),
            models.Index(fields=["school", "occurred_at"], name="incidents_occurred"),
            models.Index(fields=["school", "reported_by"], name="incidents_reporter"),
        ]

    def __str__(self) -> str:
        return f"Case {self.number}"

    @property
    def reference(self) -> str:
        return f"{reference_prefix(self.school)}-{self.number:04d}"


class PupilRole(models.TextChoices):
    """A linked pupil's part in one incident. It belongs to that pupil in that case alone: it is never shown on another
    pupil's chronology, nor to anyone who may not read the case."""

    AFFECTED = "affected", "Affected (harmed)"
    CAUSED_HARM = "caused_harm", "Alleged to have caused harm"
    WITNESS = "witness", "Witness"
    INVOLVED = "involved", "Involved"


class IncidentPupil(models.Model):
    """A pupil linked to an incident, with their role in it. The reporter chooses each role; the safeguarding team
    can change it on the case (``services.set_pupil_role``). Links made before roles existed are "involved"."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="pupil_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="incident_links")
    role = models.CharField(max_length=20, choices=PupilRole.choices, default=PupilRole.INVOLVED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "pupil"], name="incidents_pupil_once"),
            models.CheckConstraint(condition=Q(role__in=["affected", "caused_harm", "witness", "involved"]),
                                   name="incidents_pupil_role_known"),
        ]
        indexes = [models.Index(fields=["pupil", "role"], name="incidents_pupil_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in case {self.incident_id}"


class IncidentUserObjectPermission(UserObjectPermissionBase):
    """Cases shared with one person. A direct foreign key, so visibility checks join on an indexed integer."""

    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


class IncidentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Incident, on_delete=models.CASCADE)


def evidence_path(instance, filename: str) -> str:
    # The stored name is random: the uploader's file name is kept only as data, never as a path.
    return f"evidence/{instance.incident.school_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name_plural = "evidence"


class TimelineEntry(models.Model):
    """One line of a case's history. Notes carry text; other kinds point at their own record."""

    class Kind(models.TextChoices):
        REPORTED = "reported", "Reported"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ASSIGNED = "assigned", "Assigned"
        LEVEL = "level", "Level set"
        NOTE = "note", "Note"
        STATUS = "status", "Status changed"
        ACTION = "action", "Action"
        ACTION_DONE = "action_done", "Action done"
        REFERRAL = "referral", "Referral"
        PARENTS = "parents", "Parents or carers informed"
        SANCTION = "sanction", "Sanction"
        FEEDBACK = "feedback", "Feedback to the reporter"
        LESSON = "lesson", "Lesson learnt"
        EVIDENCE = "evidence", "Evidence added"
        # The reporter's file could not be stored when the concern was sent (its text is the file's own name).
        EVIDENCE_NOT_STORED = "evidence_not_stored", "File not stored: ask the reporter for it"
        BRANCH = "branch", "Flowchart step recorded"
        SHARED = "shared", "Shared"
        UNSHARED = "unshared", "Sharing revoked"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        BEHAVIOURS = "behaviours", "Behaviours recorded"
        CHECKLIST = "checklist", "Checklist"
        PUPIL_ROLE = "pupil_role", "Pupil's role changed"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Empty only for the "reported" entry of a pupil's or a parent's report (they have no account).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["incident", "kind"], name="incidents_timeline_kind")]


class CaseAction(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    response_code = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Still open when the case was closed: done_at and done_by then say when and by whom the case closed it.
    closed_with_case = models.BooleanField(default=False)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        indexes = [models.Index(fields=["incident", "due_on"], condition=Q(done_at__isnull=True),
                                name="incidents_action_open")]


class Agency(models.TextChoices):
    POLICE_101 = "police_101", "Police (101)"
    POLICE_999 = "police_999", "Police (999)"
    CEOP = "ceop", "CEOP"
    LADO = "lado", "LADO"
    SOCIAL_CARE = "social_care", "Children's social care / MASH"
    IWF = "iwf", "Internet Watch Foundation"
    PREVENT = "prevent", "Prevent"
    LOCAL_AUTHORITY = "local_authority", "Local authority safeguarding team"
    HELPLINE = "helpline", "Professionals Online Safety Helpline"
    TECHNICAL = "technical", "Technical support"


class Referral(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    referred_on = models.DateField()
    reference = models.CharField("their reference", max_length=100, blank=True)
    contact = models.CharField("contact name or team", max_length=150, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referred_on", "id"]


class ParentContact(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        MEETING = "meeting", "In person"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parent_contacts")
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    who = models.CharField("who was informed", max_length=150)
    contacted_at = models.DateTimeField("when")
    method = models.CharField(max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", "Warning"
        ACCESS_REMOVED = "access_removed", "Network / internet access removed"
        FURTHER = "further", "Further sanction"
        STAFF_WARNING = "staff_warning", "Staff warning"
        SUSPENSION = "suspension", "Suspension"
        DISCIPLINARY = "disciplinary", "Disciplinary action"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sanctions")
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    until = models.DateField(null=True, blank=True, help_text="For access removed: the date it comes back.")
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="access_removed") | Q(until__isnull=False), name="incidents_access_removed_until"
            )
        ]
        indexes = [models.Index(fields=["pupil", "kind", "until"], name="incidents_sanction_access")]


class Subject(models.TextChoices):
    PUPIL = "pupil", "Pupils"
    STAFF = "staff", "Staff"


class Response(models.TextChoices):
    # For pupils
    REFER_CLASS_TEACHER = "refer_class_teacher", "Refer to class teacher"
    REFER_HEAD_OF_YEAR = "refer_head_of_year", "Refer to head of year"
    REFER_OSL = "refer_osl", "Refer to the Online Safety Lead"
    REFER_DSL = "refer_dsl", "Refer to a designated safeguarding lead"
    REFER_HEADTEACHER = "refer_headteacher", "Refer to the headteacher"
    REFER_POLICE = "refer_police", "Refer to the police"
    REFER_SOCIAL_CARE = "refer_social_care", "Refer to children's social care"
    REFER_TECHNICAL = "refer_technical", "Refer to technical support (filtering, security)"
    INFORM_PARENTS = "inform_parents", "Inform parents or carers"
    REMOVE_ACCESS = "remove_access", "Remove network / internet access"
    WARNING = "warning", "Warning"
    FURTHER_SANCTION = "further_sanction", "Further sanction"
    # For staff
    REFER_LINE_MANAGER = "refer_line_manager", "Refer to line manager"
    REFER_LA_HR = "refer_la_hr", "Refer to local authority / HR"
    REFER_LADO = "refer_lado", "Refer to the LADO"
    STAFF_WARNING = "staff_warning", "Staff warning"
    SUSPENSION = "suspension", "Possible suspension"
    DISCIPLINARY = "disciplinary", "Disciplinary action"


PUPIL_RESPONSES = [
    Response.REFER_CLASS_TEACHER, Response.REFER_HEAD_OF_YEAR, Response.REFER_OSL, Response.REFER_DSL,
    Response.REFER_HEADTEACHER, Response.REFER_POLICE,
    Response.REFER_SOCIAL_CARE, Response.REFER_TECHNICAL, Response.INFORM_PARENTS, Response.REMOVE_ACCESS,
    Response.WARNING, Response.FURTHER_SANCTION,
]
STAFF_RESPONSES = [
    Response.REFER_LINE_MANAGER, Response.REFER_HEADTEACHER, Response.REFER_LA_HR, Response.REFER_LADO,
    Response.REFER_POLICE, Response.REFER_TECHNICAL, Response.STAFF_WARNING, Response.SUSPENSION,
    Response.DISCIPLINARY,
]


class Behaviour(models.TextChoices):
    """What a person did, one per row of the seeds' learner and staff response tables (``defaults.SEED_TABLES``
    says which seed row each stands for). Distinct from the incident categories: a case has one category and may
    concern several behaviours."""

    # Pupils
    P_ILLEGAL = "p_illegal", "Deliberately looking for content that could be illegal"
    P_NON_EDUCATIONAL = "p_non_educational", "Using sites that have nothing to do with the lesson, without permission"
    P_DEVICES = "p_devices", "Using a phone, camera or other device without permission (including taking pictures)"
    P_SOCIAL_MEDIA = "p_social_media", "Personal use of social media, messaging or personal email on school devices"
    P_ONLINE_SERVICES = "p_online_services", "Using online services the school has not allowed"
    P_FILES = "p_files", "Downloading, uploading or sharing files without permission"
    P_SHARING_PASSWORD = "p_sharing_password", "Letting others into the school network by sharing a password"
    P_PUPIL_ACCOUNT = "p_pupil_account", "Getting into, or trying to get into, the network as another pupil"
    P_STAFF_ACCOUNT = "p_staff_account", "Getting into, or trying to get into, the network as a member of staff"
    P_CORRUPT_DATA = "p_corrupt_data", "Damaging or deleting other people's files or data"
    P_OFFENSIVE_MESSAGE = "p_offensive_message", "Sending an offensive, harassing or bullying message"
    P_PROXY = "p_proxy", "Getting round the school's filtering (a proxy, VPN or other trick)"
    P_ACCIDENT_NOT_REPORTED = "p_accident_not_reported", "Coming across offensive content by accident and not telling"
    P_OFFENSIVE_CONTENT = "p_offensive_content", "Deliberately looking for offensive or pornographic content"
    P_COPYRIGHT_DATA = "p_copyright_data", "Receiving or passing on material that breaks copyright or data protection"
    P_DISREPUTE = "p_disrepute", "Conduct that could damage the school's reputation or goes against its values"
    P_CONTINUED = "p_continued", "Continued infringements after a warning or sanction"
    # Staff
    S_ILLEGAL = "s_illegal", "Deliberately looking for content that could be illegal (staff)"
    S_PERSONAL_USE = "s_personal_use", "Inappropriate personal use of the internet, social media or personal email"
    S_FILES = "s_files", "Downloading, uploading or sharing files without permission (staff)"
    S_ACCOUNTS = "s_accounts", "Sharing a password, or using someone else's account on the school network"
    S_CARELESS_DATA = "s_careless_data", "Careless handling of personal data (shown, kept or sent insecurely)"
    S_BREACH_SECURITY = "s_breach_security", "Knowingly breaching the data protection or network security rules"
    S_CORRUPT_DATA = "s_corrupt_data", "Damaging other people's data, or the school's hardware or software"
    S_OFFENSIVE_MESSAGE = "s_offensive_message", "Sending an offensive, harassing or bullying message (staff)"
    S_PERSONAL_CHANNELS = ("s_personal_channels",
                           "Using personal email or messaging for school business with pupils or parents")
    S_PROFESSIONAL_STANDING = "s_professional_standing", "Conduct that could undermine their professional standing"
    S_DISREPUTE = "s_disrepute", "Conduct that could damage the school's reputation (staff)"
    S_PROXY = "s_proxy", "Getting round the school's filtering (a proxy, VPN or other trick) (staff)"
    S_ACCIDENT_NOT_REPORTED = ("s_accident_not_reported",
                               "Coming across offensive content by accident and not reporting it")
    S_FAILING_TO_REPORT = "s_failing_to_report", "Failing to report incidents, deliberate or accidental"
    S_OFFENSIVE_CONTENT = "s_offensive_content", "Deliberately looking for offensive or pornographic content (staff)"
    S_COPYRIGHT = "s_copyright", "Breaking copyright or licensing rules"
    S_CONTINUED = "s_continued", "Continued infringements after a warning or sanction (staff)"


def behaviour_subject(code: str) -> Subject:
    """Whose table a behaviour is in: the pupils' (``p_``) or the staff's (``s_``)."""
    return Subject.STAFF if code.startswith("s_") else Subject.PUPIL


PUPIL_BEHAVIOURS = [b for b in Behaviour if behaviour_subject(b) == Subject.PUPIL]
STAFF_BEHAVIOURS = [b for b in Behaviour if behaviour_subject(b) == Subject.STAFF]
CONTINUED = {Subject.PUPIL: Behaviour.P_CONTINUED, Subject.STAFF: Behaviour.S_CONTINUED}


class Expectation(models.TextChoices):
    """A cell of the response tables: the seeds' tick, or their "possibly" (poss, depends, ?)."""

    REQUIRED = "required", "Required"
    POSSIBLY = "possibly", "Suggested"


class ResponseMatrix(models.Model):
    """One version of a school's response tables (behaviour x response). Saving the tables adds a version; old ones
    are kept, and each behaviour recorded on a case points at the version in force when it was recorded."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="response_matrices")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(  # no one for the defaults a school starts with
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    continued_threshold = models.PositiveSmallIntegerField(
        "behaviours before continued infringements", default=3,
        help_text="A pupil's behaviours recorded in the period, this one included, that escalate by the "
                  "continued infringements row.")
    continued_period_days = models.PositiveSmallIntegerField("over how many days", default=365)

    class Meta:
        ordering = ["school", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="incidents_matrix_unique_number"),
            models.CheckConstraint(condition=Q(continued_threshold__gte=2), name="incidents_matrix_threshold"),
            models.CheckConstraint(condition=Q(continued_period_days__gte=1), name="incidents_matrix_period"),
        ]

    def __str__(self) -> str:
        return f"Response tables, version {self.number}"


class MatrixCell(models.Model):
    """A cell that is not blank: for this behaviour, this response is required or possibly needed."""

    matrix = models.ForeignKey(ResponseMatrix, on_delete=models.CASCADE, related_name="cells")
    behaviour = models.CharField(max_length=40, choices=Behaviour.choices)
    response = models.CharField(max_length=40, choices=Response.choices)
    expectation = models.CharField(max_length=10, choices=Expectation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matrix", "behaviour", "response"], name="incidents_cell_unique"),
            models.CheckConstraint(condition=Q(expectation__in=["required", "possibly"]),
                                   name="incidents_cell_expectation"),
        ]


class CaseBehaviour(models.Model):
    """A behaviour the DSL has recorded that a case concerns, with the tables in force when it was recorded."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="behaviours")
    behaviour = models.CharField(max_length=40, choices=Behaviour.choices)
    matrix = models.ForeignKey(ResponseMatrix, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["incident", "behaviour"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "behaviour"], name="incidents_case_behaviour_unique")
        ]


class CaseCounter(models.Model):
    """The last case number given in a school. Reports take the next one by updating this row, which holds its lock
    until the report commits: two reports at the same moment get different numbers, never an error."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_number = models.PositiveIntegerField(default=0)


class MeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy meeting"
    REVIEW = "review", "Incident review"


class MeetingRole(models.TextChoices):
    """Who was at a strategy meeting or incident review, by role (people outside school have no account)."""

    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    HEADTEACHER = "headteacher", "Headteacher"
    ONLINE_SAFETY_LEAD = "online_safety_lead", "Online Safety Lead"
    TEACHER = "teacher", "Class teacher or tutor"
    HEAD_OF_YEAR = "head_of_year", "Head of year"
    TECHNICIAN = "technician", "IT technician"
    CHAIR = "chair", "Chair of governors"
    POLICE = "police", "Police"
    SOCIAL_CARE = "social_care", "Children's social care"
    LADO = "lado", "LADO"
    LA_HR = "la_hr", "Local authority or HR"


class IllegalBranch(models.Model):
    """What the safeguarding team recorded of the flowchart's illegal branch on one case: evidence kept, the device,
    the strategy meeting or incident review. The branch itself is the case's ``level`` (the same three choices), so
    the two can never disagree; each agency the branch asks about is answered by a ``Referral`` (contacted) or an
    ``AgencyNotContacted`` (with the reason)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, primary_key=True,
                                    related_name="illegal_branch")
    evidence_how = models.CharField("how the evidence was preserved", max_length=300, blank=True)
    evidence_where = models.CharField("where it is kept", max_length=300, blank=True)
    evidence_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    device_secured = models.BooleanField(null=True, blank=True)  # None: not answered yet
    device_secured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    device_held_at = models.CharField("where the device is held", max_length=300, blank=True)
    device_not_secured_because = models.CharField(max_length=300, blank=True)
    meeting_kind = models.CharField(max_length=10, choices=MeetingKind.choices, blank=True)
    meeting_on = models.DateField(null=True, blank=True)
    meeting_roles = models.JSONField(default=list, blank=True)  # MeetingRole values
    meeting_decision = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(device_secured__isnull=True) | Q(device_secured=False, device_not_secured_because__gt="")
                | Q(device_secured=True, device_secured_by__isnull=False, device_held_at__gt=""),
                name="incidents_branch_device_answered"),
            models.CheckConstraint(
                condition=Q(meeting_kind="") | Q(meeting_on__isnull=False, meeting_decision__gt=""),
                name="incidents_branch_meeting_complete"),
        ]

    def __str__(self) -> str:
        return f"Flowchart steps of case {self.incident_id}"


class AgencyNotContacted(models.Model):
    """An agency the branch asks about that the team decided not to contact, and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="agencies_not_contacted")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    reason = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "agency"], name="incidents_agency_answered_once")]


class ChecklistKind(models.TextChoices):
    """The procedure checklists for specific harms (``checklists.CHECKLISTS`` holds their items)."""

    SHARING_NUDES = "sharing_nudes", "Sharing nudes and semi-nudes"
    SEXUAL_ABUSE = "sexual_abuse", "Online sexual abuse and grooming"
    INDECENT_IMAGES = "indecent_images", "Indecent images of children"
    RADICALISATION = "radicalisation", "Radicalisation and extremism (Prevent)"
    CYBERBULLYING = "cyberbullying", "Cyberbullying"
    ONLINE_HATE = "online_hate", "Online hate"
    GENERATIVE_AI = "generative_ai", "Misuse of generative AI"
    DATA_BREACH = "data_breach", "Personal data breach"


class ChecklistAnswerValue(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NA = "na", "Not applicable"


class CaseChecklist(models.Model):
    """A procedure checklist that applies to a case: the one its category brings (``added_by`` empty), or one the
    safeguarding team added (a cyberbullying case that also involves nudes)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklists")
    kind = models.CharField(max_length=20, choices=ChecklistKind.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # For a checklist with a clock (the data breach's 72 hours): when the harm was discovered.
    clock_started_at = models.DateTimeField("when it was discovered", null=True, blank=True)

    class Meta:
        ordering = ["incident", "added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="incidents_checklist_once")]

    def __str__(self) -> str:
        return f"{ChecklistKind(self.kind).label} checklist of case {self.incident_id}"


class ChecklistAnswer(models.Model):
    """One item of a case's checklist answered: yes, no or not applicable, by whom and when. Changing it updates
    this row; each change is an audit event (``incident.checklist_answered``), which keeps the history."""

    checklist = models.ForeignKey(CaseChecklist, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=40)
    answer = models.CharField(max_length=3, choices=ChecklistAnswerValue.choices)
    note = models.CharField(max_length=300, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["checklist", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="incidents_checklist_answer_once"),
            models.CheckConstraint(condition=Q(answer__in=["yes", "no", "na"]), name="incidents_checklist_answer"),
        ]
# ---------------------------------------------------------------- reports from pupils and parents

class PupilReportLink(models.Model):
    """A school's "tell a trusted adult" link (``/tell/<token>/``), for a classroom bookmark: no account, no sign-in.
    The token is not stored: it is an HMAC of ``nonce`` under the site's secret key (so the safeguarding team can be
    shown it again), and only its SHA-256 is kept to find the link. Regenerating revokes the old link; one live link
    per school (a partial unique constraint)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school"], condition=Q(revoked_at__isnull=True),
                                               name="incidents_one_live_pupil_link")]

    def __str__(self) -> str:
        return f"Pupil report link {self.pk}"


class Danger(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "I don't know"


class OutsideReport(models.Model):
    """What a pupil or a parent told us beyond the case's own fields. A child's name is kept as text for the team
    to link to a pupil record: the report never attaches a pupil itself."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, primary_key=True,
                                    related_name="outside_report")
    kind = models.CharField(max_length=10, choices=ReporterKind.choices)
    reporter_name = models.CharField("their name", max_length=150, blank=True)  # a pupil's, only if they chose
    reporter_email = models.EmailField("their email", blank=True)  # a parent's
    child_name = models.CharField("the child's name", max_length=150, blank=True)
    child_class = models.CharField("class", max_length=60, blank=True)
    danger_now = models.CharField("someone in danger now", max_length=10, choices=Danger.choices)
    occurred_on = models.DateField("the day it happened", null=True, blank=True)  # a parent's answer
    # The parent's receipt reference (not the case number: see docs/architecture.md, "Incidents"); empty for a pupil.
    receipt = models.CharField(max_length=20, null=True, blank=True, unique=True)
    link = models.ForeignKey(PupilReportLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind="pupil") | Q(kind="parent", receipt__isnull=False,
                                                               reporter_email__gt=""),
                                   name="incidents_parent_report_has_receipt"),
        ]

    def __str__(self) -> str:
        return f"Report from outside school for case {self.incident_id}"
