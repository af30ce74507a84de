"""The governors' report on the home page (registered in ``apps.py``): one query."""

from django.urls import reverse

from onlinesafety.accounts.models import User
from onlinesafety.navigation import HomePanel, PanelLink
from onlinesafety.schools.models import School

from .selectors import latest_ready_report


def report_panels(user: User, school: School) -> list[HomePanel]:
    report = latest_ready_report(school)
    if report is None:
        return []
    return [HomePanel("Latest governors' report", 1,
                      (PanelLink(f"{report.term.name} report (PDF)", reverse("governors:download", args=[report.pk]),
                                 f"version {report.version}"),),
                      reverse("governors:reports"), "Every term's report")]
