"""Managing a school's people in the app: members of staff, governors and visitors added with a role and invited
to set a password, roles changed and ended, the chair and the link governors, and parents invited in bulk.

Pages are addressed by the school's slug (``/schools/<slug>/people/``) and open only to those who administer it
(``onlinesafety.schools.rights.administers_school``): its headteacher, its trust or local authority's
administrators and the site administrator. Everyone else gets a 404, as for a school that does not exist.
"""
