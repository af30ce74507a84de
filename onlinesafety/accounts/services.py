"""Invitations: an emailed one-time link with which a new member sets their password.

The token comes from the operating system's secure generator and only its SHA-256 is stored; it expires after
``INVITATION_DAYS`` (7 by default) and works once. Sending a new invitation withdraws the person's earlier ones, so
only the latest link works; so does the account getting a password any other way (``withdraw_for_new_password``),
and an account with a password never accepts one. The email names the school and carries the link: never a pupil,
the person's name or a password. Audit events name the invitation by id, never by its token.
"""

import zoneinfo
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.services import record_event
from onlinesafety.mail.services import absolute_url, queue_email, queue_emails
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import School
from onlinesafety.schools.rights import administers_school
from onlinesafety.tokens import new_token

from .models import Invitation, User
from .selectors import UNSPENT, has_password

EMAIL_KINDS = {Invitation.Kind.STAFF: "invitation", Invitation.Kind.PARENT: "parent_invitation"}
WHAT_THE_SITE_IS = {
    Invitation.Kind.STAFF: "where the school keeps its online safety records, policies and agreements",
    Invitation.Kind.PARENT: "where you can read and answer the school's online safety agreements for your family",
}
ONLY_ADMINISTRATORS = "Only the headteacher, the school's trust or local authority administrator or the site " \
                      "administrator can invite people."


class InvitationSpent(RuleBroken):
    """The link was used already, or a newer invitation (or the person leaving) withdrew it."""


class InvitationExpired(RuleBroken):
    """The link is past its date."""


def invitation_days() -> int:
    return settings.INVITATION_DAYS


def invitation_url(token: str) -> str:
    """The emailed link. Opening it moves the token into the session and on to a token-less address (the
    ``invitation`` view), so it is in one request's access log line at most, never in a Referer."""
    return absolute_url(reverse("accounts:invitation", args=[token]))


def invitation_email(school: School, kind: str, url: str, expires_at: datetime) -> tuple[str, str]:
    """Subject and body: the school's name and the link, nothing about the person or any child."""
    expires = timezone.localtime(expires_at, zoneinfo.ZoneInfo(school.timezone))
    subject = f"Set your password for Online Safety at {school.name}"
    body = (
        f"{school.name} has given you an account on Online Safety, {WHAT_THE_SITE_IS[Invitation.Kind(kind)]}.\n\n"
        f"Choose your password with this link:\n{url}\n\n"
        f"The link is for you only. It works once, until {expires.day} {expires:%B %Y at %H:%M}; after that, ask "
        "the school for a new invitation.\n\n"
        "This email does not contain a password, and nobody from the school will ever ask you for yours.\n"
        "If you did not expect this email, you can ignore it, or tell the school office.\n"
    )
    return subject, body


def _check_can_be_invited(user: User) -> None:
    if not user.is_active:
        raise RuleBroken("This account is switched off, so it cannot be invited.")
    if has_password(user):
        raise RuleBroken("This person has already set a password: they can sign in (or reset it from the sign-in "
                         "page).")


def _withdraw_unspent(user_ids: Sequence[int], now: datetime) -> int:
    return Invitation.objects.filter(UNSPENT, user_id__in=list(user_ids)).update(withdrawn_at=now)


def send_invitation(*, user: User, school: School, actor: User, kind: Invitation.Kind,
                    request: HttpRequest | None = None, now: datetime | None = None) -> Invitation:
    """Email ``user`` a fresh link to set their password; any earlier link of theirs stops working."""
    require(administers_school(actor, school), ONLY_ADMINISTRATORS)
    now = now or timezone.now()
    with transaction.atomic():
        _check_can_be_invited(user)
        replaced = _withdraw_unspent([user.pk], now)
        token, hashed = new_token()
        invitation = Invitation.objects.create(user=user, school=school, kind=kind, token_hash=hashed,
                                               invited_by=actor, created_at=now,
                                               expires_at=now + timedelta(days=invitation_days()))
        subject, body = invitation_email(school, kind, invitation_url(token), invitation.expires_at)
        queue_email(to=user.email, subject=subject, body=body, kind=EMAIL_KINDS[kind])
        record_event(verb="invitation.sent", actor=actor, school=school, target=invitation, request=request,
                     detail={"kind": kind, "user_id": user.pk, "replaced": replaced})
    return invitation


def send_invitations(*, users: Sequence[User], school: School, actor: User, kind: Invitation.Kind,
                     request: HttpRequest | None = None, now: datetime | None = None) -> int:
    """The same for many people at once (a school inviting its parents): one email each, through the outbox in
    bulk. The caller picks the people and holds the school's lock. Returns how many were invited."""
    require(administers_school(actor, school), ONLY_ADMINISTRATORS)
    now = now or timezone.now()
    people = [user for user in users if user.is_active and not has_password(user)]
    if not people:
        return 0
    expires_at = now + timedelta(days=invitation_days())
    with transaction.atomic():
        _withdraw_unspent([user.pk for user in people], now)
        invitations, messages = [], []
        for user in people:
            token, hashed = new_token()
            invitations.append(Invitation(user=user, school=school, kind=kind, token_hash=hashed, invited_by=actor,
                                          created_at=now, expires_at=expires_at))
            messages.append((user.email, *invitation_email(school, kind, invitation_url(token), expires_at)))
        Invitation.objects.bulk_create(invitations, batch_size=500)
        queue_emails(messages, kind=EMAIL_KINDS[kind])
        record_event(verb="invitation.sent_in_bulk", actor=actor, school=school, request=request,
                     detail={"kind": kind, "count": len(people)})
    return len(people)


def accept_invitation(*, invitation: Invitation, password: str, request: HttpRequest | None = None,
                      now: datetime | None = None) -> User:
    """Give the invited account its password and spend the invitation. The invitation's and the account's rows are
    locked, so of two submits at once one sets the password and the other finds the link spent. An account that
    has a password already (set from a reset link, the password change page or the admin) makes every invitation
    of theirs spent: an old link never overwrites a password the person chose."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if current is None or current.is_spent:
            raise InvitationSpent("This link has already been used.")
        if current.has_expired(now):
            raise InvitationExpired("This link has expired.")
        user = User.objects.select_for_update().get(pk=current.user_id)
        if not user.is_active:
            raise InvitationSpent("This account is switched off.")
        if has_password(user):
            raise InvitationSpent("This account has a password already.")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise RuleBroken(" ".join(error.messages)) from None
        # Spent before the password is saved: saving it withdraws whatever invitation is still unspent.
        current.accepted_at = now
        current.save(update_fields=["accepted_at"])
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(verb="invitation.accepted", actor=user, school=current.school, target=current, request=request,
                     detail={"kind": current.kind})
    return user


def record_expired_attempt(*, invitation: Invitation, request: HttpRequest | None = None) -> None:
    """Someone opened a link past its date (the audit trail shows who may need a new invitation)."""
    record_event(verb="invitation.expired_attempt", school=invitation.school, target=invitation, request=request,
                 detail={"kind": invitation.kind, "user_id": invitation.user_id})


def withdraw_for_new_password(*, user: User, now: datetime | None = None) -> int:
    """The account has a password now, however it was set (the ``password_set`` signal, sent from ``User.save``
    inside the transaction that saved it): any link of theirs still unspent stops working, so an old invitation
    can never replace the password they chose. Recorded for the school that sent it."""
    unspent = list(Invitation.objects.filter(UNSPENT, user=user).select_related("school"))
    if not unspent:
        return 0
    Invitation.objects.filter(pk__in=[invitation.pk for invitation in unspent]).update(
        withdrawn_at=now or timezone.now())
    for invitation in unspent:  # at most one (a database constraint)
        record_event(verb="invitation.withdrawn", school=invitation.school, target=invitation,
                     detail={"count": 1, "user_id": user.pk, "reason": "password set"})
    return len(unspent)


def withdraw_invitations(*, user: User, school: School, actor: User | None, request: HttpRequest | None = None,
                         now: datetime | None = None) -> int:
    """Stop every link of ``user`` that still works (they left). Called inside the caller's transaction."""
    withdrawn = _withdraw_unspent([user.pk], now or timezone.now())
    if withdrawn:
        record_event(verb="invitation.withdrawn", actor=actor, school=school, target=user, request=request,
                     detail={"count": withdrawn})
    return withdrawn


def sign_out_everywhere(*, user: User, request: HttpRequest) -> int:
    """End every session of ``user`` but the one making the request (the view then signs that one out too), and
    record it. Returns how many others there were."""
    from allauth.usersessions.models import UserSession

    current = request.session.session_key
    others = [s for s in UserSession.objects.purge_and_list(user) if s.session_key != current]
    with transaction.atomic():
        for session in others:
            session.end()
        record_event(verb="auth.signed_out_everywhere", actor=user, target=user, request=request,
                     detail={"sessions_ended": len(others)})
    return len(others)


def unlock_sign_in(*, user: User, actor: User, request: HttpRequest) -> None:
    """Lift the lockout after wrong passwords or codes (the site administrator, from the admin)."""
    from . import lockout

    with transaction.atomic():
        lockout.unlock(request, user)
        record_event(verb="auth.unlocked", actor=actor, target=user, request=request)


def reset_second_factor(*, user: User, actor: User, request: HttpRequest) -> int:
    """Remove every second factor and recovery code of ``user`` (a lost phone): a role that needs one is asked to
    set up a new one at the next page. Their sessions end too, so nobody keeps a session the old factor opened."""
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        removed, _ = Authenticator.objects.filter(user=user).delete()
        for session in UserSession.objects.filter(user=user):
            session.end()
        record_event(verb="auth.second_factor_reset", actor=actor, target=user, request=request,
                     detail={"removed": removed})
    return removed
