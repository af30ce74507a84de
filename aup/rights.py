"""What each person may do with acceptable use agreements: the one place the aup app decides rights.

Views check a page with ``school_member_required(rights.can_x)``; services check the same right again for the
actor; templates get booleans from these predicates. Which agreement a person must sign (staff and governors the
staff agreement, visitors theirs, account holders the social media one) is not a right but the agreements' own
rule: it lives in ``selectors.agreements``.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from onlinesafety.access import HasRole
from onlinesafety.accounts.models import Person, User
from onlinesafety.schools import rights as school_rights
from onlinesafety.schools.models import ParentLink, Pupil, School
from onlinesafety.schools.roles import (
    ADULT_MEMBERS,
    AGREEMENT_MANAGERS,
    SAFEGUARDING_LEADS,
    SCHOOL_STAFF,
    STAFF_AND_GOVERNORS,
)

# Edit drafts and publish them, ask families to sign, and say who runs the official social media accounts.
can_manage_agreements = HasRole(AGREEMENT_MANAGERS)
# Who has signed and who is outstanding (the page, the lists, the CSV), the campaigns sent, and new links to the
# families still to answer.
can_see_coverage = HasRole(SAFEGUARDING_LEADS)
# Read every agreement and each of its versions.
can_read_agreements = HasRole(STAFF_AND_GOVERNORS)
# Adults (staff, governors, visitors) sign agreements of their own: their "My agreements" page in the menu.
signs_own_agreements = HasRole(ADULT_MEMBERS)
# The technology access and photograph registers: see them, keep a pupil off school technology, lift it.
can_use_registers = HasRole(SCHOOL_STAFF)
# Sign a visitor in at the office's device, and see the visitors who signed.
can_run_kiosk = HasRole(SCHOOL_STAFF)
# The menu entry of the family page (the page itself shows any member the children they answer for).
is_parent = school_rights.is_parent


# ---------------------------------------------------------------- a parent, their children and their answers

def responsible_for(parent: Person | int) -> Q:
    """Pupils (on roll) this person answers for: those they hold parental responsibility for. Use it in one
    ``filter()`` call, so both conditions are about the same link."""
    parent_id = parent if isinstance(parent, int) else parent.pk
    return Q(is_on_roll=True, parent_links__parent_id=parent_id, parent_links__has_parental_responsibility=True)


def may_answer_for(parent: User, pupil: Pupil, school: School) -> bool:
    """The parent holds parental responsibility for this child, who is on roll in this school."""
    return ParentLink.objects.filter(parent=parent, pupil=pupil, has_parental_responsibility=True,
                                     pupil__school=school, pupil__is_on_roll=True).exists()


def own_answers(user: Person) -> Q:
    """Signatures this person may open again: their own answers for a child they still answer for (another
    carer's answer carries that carer's details)."""
    return Q(user_id=user.pk, pupil__is_on_roll=True, pupil__parent_links__parent_id=user.pk,
             pupil__parent_links__has_parental_responsibility=True)


def link_opens_answer(signed_at: datetime, now: datetime) -> bool:
    """An emailed link (no sign-in, and the email may be forwarded or the device shared) opens its own answer, the
    receipt and the PDF copy, only for ``AUP_COPY_MINUTES`` after it was recorded; afterwards the parent signs
    in (``own_answers``)."""
    return now < signed_at + timedelta(minutes=settings.AUP_COPY_MINUTES)
