"""Acceptable use agreements: texts and their published versions, who signed what, parent campaigns,
and the registers staff must see (no technology access, no photographs)."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onlinesafety.audit.models import AppendOnlyModel
from onlinesafety.schools.models import Pupil, School


class Audience(models.TextChoices):
    STAFF = "staff", "Staff and governors"
    VISITOR = "visitor", "Visitors, supply staff and students"
    SOCIAL_MEDIA = "social_media", "Staff who run official social media accounts"
    PUPIL_EARLY = "pupil_early", "Pupils in EYFS and KS1"
    PUPIL_KS2 = "pupil_ks2", "Pupils in KS2"
    PUPIL_OLDER = "pupil_older", "Pupils in KS3 and above"
    PARENT = "parent", "Parents and carers (home agreement)"
    IMAGE_CONSENT = "image_consent", "Image consent (parents and carers)"


# Signed by members themselves, in the app.
PERSONAL_AUDIENCES = (Audience.STAFF, Audience.VISITOR, Audience.SOCIAL_MEDIA)
# Read with the child and signed by a parent, with the home agreement.
PUPIL_AUDIENCES = (Audience.PUPIL_EARLY, Audience.PUPIL_KS2, Audience.PUPIL_OLDER)


# Which pupil agreement a child reads: up to Year 2, up to Year 6, then the one for older pupils.
PUPIL_AGREEMENT_TOPS = ((2, Audience.PUPIL_EARLY), (6, Audience.PUPIL_KS2))


def pupil_audience(year_group: int) -> str:
    """Which pupil agreement a child of this year group reads."""
    return next((audience for top, audience in PUPIL_AGREEMENT_TOPS if year_group <= top), Audience.PUPIL_OLDER)


class Agreement(models.Model):
    """One school's agreement for one audience: the draft being edited and the version in force."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="agreements")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    title = models.CharField(max_length=150)
    draft_text = models.TextField(blank=True)
    draft_changed_at = models.DateTimeField(null=True, blank=True)
    draft_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    current_version = models.ForeignKey("AgreementVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")

    class Meta:
        ordering = ["school", "audience"]
        constraints = [models.UniqueConstraint(fields=["school", "audience"], name="aup_one_agreement_per_audience")]

    def __str__(self) -> str:
        return self.title

    @property
    def has_unpublished_changes(self) -> bool:
        current = self.current_version
        return current is None or self.draft_text.strip() != current.text or self.title != current.title


class AgreementVersion(AppendOnlyModel):
    """A published text. It never changes: a new text is a new version, and everyone signs again."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)
    text = models.TextField()
    change_summary = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="aup_version_unique_number"),
            models.CheckConstraint(condition=~Q(text=""), name="aup_version_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class AccountHolder(models.Model):
    """A member who runs one of the school's official social media accounts, and so signs that agreement too."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accounts = models.CharField(max_length=200, help_text="Which accounts, e.g. “Instagram and Facebook”.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name"]
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="aup_account_holder_once")]


class CampaignKind(models.TextChoices):
    AGREEMENT = "agreement", "Acceptable use (pupil agreement and home agreement)"
    IMAGES = "images", "Image consent"


class Campaign(models.Model):
    """A round of emails asking parents of a cohort to sign."""

    class Cohort(models.TextChoices):
        WHOLE_SCHOOL = "school", "Whole school"
        YEAR_GROUPS = "years", "Year groups"
        CLASSES = "classes", "Classes"
        OUTSTANDING = "outstanding", "Families still to answer"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="aup_campaigns")
    kind = models.CharField(max_length=20, choices=CampaignKind.choices)
    cohort = models.CharField(max_length=12, choices=Cohort.choices)
    cohort_ids = models.JSONField(default=list, blank=True, help_text="Year groups or class ids.")
    cohort_label = models.CharField(max_length=300)
    link_days = models.PositiveSmallIntegerField(default=30)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    families = models.PositiveIntegerField(default=0)
    pupils = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["school", "-started_at"], name="aup_campaign_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.cohort_label}"


class Invitation(models.Model):
    """One parent's part in a campaign: the children of theirs it covers, and the reminders sent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pupils = models.ManyToManyField(Pupil, related_name="+")
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "parent"], name="aup_invitation_once")]


class SigningLink(models.Model):
    """A secret link emailed to a parent. Only the SHA-256 of its token is kept."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)


class Channel(models.TextChoices):
    IN_APP = "in_app", "Signed in the app"
    LINK = "link", "Signed from an emailed link"
    KIOSK = "kiosk", "Signed at the visitor kiosk"


class Outcome(models.TextChoices):
    SIGNED = "signed", "Signed"
    DECLINED = "declined", "Declined"


class Signature(AppendOnlyModel):
    """One answer to one agreement: evidence, so it is never changed or removed.

    Personal agreements are signed by ``user``. For a child, ``version`` is the home agreement (or the image
    consent form) and ``pupil_version`` the pupil agreement read with them. ``text_sha256`` is the SHA-256 of
    the exact text shown and signed (see ``aup.documents``).
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    pupil_version = models.ForeignKey(AgreementVersion, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SIGNED)
    typed_name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, blank=True)
    discussed_with_child = models.BooleanField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # The visitor kiosk: who the visitor is and which member of the office was with them.
    organisation = models.CharField(max_length=150, blank=True)
    visit_reason = models.CharField(max_length=200, blank=True)
    witnessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # Image consent answers, each yes or no.
    photos_in_school = models.BooleanField(null=True, blank=True)
    photos_on_website = models.BooleanField(null=True, blank=True)
    photos_on_social_media = models.BooleanField(null=True, blank=True)
    photos_in_press = models.BooleanField(null=True, blank=True)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "user"],
                                    condition=Q(pupil__isnull=True, user__isnull=False),
                                    name="aup_personal_signature_once"),
            models.UniqueConstraint(fields=["version", "pupil", "outcome"],
                                    condition=Q(pupil__isnull=False, pupil_version__isnull=True),
                                    name="aup_consent_answer_once"),
            models.UniqueConstraint(fields=["version", "pupil_version", "pupil", "outcome"],
                                    condition=Q(pupil__isnull=False, pupil_version__isnull=False),
                                    name="aup_child_answer_once"),
            models.CheckConstraint(condition=Q(outcome="signed") | ~Q(decline_reason=""),
                                   name="aup_decline_has_reason"),
        ]
        indexes = [
            models.Index(fields=["pupil", "version"], name="aup_signature_pupil"),
            models.Index(fields=["school", "-signed_at"], name="aup_signature_recent"),
        ]

    IMAGE_USES = (
        ("photos_in_school", "Photos and video used inside school"),
        ("photos_on_website", "On the school website"),
        ("photos_on_social_media", "On the school's official social media"),
        ("photos_in_press", "In the press"),
    )

    def image_answers(self) -> list[tuple[str, bool | None]]:
        return [(label, getattr(self, field)) for field, label in self.IMAGE_USES]


class AccessRestriction(models.Model):
    """A pupil kept off school technology by hand, with the reason and (usually) an end date."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty until someone lifts it.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        ordering = ["-added_at"]
        indexes = [models.Index(fields=["school", "lifted_at"], name="aup_restriction_open")]
