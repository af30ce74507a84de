"""Every write to a school's people: adding a member (and inviting them), changing and ending roles, the chair and
the link governors, inviting parents in bulk.

Each service checks again that the actor administers the school, locks the school's row (so two changes to one
school's people happen one after the other, and a double submit finds the first one done), applies the state
rules, and records an audit event in the same transaction. Memberships are deactivated, never deleted, so past
records keep the person's name; someone left with no role anywhere is switched off at once.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import Invitation, User
from onlinesafety.accounts.selectors import has_password, live_invitation_of
from onlinesafety.accounts.services import send_invitation, send_invitations, withdraw_invitations
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.rules import RuleBroken, require

from ..models import Membership, OrganisationMembership, School
from ..rights import is_site_admin
from ..roles import SCHOOL_STAFF, Role
from . import rights, selectors

ONLY_ADMINISTRATORS = ("Only the headteacher, the school's trust or local authority administrator or the site "
                       "administrator can manage the school's people.")
ONLY_GOVERNORS = "Only a governor can be chair of governors or a link governor."
NOT_A_PAGE_ROLE = "Parents and carers come from the school's contacts; choose another role."


def _normalise_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


@dataclass(frozen=True)
class Added:
    membership: Membership
    account_created: bool  # a new account was made for the email
    invited: bool  # an invitation to set a password was emailed
    already_held: bool  # they held this role already: nothing changed (e.g. the form was sent twice)
    previous_chair: User | None = None  # the chair this person replaced


def add_member(*, school: School, actor: User, full_name: str, email: str, role: Role, job_title: str = "",
               is_chair: bool = False, is_link_governor: bool = False, request: HttpRequest | None = None,
               now: datetime | None = None) -> Added:
    """Give the person with ``email`` a role in ``school``: their existing account if there is one (never a
    second), else a new one with no password, and an emailed invitation to set it unless they already can sign in
    or hold a link that still works. A role they hold already changes nothing."""
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    if role not in selectors.MANAGED_ROLES:
        raise RuleBroken(NOT_A_PAGE_ROLE)
    if (is_chair or is_link_governor) and role != Role.GOVERNOR:
        raise RuleBroken(ONLY_GOVERNORS)
    now = now or timezone.now()
    email, full_name = _normalise_email(email), " ".join(full_name.split())
    with transaction.atomic():
        lock_for_update(school)
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email=email, full_name=full_name)  # no password until they set one
            record_event(verb="account.created", actor=actor, school=school, target=user, request=request)
        else:
            _reopen_account(user, school, actor, request, full_name)
        membership = Membership.objects.filter(user=user, school=school, role=role).first()
        if membership is not None and membership.is_active:
            return Added(membership, account_created=False, invited=False, already_held=True)
        previous_chair = _clear_chair(school, actor, request) if is_chair else None
        if membership is None:
            membership = Membership.objects.create(user=user, school=school, role=role, job_title=job_title,
                                                   is_chair=is_chair, is_safeguarding_governor=is_link_governor)
        else:
            membership.is_active, membership.job_title = True, job_title
            membership.is_chair, membership.is_safeguarding_governor = is_chair, is_link_governor
            membership.save(update_fields=["is_active", "job_title", "is_chair", "is_safeguarding_governor"])
        record_event(verb="membership.added", actor=actor, school=school, target=membership, request=request,
                     detail={"role": role, "user_id": user.pk, "account_created": created, "chair": is_chair,
                             "link_governor": is_link_governor})
        invited = not has_password(user) and live_invitation_of(user, now) is None
        if invited:
            send_invitation(user=user, school=school, actor=actor, kind=Invitation.Kind.STAFF, request=request,
                            now=now)
    return Added(membership, account_created=created, invited=invited, already_held=False,
                 previous_chair=previous_chair.user if previous_chair else None)


SWITCHED_OFF_BY_THE_SITE = ("This account has been switched off by the site administrator, so a school cannot give "
                            "it a role. Ask the site administrator to switch it back on first.")


def _reopen_account(user: User, school: School, actor: User, request: HttpRequest | None, full_name: str) -> None:
    """An existing account given a role again: switched back on if leaving had switched it off (its last role
    ended, ``closed_with_last_role``), and named if it had no name. An account switched off for any other reason
    (the site administrator did it, in the admin) stays off unless the site administrator is the one asking. An
    existing name is never overwritten (another school may know the person by it)."""
    fields = []
    if not user.is_active:
        if not user.closed_with_last_role and not is_site_admin(actor):
            raise RuleBroken(SWITCHED_OFF_BY_THE_SITE)
        user.is_active, user.closed_with_last_role = True, False
        fields += ["is_active", "closed_with_last_role"]
        record_event(verb="account.reopened", actor=actor, school=school, target=user, request=request)
    if not user.full_name and full_name:
        user.full_name = full_name
        fields.append("full_name")
    if fields:
        user.save(update_fields=fields)


def _check_headship(actor: User, membership: Membership, successor: User | None) -> None:
    """The guard rails for taking a headteacher role away: never one's own; never the last one without naming
    the next headteacher."""
    refusal = rights.headship_refusal(actor, membership)
    if refusal:
        raise RuleBroken(refusal)
    if successor is None and selectors.is_last_headteacher(membership):
        raise RuleBroken("This is the school's only headteacher. Name the new headteacher first: they are given "
                         "the role as this one ends.")


def _name_successor(membership: Membership, successor: User, actor: User, request: HttpRequest | None) -> Membership:
    """Make ``successor`` (an active member of staff of the school, not the person leaving) a headteacher."""
    school = membership.school
    if successor.pk == membership.user_id:
        raise RuleBroken("Name someone else as the new headteacher.")
    if not successor.is_active or not Membership.objects.filter(
            user=successor, school=school, is_active=True, role__in=list(SCHOOL_STAFF)).exists():
        raise RuleBroken("The new headteacher must be a member of staff at the school. Add them first.")
    head, created = Membership.objects.get_or_create(user=successor, school=school, role=Role.HEADTEACHER,
                                                     defaults={"job_title": "Headteacher"})
    if not created and head.is_active:
        return head
    if not created:
        head.is_active = True
        head.save(update_fields=["is_active"])
    record_event(verb="membership.added", actor=actor, school=school, target=head, request=request,
                 detail={"role": Role.HEADTEACHER, "user_id": successor.pk, "successor_of": membership.pk})
    return head


def _deactivate(membership: Membership) -> None:
    membership.is_active = membership.is_chair = membership.is_safeguarding_governor = False
    membership.save(update_fields=["is_active", "is_chair", "is_safeguarding_governor"])


@dataclass(frozen=True)
class Changed:
    membership: Membership  # the new role's membership
    already_done: bool  # the change had been made already (the form was sent twice): nothing changed


def change_role(*, membership: Membership, actor: User, role: Role, successor: User | None = None,
                request: HttpRequest | None = None) -> Changed:
    """Replace one of the person's roles with another (the old membership ends; the new one starts with the same
    job title). A headteacher's role needs the guard rails of ``end_membership``."""
    school = membership.school
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    if role not in selectors.MANAGED_ROLES:
        raise RuleBroken(NOT_A_PAGE_ROLE)
    with transaction.atomic():
        lock_for_update(school)
        membership.refresh_from_db()
        target = Membership.objects.filter(user_id=membership.user_id, school=school, role=role).first()
        if not membership.is_active:
            if target is not None and target.is_active:
                return Changed(target, already_done=True)
            raise RuleBroken("This role has already ended.")
        if role == membership.role:
            raise RuleBroken("They already hold that role. Choose a different one.")
        if target is not None and target.is_active:
            raise RuleBroken(f"They already hold the role {Role(role).label} too. End this role instead.")
        _check_headship(actor, membership, successor)
        if successor is not None and membership.role == Role.HEADTEACHER:
            _name_successor(membership, successor, actor, request)
        _deactivate(membership)
        if target is None:
            target = Membership.objects.create(user_id=membership.user_id, school=school, role=role,
                                               job_title=membership.job_title)
        else:
            target.is_active, target.job_title = True, membership.job_title
            target.is_chair = target.is_safeguarding_governor = False
            target.save(update_fields=["is_active", "job_title", "is_chair", "is_safeguarding_governor"])
        record_event(verb="membership.role_changed", actor=actor, school=school, target=target, request=request,
                     detail={"from": membership.role, "to": role, "user_id": membership.user_id,
                             "previous_membership": membership.pk})
    return Changed(target, already_done=False)


@dataclass(frozen=True)
class Ended:
    membership: Membership
    already_done: bool  # it had ended already (the form was sent twice): nothing changed
    account_closed: bool  # they had no other role anywhere, so their account was switched off


def end_membership(*, membership: Membership, actor: User, successor: User | None = None,
                   request: HttpRequest | None = None) -> Ended:
    """End one of a person's roles: they lose what it gave them at once (every page reads the memberships on each
    request); their name stays on every record. With no role left in any school (and no trust role), their
    account is switched off and any invitation withdrawn, so they keep no access anywhere. Ending the school's
    last headteacher needs ``successor``, who becomes headteacher in the same transaction."""
    school = membership.school
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    if membership.role == Role.PARENT:
        raise RuleBroken("A parent's access follows their children: it ends when the roster says so.")
    with transaction.atomic():
        lock_for_update(school)
        membership.refresh_from_db()
        if not membership.is_active:
            return Ended(membership, already_done=True, account_closed=False)
        _check_headship(actor, membership, successor)
        if successor is not None and membership.role == Role.HEADTEACHER:
            _name_successor(membership, successor, actor, request)
        _deactivate(membership)
        record_event(verb="membership.ended", actor=actor, school=school, target=membership, request=request,
                     detail={"role": membership.role, "user_id": membership.user_id})
        closed = _close_account_if_nowhere(membership.user, school, actor, request)
    return Ended(membership, already_done=False, account_closed=closed)


def _close_account_if_nowhere(user: User, school: School, actor: User, request: HttpRequest | None) -> bool:
    """Switch the account off when it holds no role in any school or organisation (the site administrator's
    accounts excepted): sessions end at the next request, and sign-in and password reset refuse it."""
    if user.is_staff or user.is_superuser or not user.is_active:
        return False
    if Membership.objects.filter(user=user, is_active=True).exists():
        return False
    if OrganisationMembership.objects.filter(user=user, is_active=True).exists():
        return False
    user.is_active, user.closed_with_last_role = False, True
    user.save(update_fields=["is_active", "closed_with_last_role"])
    withdraw_invitations(user=user, school=school, actor=actor, request=request)
    record_event(verb="account.closed", actor=actor, school=school, target=user, request=request,
                 detail={"reason": "no role left"})
    return True


def _governor(membership: Membership) -> None:
    if membership.role != Role.GOVERNOR or not membership.is_active:
        raise RuleBroken(ONLY_GOVERNORS)


def _clear_chair(school: School, actor: User, request: HttpRequest | None,
                 keep: Membership | None = None) -> Membership | None:
    """Take the chair from whoever holds it (but ``keep``); the one chair per school is a database constraint."""
    chair = selectors.current_chair(school)
    if chair is None or (keep is not None and chair.pk == keep.pk):
        return None
    chair.is_chair = False
    chair.save(update_fields=["is_chair"])
    record_event(verb="membership.chair_cleared", actor=actor, school=school, target=chair, request=request)
    return chair


@dataclass(frozen=True)
class Chaired:
    membership: Membership
    previous: Membership | None  # the chair they replaced
    already_done: bool


@contextmanager
def _governor_locked(membership: Membership, actor: User) -> Iterator[None]:
    """The opening every change to a governor's marks shares: the actor's right, one transaction under the school's
    lock (so two changes at once are made one after the other), and the membership read again and checked."""
    require(rights.can_manage_people(actor, membership.school), ONLY_ADMINISTRATORS)
    with transaction.atomic():
        lock_for_update(membership.school)
        membership.refresh_from_db()
        _governor(membership)
        yield


def set_chair(*, membership: Membership, actor: User, request: HttpRequest | None = None) -> Chaired:
    """Make this governor the chair of governors, in place of any other."""
    school = membership.school
    with _governor_locked(membership, actor):
        if membership.is_chair:
            return Chaired(membership, None, already_done=True)
        previous = _clear_chair(school, actor, request, keep=membership)
        membership.is_chair = True
        membership.save(update_fields=["is_chair"])
        record_event(verb="membership.chair_set", actor=actor, school=school, target=membership, request=request,
                     detail={"previous": previous.pk if previous else None})
    return Chaired(membership, previous, already_done=False)


def stop_chair(*, membership: Membership, actor: User, request: HttpRequest | None = None) -> bool:
    """This governor is no longer chair (the school has none until another is chosen). False if they were not."""
    school = membership.school
    with _governor_locked(membership, actor):
        if not membership.is_chair:
            return False
        membership.is_chair = False
        membership.save(update_fields=["is_chair"])
        record_event(verb="membership.chair_cleared", actor=actor, school=school, target=membership,
                     request=request)
    return True


def set_link_governor(*, membership: Membership, actor: User, value: bool,
                      request: HttpRequest | None = None) -> bool:
    """Mark (or unmark) this governor as the safeguarding / online safety link governor. The value is given, not
    toggled, so sending the form twice changes it once. False if nothing changed."""
    school = membership.school
    with _governor_locked(membership, actor):
        if membership.is_safeguarding_governor == value:
            return False
        membership.is_safeguarding_governor = value
        membership.save(update_fields=["is_safeguarding_governor"])
        record_event(verb="membership.link_governor_set" if value else "membership.link_governor_cleared",
                     actor=actor, school=school, target=membership, request=request)
    return True


def resend_invitation(*, membership: Membership, actor: User, seen_invitation: int | None,
                      request: HttpRequest | None = None, now: datetime | None = None) -> Invitation | None:
    """A fresh link for a member who has not set a password; their earlier links stop working. ``seen_invitation``
    is the unspent invitation the page showed (None for none): if it has been replaced since (the form was sent
    twice), nothing is sent again and None is returned."""
    school = membership.school
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    with transaction.atomic():
        lock_for_update(school)
        membership.refresh_from_db()
        if not membership.is_active:
            raise RuleBroken("This role has ended.")
        current = Invitation.objects.filter(user_id=membership.user_id, accepted_at__isnull=True,
                                            withdrawn_at__isnull=True).values_list("pk", flat=True).first()
        if current != seen_invitation:
            return None
        return send_invitation(user=membership.user, school=school, actor=actor, kind=Invitation.Kind.STAFF,
                               request=request, now=now)


def invite_parents(*, school: School, actor: User, request: HttpRequest | None = None,
                   now: datetime | None = None) -> int:
    """The school gives its parents accounts: every parent contact with an email whose account has no password
    and no invitation still working is emailed one (in bulk). Under the school's lock, so a second click finds
    them all invited. Agreement links keep working without an account. Returns how many were invited."""
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    now = now or timezone.now()
    with transaction.atomic():
        lock_for_update(school)
        users = list(selectors.parents_to_invite(school, now))
        if not users:
            raise RuleBroken("Every parent or carer with an email on record has an account or an invitation that "
                             "still works.")
        return send_invitations(users=users, school=school, actor=actor, kind=Invitation.Kind.PARENT,
                                request=request, now=now)


def invite_staff(*, school: School, actor: User, request: HttpRequest | None = None,
                 now: datetime | None = None) -> int:
    """Invite, in bulk, every member of the school (staff, governors, visitors: not parents) whose account has no
    password and no unspent invitation: typically the staff the roster import made, who otherwise have no way in
    (password reset opens no account). One email each through the outbox; under the school's lock, so a second
    click finds them all invited. An expired invitation is re-sent from the person's own row instead. Returns how
    many were invited."""
    require(rights.can_manage_people(actor, school), ONLY_ADMINISTRATORS)
    now = now or timezone.now()
    with transaction.atomic():
        lock_for_update(school)
        users = list(selectors.staff_to_invite(school))
        if not users:
            raise RuleBroken("Everyone at the school has an account or has been sent an invitation.")
        return send_invitations(users=users, school=school, actor=actor, kind=Invitation.Kind.STAFF,
                                request=request, now=now)
