"""Who may see the school's pupils and people."""

from onlinesafety.access import HasRole
from onlinesafety.schools.roles import PEOPLE_READERS, SAFEGUARDING_LEADS, SCHOOL_STAFF, Role

can_see_pupils = HasRole(SCHOOL_STAFF)
can_see_carers = HasRole(SAFEGUARDING_LEADS)  # a pupil's parents and carers, on the pupil's page
can_see_people = HasRole(PEOPLE_READERS)
is_parent = HasRole(frozenset({Role.PARENT}))
