"""The monitoring app's panel on the home page of the safeguarding team (registered in ``apps.py``): one query."""

from django.urls import reverse

from onlinesafety.accounts.models import User
from onlinesafety.navigation import HomePanel
from onlinesafety.schools.models import School

from . import selectors


def inbox_panels(user: User, school: School) -> list[HomePanel]:
    counts = selectors.alert_counts(user, school)
    title = "Monitoring alerts to triage"
    if counts["new_high"]:
        title += f" ({counts['new_high']} high risk)"
    return [HomePanel(title, counts["new"], (), f"{reverse('monitoring:inbox')}?status=new", "The alerts inbox",
                      urgent=bool(counts["new_high"]))]
