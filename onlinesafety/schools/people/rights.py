"""Who may manage a school's people, and the one rule about a person's own role.

The pages and services need ``administers_school`` (the headteacher, the school's trust or local authority
administrator, the site administrator). On top of it, nobody ends or changes their own headteacher role:
someone else must, so a school never loses its head by one person's click.
"""

from dataclasses import dataclass

from onlinesafety.accounts.models import Person

from ..models import Membership, School
from ..rights import administers_school
from ..roles import Role

SOMEONE_ELSE = ("You cannot end or change your own headteacher role. Another headteacher, the school's trust or "
                "local authority administrator or the site administrator must do it.")


def can_manage_people(user: Person, school: School) -> bool:
    """The people pages, the menu entry and every service behind them."""
    return administers_school(user, school)


def headship_refusal(user: Person, membership: Membership) -> str | None:
    """Why ``user`` may not end or change ``membership`` (their own headteacher role), or None."""
    if membership.role == Role.HEADTEACHER and user.pk is not None and user.pk == membership.user_id:
        return SOMEONE_ELSE
    return None


@dataclass(frozen=True)
class MembershipAccess:
    """A membership and what this person may do with it (who may see it at all is ``can_manage_people``)."""

    membership: Membership
    change: bool  # change the role or end it


def membership_access(user: Person, membership: Membership) -> MembershipAccess:
    return MembershipAccess(membership=membership, change=headship_refusal(user, membership) is None)
