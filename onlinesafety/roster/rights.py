"""Who may import a school's roster: whoever administers the school (the site administrator, an administrator of
its trust or local authority, its headteacher). The roster pages are addressed by the school's slug, so a person who
holds no role in the school (a trust administrator) reaches them too."""

from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import School
from onlinesafety.schools.rights import administers_school


def can_import_roster(user: Person, school: School) -> bool:
    """Upload, check and confirm an import; discard or retry it; the school's roster settings."""
    return administers_school(user, school)
