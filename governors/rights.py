"""Who may read and build the governors' termly reports."""

from onlinesafety.access import HasRole
from onlinesafety.schools.roles import GOVERNORS, LEADS_AND_GOVERNORS, REPORT_BUILDERS

can_read_reports = HasRole(LEADS_AND_GOVERNORS)
can_build_reports = HasRole(REPORT_BUILDERS)
# The latest report is on a governor's home page (the leads build it and find it under "Reports").
is_governor = HasRole(GOVERNORS)
