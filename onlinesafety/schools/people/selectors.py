"""Reads for the people pages. Each takes a school its caller has checked the person administers
(``get_school_to_administer``), so they are scoped to that school and need nothing more about who asks."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from onlinesafety.accounts.models import Invitation, User
from onlinesafety.accounts.selectors import UNSPENT, has_live_invitation, has_password, no_password_q

from ..models import Contact, Membership, ParentLink, School
from ..roles import ROLE_PRECEDENCE, SCHOOL_STAFF, Role

# The roles the people page adds, changes and ends. Parents come from the school's contacts (the roster), and
# their access follows their children.
MANAGED_ROLES: list[Role] = [role for role in ROLE_PRECEDENCE if role != Role.PARENT]
STAFF_ROLES: list[Role] = [role for role in MANAGED_ROLES if role in SCHOOL_STAFF]


class Account(StrEnum):
    """Where a person's account stands, as the people page shows it."""

    ACTIVE = "active"  # they have set a password
    INVITED = "invited"  # a link is on its way and still works
    EXPIRED = "expired"  # the last link expired unused
    NOT_INVITED = "not_invited"  # no password and no link (e.g. an account the roster import made)
    NO_EMAIL = "no_email"  # a contact with no email on record has no account
    SWITCHED_OFF = "switched_off"  # the account is switched off (by the site administrator): nobody can invite it

    @property
    def label(self) -> str:
        return ACCOUNT_LABELS[self]


ACCOUNT_LABELS = {
    Account.ACTIVE: "Signed up", Account.INVITED: "Invited, not yet accepted", Account.EXPIRED: "Invitation expired",
    Account.NOT_INVITED: "No account yet: not invited", Account.NO_EMAIL: "No email on record",
    Account.SWITCHED_OFF: "Account switched off",
}


def account_state(user: User | None, invitation_expires_at: datetime | None, now: datetime) -> Account:
    if user is None:
        return Account.NO_EMAIL
    if not user.is_active:
        return Account.SWITCHED_OFF
    if has_password(user):
        return Account.ACTIVE
    if invitation_expires_at is None:
        return Account.NOT_INVITED
    return Account.INVITED if invitation_expires_at > now else Account.EXPIRED


def _unspent_invitation(user_ref: str) -> Subquery:
    """The expiry of the person's unspent invitation (at most one, a database constraint), or NULL."""
    return Subquery(Invitation.objects.filter(UNSPENT, user_id=OuterRef(user_ref)).values("expires_at")[:1])


def _unspent_invitation_id(user_ref: str) -> Subquery:
    return Subquery(Invitation.objects.filter(UNSPENT, user_id=OuterRef(user_ref)).values("pk")[:1])


@dataclass
class PersonRow:
    membership: Membership
    account: Account
    invitation_id: int | None  # the unspent invitation the page showed (a re-send replaces only that one)
    invited_until: datetime | None

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def can_be_invited(self) -> bool:
        return self.account in (Account.INVITED, Account.EXPIRED, Account.NOT_INVITED) and self.user.is_active


@dataclass
class RoleGroup:
    role: Role
    rows: list[PersonRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.role.label


@dataclass
class PeoplePage:
    staff: list[RoleGroup]
    governors: list[PersonRow]
    visitors: list[PersonRow]

    @property
    def rows(self) -> list[PersonRow]:
        return [row for group in self.staff for row in group.rows] + self.governors + self.visitors

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def to_invite(self) -> int:
        """How many people the "invite everyone with no account yet" button would invite (``staff_to_invite``,
        counted from the rows already read: a person with two roles is one)."""
        return len({row.user.pk for row in self.rows if row.account == Account.NOT_INVITED})


def members_to_manage(school: School) -> QuerySet[Membership]:
    """The school's active members in every role but parent, with their accounts and invitations, by name."""
    return (
        Membership.objects.filter(school=school, is_active=True, role__in=MANAGED_ROLES)
        .select_related("user")
        .annotate(invitation_expires_at=_unspent_invitation("user_id"), invitation_id=_unspent_invitation_id("user_id"))
        .order_by("user__full_name", "user__email", "pk")
    )


def people_page(school: School, now: datetime) -> PeoplePage:
    """Staff by role (in the order of ``ROLE_PRECEDENCE``), governors and visitors: one query."""
    groups = {role: RoleGroup(role) for role in STAFF_ROLES}
    page = PeoplePage(staff=[], governors=[], visitors=[])
    for membership in members_to_manage(school):
        expires_at = getattr(membership, "invitation_expires_at", None)
        row = PersonRow(membership, account_state(membership.user, expires_at, now),
                        getattr(membership, "invitation_id", None), expires_at)
        if membership.role == Role.GOVERNOR:
            page.governors.append(row)
        elif membership.role == Role.VISITOR:
            page.visitors.append(row)
        else:
            groups[Role(membership.role)].rows.append(row)
    page.staff = [group for group in groups.values() if group.rows]
    return page


def staff_to_invite(school: School) -> QuerySet[User]:
    """Accounts to invite in bulk from the people page: active, with an active role in the school that the page
    manages (staff, governors, visitors: not parents), no password and no unspent invitation (an expired one is
    re-sent from the person's row). Typically the staff the roster import made."""
    roles = Membership.objects.filter(user=OuterRef("pk"), school=school, is_active=True, role__in=MANAGED_ROLES)
    unspent = Invitation.objects.filter(UNSPENT, user_id=OuterRef("pk"))
    return (User.objects.filter(no_password_q(), is_active=True).filter(Exists(roles)).exclude(Exists(unspent))
            .order_by("pk"))


def get_membership_to_manage(school: School, membership_id: int) -> Membership:
    """An active membership of ``school`` in a role the people page manages; 404 for anything else (another
    school's, one already ended, a parent's)."""
    membership = (Membership.objects.select_related("user", "school")
                  .filter(pk=membership_id, school=school, is_active=True, role__in=MANAGED_ROLES).first())
    if membership is None:
        raise Http404("No such member.")
    return membership


def person_row(membership: Membership, now: datetime) -> PersonRow:
    invitation = Invitation.objects.filter(UNSPENT, user_id=membership.user_id).values("pk", "expires_at").first()
    expires_at = invitation["expires_at"] if invitation else None
    return PersonRow(membership, account_state(membership.user, expires_at, now),
                     invitation["pk"] if invitation else None, expires_at)


def other_headteachers(membership: Membership) -> QuerySet[Membership]:
    return Membership.objects.filter(school_id=membership.school_id, role=Role.HEADTEACHER,
                                     is_active=True).exclude(pk=membership.pk)


def is_last_headteacher(membership: Membership) -> bool:
    """Ending (or changing) this role would leave the school with no headteacher."""
    return membership.role == Role.HEADTEACHER and not other_headteachers(membership).exists()


def successor_candidates(school: School, leaving: User) -> QuerySet[User]:
    """Who may be named the new headteacher: the school's other active members of staff, by name."""
    return (
        User.objects.filter(is_active=True, memberships__school=school, memberships__is_active=True,
                            memberships__role__in=list(SCHOOL_STAFF))
        .exclude(pk=leaving.pk).distinct().order_by("full_name", "email")
    )


def current_chair(school: School) -> Membership | None:
    return (Membership.objects.select_related("user")
            .filter(school=school, role=Role.GOVERNOR, is_active=True, is_chair=True).first())


# ---------------------------------------------------------------- parents and carers

def parent_contacts(school: School) -> QuerySet[Contact]:
    """The school's contacts who are a parent or carer of a pupil on roll."""
    on_roll = ParentLink.objects.filter(contact=OuterRef("pk"), pupil__is_on_roll=True)
    return Contact.objects.filter(school=school).filter(Exists(on_roll))


def parents_to_invite(school: School, now: datetime) -> QuerySet[User]:
    """Accounts to invite when the school gives its parents accounts: each parent contact with an email whose
    account is active in the school as a parent, has no password yet and holds no invitation still working."""
    contacts = parent_contacts(school).exclude(email="").filter(user__isnull=False)
    parent_role = Membership.objects.filter(user=OuterRef("pk"), school=school, role=Role.PARENT, is_active=True)
    return (
        User.objects.filter(no_password_q(), is_active=True, pk__in=contacts.values("user_id"))
        .filter(Exists(parent_role)).exclude(has_live_invitation("pk", now)).order_by("pk")
    )


class ParentSummary(TypedDict):
    contacts: int  # parents and carers of pupils on roll
    without_email: int  # of whom no email is on record (they have no account)
    signed_up: int  # have set a password
    invited: int  # hold an invitation still working
    to_invite: int  # what the "invite parents" button would invite now


def parent_summary(school: School, now: datetime) -> ParentSummary:
    """The parents' counts for the people page: two queries."""
    counts = parent_contacts(school).aggregate(
        contacts=Count("pk"),
        without_email=Count("pk", filter=Q(email="") | Q(user__isnull=True)),
        signed_up=Count("pk", filter=Q(user__isnull=False) & ~no_password_q("user__")),
        invited=Count("pk", filter=Q(has_live_invitation("user_id", now))),
    )
    return ParentSummary(contacts=counts["contacts"], without_email=counts["without_email"],
                         signed_up=counts["signed_up"], invited=counts["invited"],
                         to_invite=parents_to_invite(school, now).count())


@dataclass
class ParentRow:
    contact: Contact
    account: Account
    invited_until: datetime | None
    children: int


def _contact_account(contact: Contact, expires_at: datetime | None, now: datetime) -> Account:
    if not contact.email:
        return Account.NO_EMAIL
    if contact.user is None:
        return Account.NOT_INVITED
    return account_state(contact.user, expires_at, now)


def parent_rows(contacts: list[Contact], now: datetime) -> list[ParentRow]:
    """The rows of one page of ``parent_list``."""
    rows = []
    for contact in contacts:
        expires_at = getattr(contact, "invitation_expires_at", None)
        rows.append(ParentRow(contact, _contact_account(contact, expires_at, now), expires_at,
                              getattr(contact, "children", 0)))
    return rows


def parent_list(school: School) -> QuerySet[Contact]:
    """Every parent or carer of a pupil on roll, with their account, invitation and number of children on roll,
    by name (for a paginated list: one query a page)."""
    return (
        parent_contacts(school).select_related("user")
        .annotate(invitation_expires_at=_unspent_invitation("user_id"),
                  children=Count("links", filter=Q(links__pupil__is_on_roll=True), distinct=True))
        .order_by("full_name", "pk")
    )
