"""The people the access matrix sends requests as, and the groups its rules are written in.

Each actor but the site-wide ones belongs to Oakfield, whose records are "own"; ``riverside_dsl`` is a DSL of
Riverside, the other school, and is judged as a DSL in Riverside (its own school) and as a stranger in Oakfield.

The groups spell out the role sets of ``onlinesafety/schools/roles.py`` by actor name, on purpose not imported from
there: the matrix is the specification, so a role added to a set (and so to every page built on it) must show up
as a change here too.
"""

from typing import Final

Actors = frozenset[str]

ANONYMOUS: Final = "anonymous"
# Signed in, with no current school: no role anywhere (a leaver who still has an account), the site administrator
# (``is_staff``) and an administrator of Oakfield's trust.
FORMER, SITE_ADMIN, TRUST_ADMIN = "former", "site_admin", "trust_admin"
OTHER_SCHOOLS_DSL: Final = "riverside_dsl"

# Every actor; the order is the order the tests run in. "reporter" is the member of staff who reported the
# case (and asked for the filtering change); "other_staff" is a teacher with no part in either.
ACTORS: Final = (ANONYMOUS, FORMER, SITE_ADMIN, TRUST_ADMIN, "parent", "visitor", "reporter", "other_staff",
                 "technician", "dsl", "deputy", "osl", "head", "governor", "chair", OTHER_SCHOOLS_DSL)
# Actors who belong to no school: the same answer whichever school a record is in (as far as their role goes).
SITE_WIDE: Final = frozenset({ANONYMOUS, FORMER, SITE_ADMIN})
# Actors with no current school (``request.school`` is None): pages that need one send them home.
WITHOUT_A_SCHOOL: Final = frozenset({ANONYMOUS, FORMER, SITE_ADMIN, TRUST_ADMIN})
HOME_SCHOOL: Final = {TRUST_ADMIN: "oak", OTHER_SCHOOLS_DSL: "river"}  # the rest: Oakfield, or none if site-wide


def home_school(actor: str) -> str | None:
    if actor in SITE_WIDE:
        return None
    return HOME_SCHOOL.get(actor, "oak")


def role_of(actor: str) -> str:
    """The name the rules know the actor by in their own school."""
    return "dsl" if actor == OTHER_SCHOOLS_DSL else actor


NOBODY: Final[Actors] = frozenset()
EVERYONE: Final = frozenset(role_of(actor) for actor in ACTORS)
SIGNED_IN: Final = EVERYONE - {ANONYMOUS}
SITE_ADMINS: Final = frozenset({SITE_ADMIN})

# roles.py, by name.
DSL_TEAM: Final = frozenset({"dsl", "deputy", "osl"})
SAFEGUARDING_LEADS: Final = DSL_TEAM | {"head"}
SCHOOL_STAFF: Final = SAFEGUARDING_LEADS | {"reporter", "other_staff", "technician"}
STAFF_AND_GOVERNORS: Final = SCHOOL_STAFF | {"governor", "chair"}
CONCERN_REPORTERS: Final = SCHOOL_STAFF | {"visitor"}
ADULT_MEMBERS: Final = STAFF_AND_GOVERNORS | {"visitor"}
MEMBERS: Final = ADULT_MEMBERS | {"parent"}  # any role in the school (``onlinesafety.access.any_member``)
LEADS_AND_GOVERNORS: Final = SAFEGUARDING_LEADS | {"governor", "chair"}
FILTERING_TEAM: Final = SAFEGUARDING_LEADS | {"technician"}
FILTERING_OVERSIGHT: Final = FILTERING_TEAM | {"governor", "chair"}
PROVIDER_LOG_READERS: Final = DSL_TEAM | {"technician"}
AGREEMENT_MANAGERS: Final = frozenset({"osl", "head"})
REPORT_BUILDERS: Final = frozenset({"head", "dsl", "osl"})
PEOPLE_READERS: Final = frozenset({"head", "dsl", "deputy"})
PARENTS: Final = frozenset({"parent"})
# Who must sign in with a second factor (``accounts.mfa.second_factor_required``): the world gives each an
# authenticator app.
SECOND_FACTOR_HOLDERS: Final = SAFEGUARDING_LEADS | {"chair", SITE_ADMIN, TRUST_ADMIN}
# ``schools.rights.administers_school``: the head, the school's trust administrator, the site administrator.
ADMINISTRATORS: Final = frozenset({"head", TRUST_ADMIN, SITE_ADMIN})
