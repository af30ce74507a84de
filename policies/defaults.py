"""The recurring duties every school starts with, from the schedules in the seed policies."""

from onlinesafety.schools.roles import Role

from .models import Recurrence

DUTIES = [
    {"code": "filtering_monitoring_review", "title": "Filtering and monitoring review",
     "description": "The yearly review against the DfE Filtering and Monitoring Standards, with a governor.",
     "owner_role": Role.DSL, "recurrence": Recurrence.YEARLY},
    {"code": "filtering_check", "title": "Filtering provision check",
     "description": "Test that filtering blocks what it should, on each kind of device and user group.",
     "owner_role": Role.TECHNICIAN, "recurrence": Recurrence.MONTHLY},
    {"code": "incident_log_audit", "title": "Incident log audit",
     "description": "Read the half term's online safety incidents for patterns and unfinished actions.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.HALF_TERMLY},
    {"code": "governor_report", "title": "Safeguarding report to governors",
     "description": "The termly report to governors, including online safety.",
     "owner_role": Role.HEADTEACHER, "recurrence": Recurrence.TERMLY},
    {"code": "training_audit", "title": "Staff online safety training audit",
     "description": "Check who needs online safety training this year, and book it.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.YEARLY},
    {"code": "aup_review", "title": "Acceptable use agreements review",
     "description": "Review every acceptable use agreement and publish new versions where needed.",
     "owner_role": Role.ONLINE_SAFETY_LEAD, "recurrence": Recurrence.YEARLY},
]
