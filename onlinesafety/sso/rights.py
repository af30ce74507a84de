"""Who configures a school's or a trust's sign-in with Microsoft or Google.

The same people who set the school up (``schools.rights.administers_school``: the site administrator, the
administrator of its trust or local authority, its headteacher), and for a trust-wide configuration the trust's (or
local authority's) administrator or the site administrator (``administers_organisation``).
"""

from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import Organisation, School
from onlinesafety.schools.rights import administers_organisation, administers_school


def can_configure_sign_in(user: Person, owner: School | Organisation) -> bool:
    if isinstance(owner, School):
        return administers_school(user, owner)
    return administers_organisation(user, owner)
