"""Writes to schools, people and terms. Each one is a transaction that records an audit event."""

from datetime import date

from django.db import transaction
from django.http import HttpRequest

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event

from .models import Contact, Membership, ParentLink, Pupil, School, Term
from .roles import Role


@transaction.atomic
def add_member(
    *, school: School, user: User, role: str, actor: User | None = None, request: HttpRequest | None = None,
    job_title: str = "", is_chair: bool = False, is_safeguarding_governor: bool = False,
) -> Membership:
    """Give ``user`` a role in ``school`` (or reactivate it). Idempotent for the same role."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        school=school,
        role=role,
        defaults={
            "job_title": job_title,
            "is_chair": is_chair,
            "is_safeguarding_governor": is_safeguarding_governor,
        },
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    elif not created:
        return membership
    record_event(
        verb="membership.added", actor=actor, school=school, target=membership, request=request,
        detail={"role": role},
    )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, actor: User | None, request: HttpRequest | None = None) -> Membership:
    """Take a role away; history that refers to the person stays intact."""
    membership.is_active = False
    membership.is_chair = False
    membership.save(update_fields=["is_active", "is_chair"])
    record_event(
        verb="membership.ended", actor=actor, school=membership.school, target=membership, request=request,
        detail={"role": membership.role},
    )
    return membership


def contact_for_account(*, school: School, user: User) -> Contact:
    """The school's contact record for this account, made from the account when there is none yet."""
    contact, _ = Contact.objects.get_or_create(
        school=school, user=user, defaults={"full_name": user.full_name or user.email, "email": user.email})
    return contact


@transaction.atomic
def link_parent(
    *, pupil: Pupil, parent: User, relationship: str, has_parental_responsibility: bool = True,
    actor: User | None = None, request: HttpRequest | None = None,
) -> ParentLink:
    """Link a carer (an account) to a pupil, making them a parent member of the pupil's school."""
    contact = contact_for_account(school=pupil.school, user=parent)
    link, created = ParentLink.objects.update_or_create(
        contact=contact,
        pupil=pupil,
        defaults={"parent": parent, "relationship": relationship,
                  "has_parental_responsibility": has_parental_responsibility},
    )
    add_member(school=pupil.school, user=parent, role=Role.PARENT, actor=actor, request=request)
    record_event(
        verb="parent_link.added" if created else "parent_link.changed",
        actor=actor, school=pupil.school, target=link, request=request,
        detail={"pupil_id": pupil.pk, "parental_responsibility": has_parental_responsibility},
    )
    return link


@transaction.atomic
def add_term(
    *, school: School, name: str, starts_on: date, ends_on: date, actor: User | None = None,
    request: HttpRequest | None = None,
) -> Term:
    term = Term(school=school, name=name, starts_on=starts_on, ends_on=ends_on)
    term.full_clean()
    term.save()
    record_event(verb="term.added", actor=actor, school=school, target=term, request=request)
    return term
