"""The people pages in the demo: at Oakfield, a new sports coach invited and not yet accepted (on the people
page), two members of staff the MIS import added who have no account yet (the people page offers to invite them
together), and a pupil who joined this week whose only carer with parental responsibility has no email on record
(on the agreement coverage page). Runs after the other seeders (``DEMO_SEEDERS``); creates nothing the second
time.

The invitation's token is derived from ``SECRET_KEY`` so ``seed_demo`` can print the same working link every
time while only its hash is stored, like every other link.
"""

import base64
import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from onlinesafety.accounts.models import Invitation, User
from onlinesafety.accounts.selectors import UNSPENT
from onlinesafety.accounts.services import invitation_days, invitation_url
from onlinesafety.tokens import sha256_of

from ..models import Contact, Membership, ParentLink, Pupil, School, SchoolClass, YearGroup
from ..roles import Role

INVITED_EMAIL = "p.gill@oakfield.example"  # the sports coach, who starts soon and has not set a password yet
NEW_PUPIL = ("Maya", "Okonjo")
NO_EMAIL_CARER = "Grace Okonjo"
NO_EMAIL_CARER_MIS_ID = "DEMO-C-9001"
# As the roster's staff import makes them: an account with no password, not invited yet.
IMPORTED_STAFF = [("Tomasz Nowak", "t.nowak@oakfield.example", "Teaching assistant", "DEMO-S-7001"),
                  ("Helen Price", "h.price@oakfield.example", "School business manager", "DEMO-S-7002")]


def _demo_token(school: School) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"people-demo-invitation:{school.slug}".encode(),
                      hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def seed() -> dict[str, int]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None:
        return {}
    counts = {"staff invited, not yet accepted": _invited_member(school),
              "staff imported, not yet invited": _imported_staff(school),
              "pupils with no email on record": _pupil_without_email(school)}
    return {what: count for what, count in counts.items() if count}


def _invited_member(school: School) -> int:
    user = User.objects.filter(email=INVITED_EMAIL, memberships__school=school,
                               memberships__role=Role.STAFF).first()
    if user is None or Invitation.objects.filter(user=user).exists():
        return 0
    user.password = make_password(None)  # unusable until they accept the invitation
    user.save(update_fields=["password"])
    head = User.objects.filter(email="head@oakfield.example").first()
    now = timezone.now()
    Invitation.objects.create(user=user, school=school, kind=Invitation.Kind.STAFF,
                              token_hash=sha256_of(_demo_token(school)), invited_by=head,
                              created_at=now - timedelta(days=2), expires_at=now + timedelta(days=invitation_days()))
    return 1


def _imported_staff(school: School) -> int:
    made = 0
    for full_name, email, job_title, mis_id in IMPORTED_STAFF:
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email=email, full_name=full_name, password=None)
        Membership.objects.create(user=user, school=school, role=Role.STAFF, job_title=job_title, mis_id=mis_id)
        made += 1
    return made


def _pupil_without_email(school: School) -> int:
    if Contact.objects.filter(school=school, mis_id=NO_EMAIL_CARER_MIS_ID).exists():
        return 0
    school_class = SchoolClass.objects.filter(school=school, year_group=YearGroup.Y4).order_by("name").first()
    today = timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    pupil = Pupil.objects.create(
        school=school, first_name=NEW_PUPIL[0], last_name=NEW_PUPIL[1], year_group=YearGroup.Y4,
        school_class=school_class, date_of_birth=date(start - 5 - YearGroup.Y4, 11, 20),
        admission_date=today - timedelta(days=3))
    carer = Contact.objects.create(school=school, mis_id=NO_EMAIL_CARER_MIS_ID, full_name=NO_EMAIL_CARER)
    ParentLink.objects.create(contact=carer, parent=None, pupil=pupil, relationship=ParentLink.Relationship.GRANDPARENT,
                              has_parental_responsibility=True)
    return 1


def invitation_link() -> list[str]:
    """The line ``seed_demo`` prints: the invited member's link (renewed if it has expired since)."""
    school = School.objects.filter(slug="oakfield").first()
    if school is None:
        return []
    token = _demo_token(school)
    invitation = Invitation.objects.filter(UNSPENT, token_hash=sha256_of(token)).first()
    if invitation is None:
        return []
    if invitation.has_expired():
        invitation.expires_at = timezone.now() + timedelta(days=invitation_days())
        invitation.save(update_fields=["expires_at"])
    return [f"An invited member of staff's link to set a password ({INVITED_EMAIL}): {invitation_url(token)}"]
