"""The filtering app's panels on the home page (registered in ``apps.py``): two queries per panel."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats

from onlinesafety.accounts.models import User
from onlinesafety.navigation import PANEL_LINKS, HomePanel, PanelLink
from onlinesafety.schools.models import School

from . import selectors
from .models import ChangeRequest


def _change_links(changes: QuerySet[ChangeRequest]) -> tuple[PanelLink, ...]:
    return tuple(PanelLink(str(change)[:80], reverse("filtering:change", args=[change.pk]),
                           change.get_status_display().lower()) for change in changes[:PANEL_LINKS])


def decision_panels(user: User, school: School) -> list[HomePanel]:
    waiting = selectors.changes_to_decide(user, school)
    return [HomePanel("Filtering changes waiting for a decision", waiting.count(), _change_links(waiting),
                      f"{reverse('filtering:changes')}?status={ChangeRequest.Status.REQUESTED}", "All waiting")]


def technician_panels(user: User, school: School) -> list[HomePanel]:
    to_do = selectors.changes_to_carry_out(user, school)
    failed = selectors.failed_imports_of(user, school)
    return [
        HomePanel("Filtering changes to carry out", to_do.count(), _change_links(to_do),
                  reverse("filtering:changes"), "All change requests"),
        HomePanel("Provider log imports that failed", failed.count(),
                  tuple(PanelLink(item.original_name[:80], reverse("filtering:import", args=[item.pk]),
                                  f"uploaded {formats.date_format(item.uploaded_at, 'j M Y')}")
                        for item in failed[:PANEL_LINKS]),
                  reverse("filtering:imports"), "All provider logs", urgent=True),
    ]


def sign_off_panels(user: User, school: School) -> list[HomePanel]:
    reviews = selectors.reviews_to_sign_off(user, school)
    return [HomePanel("Filtering reviews for you to sign off", reviews.count(),
                      tuple(PanelLink(f"Annual review of {formats.date_format(review.reviewed_on, 'j F Y')}",
                                      reverse("filtering:review", args=[review.pk]))
                            for review in reviews[:PANEL_LINKS]),
                      reverse("filtering:checks"), "Checks and reviews")]
