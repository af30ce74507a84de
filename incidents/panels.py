"""The incidents app's panels on the home page (registered in ``apps.py``): cases name their reference and category,
never a pupil."""

from django.urls import reverse
from django.utils import formats

from onlinesafety.accounts.models import User
from onlinesafety.navigation import HomePanel, PanelLink
from onlinesafety.schools.models import School

from . import flowchart, selectors
from .models import Incident


def _case_link(incident: Incident, detail: str) -> PanelLink:
    label = f"Case {incident.reference} ({incident.category.name.lower()})"
    if incident.is_urgent:
        label = f"Urgent: {label}"
    elif flowchart.still_possibly_illegal(incident):
        label = f"Possibly illegal: {label}"
    return PanelLink(label, reverse("incidents:case", args=[incident.pk]), detail)


def _reported(incident: Incident) -> str:
    return f"reported {formats.date_format(incident.reported_at, 'j M, H:i')}"


def case_panels(user: User, school: School) -> list[HomePanel]:
    """The safeguarding team's worklist."""
    work = selectors.worklist(user, school)
    triage = reverse("incidents:triage")
    new_queue = f"{triage}?queue=new"
    return [
        HomePanel("Urgent or possibly illegal", work.urgent,
                  tuple(_case_link(case, _reported(case)) for case in work.urgent_cases),
                  triage, "Open the triage dashboard", urgent=True),
        HomePanel("Not acknowledged after 24 hours", work.overdue_acknowledgement,
                  tuple(_case_link(case, _reported(case)) for case in work.overdue_acknowledgement_cases),
                  new_queue, "All new cases", urgent=True),
        HomePanel("New cases to acknowledge", work.new,
                  tuple(_case_link(case, _reported(case)) for case in work.new_cases), new_queue, "All new cases"),
        HomePanel("Overdue actions", work.overdue_actions,
                  tuple(_case_link(case, "an action is past its due date") for case in work.overdue_action_cases),
                  f"{triage}?queue=open", "All open cases"),
    ]


def own_report_panels(user: User, school: School) -> list[HomePanel]:
    """The concerns this person reported that are still open."""
    count, reports = selectors.open_reports_by(user, school)
    return [HomePanel(
        "Your reports still open", count,
        tuple(PanelLink(f"Case {report.reference}", reverse("incidents:case", args=[report.pk]),
                        report.get_status_display().lower()) for report in reports),
        reverse("incidents:mine"), "All your reports",
    )]
