"""Oakfield's (and Riverside's) acceptable use agreements for the demo: every default published, staff mostly
signed, a parent campaign about half answered, image consent, and a working signing link. Created once."""

import base64
import hashlib
import hmac
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from onlinesafety.schools.demo.seed import PARENT_EMAIL
from onlinesafety.schools.models import ParentLink, Pupil, School
from onlinesafety.tokens import sha256_of

from .models import (
    PERSONAL_AUDIENCES,
    AccessRestriction,
    AccountHolder,
    Agreement,
    Campaign,
    CampaignKind,
    Invitation,
    Outcome,
    Signature,
    SigningLink,
)
from .selectors.agreements import current_versions, people_who_sign
from .services import agreements, answers, campaigns, signing
from .services.links import signing_url

User = get_user_model()

STILL_TO_SIGN = {"teacher@oakfield.example", "p.gill@oakfield.example"}  # the two staff outstanding
DECLINE_REASONS = [
    "We do not allow our child to use the internet without a parent sitting beside them.",
    "I would like to talk to the class teacher about the rules on group chats first.",
    "We have concerns about the school's use of online learning apps and would like a meeting.",
    "My child has additional needs and I would like the rules explained to them differently first.",
]
VISITORS = [
    ("Alex Turner", "County Music Service", "Peripatetic guitar lessons"),
    ("Dr Joanne Reid", "School Nursing Team", "Year 6 health checks"),
    ("Mark Ellison", "Ellison Electrical Ltd", "Fire alarm service"),
    ("Nia Roberts", "Northfield University", "Student teacher placement"),
]


def seed(*, today=None) -> dict[str, int]:
    counts: dict[str, int] = {}
    now = timezone.now()
    for school in School.objects.filter(slug__in=["oakfield", "riverside"]).order_by("pk"):
        if Agreement.objects.filter(school=school, current_version__isnull=False).exists():
            continue
        agreements.set_up_default_agreements(school=school)
        osl = _first_in(school, ["osl", "head"])
        for agreement in Agreement.objects.filter(school=school).order_by("pk"):
            agreements.publish(agreement=agreement, actor=osl, change_summary="First version for this school.",
                             now=now - timedelta(days=45))
        counts["agreements published"] = counts.get("agreements published", 0) + Agreement.objects.filter(
            school=school).count()
        counts["staff signatures"] = counts.get("staff signatures", 0) + _staff_sign(school, osl, now)
        if school.slug == "oakfield":
            counts.update(_families(school, osl, now))
            counts["visitors signed at the kiosk"] = _kiosk(school, now)
    return counts


def _first_in(school, prefixes):
    for prefix in prefixes:
        user = User.objects.filter(email=f"{prefix}@{school.slug}.example").first()
        if user:
            return user
    return User.objects.filter(memberships__school=school).order_by("pk").first()


def _staff_sign(school, osl, now) -> int:
    if school.slug == "oakfield":
        AccountHolder.objects.create(school=school, user=osl, accounts="Instagram and Facebook", added_by=osl)
    versions = current_versions(school)
    signed = 0
    rng = random.Random(7)
    for audience in PERSONAL_AUDIENCES:
        for person in people_who_sign(school, audience):
            if person.email in STILL_TO_SIGN:
                continue
            signing.sign_personal(version=versions[audience], user=person, school=school,
                                   typed_name=person.full_name, now=now - timedelta(days=rng.randint(5, 40)))
            signed += 1
    return signed


def _kiosk(school, now) -> int:
    office = User.objects.get(email="office@oakfield.example")
    for days, (name, organisation, reason) in zip((30, 16, 9, 2), VISITORS, strict=True):
        signing.sign_at_kiosk(school=school, witness=office, full_name=name, organisation=organisation,
                               visit_reason=reason, now=now - timedelta(days=days))
    return len(VISITORS)


def _families(school, osl, now) -> dict[str, int]:
    """Image consent asked 40 days ago (most answered); the acceptable use campaign 20 days ago, about half
    signed and a few declined. The featured parent's children are left to answer, for the signing link."""
    rng = random.Random(11)
    featured = set(Pupil.objects.filter(parent_links__parent__email=PARENT_EMAIL).values_list("pk", flat=True))
    images = campaigns.start_campaign(school=school, actor=osl, kind=CampaignKind.IMAGES,
                                     cohort=Campaign.Cohort.WHOLE_SCHOOL, now=now - timedelta(days=40))
    aup = campaigns.start_campaign(school=school, actor=osl, kind=CampaignKind.AGREEMENT,
                                  cohort=Campaign.Cohort.WHOLE_SCHOOL, now=now - timedelta(days=20))
    Invitation.objects.filter(campaign=images).update(reminders_sent=2)
    Invitation.objects.filter(campaign=aup).update(reminders_sent=2)
    links: dict[int, ParentLink] = {}
    for link in ParentLink.objects.filter(pupil__school=school, has_parental_responsibility=True).exclude(
            pupil_id__in=featured).select_related("parent", "pupil").order_by("pupil_id", "pk"):
        links.setdefault(link.pupil_id, link)
    answered = {"signed": 0, "declined": 0, "image answers": 0}
    for index, link in enumerate(links.values()):
        if rng.random() < 0.8:
            _answer(school, link, CampaignKind.IMAGES, Outcome.SIGNED, images,
                    now - timedelta(days=rng.randint(21, 39)), image_answers=_image_answers(rng))
            answered["image answers"] += 1
        if index % 25 == 3:
            _answer(school, link, CampaignKind.AGREEMENT, Outcome.DECLINED, aup,
                    now - timedelta(days=rng.randint(1, 19)), decline_reason=DECLINE_REASONS[index % 4])
            answered["declined"] += 1
        elif rng.random() < 0.5:
            _answer(school, link, CampaignKind.AGREEMENT, Outcome.SIGNED, aup,
                    now - timedelta(days=rng.randint(1, 19)))
            answered["signed"] += 1
    restricted = Pupil.objects.filter(school=school, is_on_roll=True).exclude(pk__in=featured).order_by("pk")[5]
    AccessRestriction.objects.create(school=school, pupil=restricted, added_by=osl,
                                     reason="Tried to get around the filter with a proxy site; access paused while "
                                            "we talk with home.", ends_on=timezone.localdate() + timedelta(days=10))
    return {"parent campaigns": 2, "family answers signed": answered["signed"],
            "family answers declined": answered["declined"], "image consent answers": answered["image answers"]}


def _image_answers(rng) -> dict:
    if rng.random() < 0.12:
        return {field: False for field, _ in Signature.IMAGE_USES}
    return {field: rng.random() > (0.05 if field == "photos_in_school" else 0.25) for field, _ in Signature.IMAGE_USES}


def _answer(school, link, kind, outcome, campaign, when, decline_reason="", image_answers=None) -> None:
    invitation = Invitation.objects.filter(campaign=campaign, parent=link.parent).first()
    answers.record_answer(school=school, parent=link.parent, pupil=link.pupil, kind=kind, outcome=outcome,
                          typed_name=link.parent.full_name, relationship=link.relationship,
                          discussed_with_child=kind == CampaignKind.AGREEMENT and outcome == Outcome.SIGNED,
                          decline_reason=decline_reason, image_answers=image_answers, invitation=invitation,
                          request=None, now=when)


# ---------------------------------------------------------------- the printed signing link

def _demo_token(school) -> str:
    """The same token on every run (derived from SECRET_KEY), so seed_demo can print it while only its hash
    is stored, like every other link."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"aup-demo-link:{school.slug}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def signing_link() -> list[str]:
    school = School.objects.filter(slug="oakfield").first()
    invitation = Invitation.objects.filter(
        campaign__school=school, campaign__kind=CampaignKind.AGREEMENT, parent__email=PARENT_EMAIL,
    ).order_by("-campaign__started_at").first() if school else None
    if invitation is None:
        return []
    token = _demo_token(school)
    expires_at = timezone.now() + timedelta(days=settings.AUP_LINK_DAYS)
    link = SigningLink.objects.filter(token_hash=sha256_of(token)).first()
    if link is None:
        SigningLink.objects.create(invitation=invitation, token_hash=sha256_of(token), expires_at=expires_at)
    elif link.expires_at <= timezone.now():
        SigningLink.objects.filter(pk=link.pk).update(expires_at=expires_at)
    return [f"A parent's signing link (no sign-in needed): {signing_url(token)}"]
