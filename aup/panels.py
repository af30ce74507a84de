"""The agreements app's panels on the home page (registered in ``apps.py``)."""

from django.urls import reverse

from onlinesafety.accounts.models import User
from onlinesafety.navigation import HomePanel, PanelLink
from onlinesafety.schools.models import School

from .selectors.agreements import unsigned_agreements
from .selectors.family import family_outstanding_count


def agreements_to_sign_panels(user: User, school: School) -> list[HomePanel]:
    """The member's own agreements still to sign (one query)."""
    unsigned = unsigned_agreements(user, school)
    mine = reverse("aup:mine")
    return [HomePanel("Agreements to sign", len(unsigned),
                      tuple(PanelLink(agreement.title, mine) for agreement in unsigned[:5]), mine, "Read and sign")]


def family_panels(user: User, school: School) -> list[HomePanel]:
    """How many of a parent's children still wait for their answer (one query, and the school's versions)."""
    waiting = family_outstanding_count(user, school)
    return [HomePanel("Your children's agreements to answer", waiting, (), reverse("aup:family"),
                      f"Answer for {'each child' if waiting != 1 else 'your child'}")]
