"""What each person may do with monitoring alerts: the one place the monitoring app decides rights.

Alerts are the safeguarding team's alone (``DSL_TEAM``: the DSL, the deputies, the online safety lead), as the
cases they become are: an alert names a pupil and may say what they typed or searched for.
"""

from onlinesafety.access import HasRole
from onlinesafety.schools.roles import DSL_TEAM

# The inbox, an alert, its triage (dismiss, link to a case, open a case).
can_triage_alerts = HasRole(DSL_TEAM)
# Importing a CSV of alerts, and the webhook's secret (seeing it, setting a new one).
can_import_alerts = HasRole(DSL_TEAM)
can_manage_webhook = HasRole(DSL_TEAM)
