"""Every write for setting schools up: a new school, its terms and half terms, next year's terms copied forward.

Each is one transaction with an audit event, and checks the actor's right again with ``require`` (behind the
view's check): a school is created by the site administrator or an administrator of the trust or local authority
it will belong to; its terms by whoever administers it (``rights.administers_school``).
"""

from collections.abc import Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from onlinesafety.accounts.models import User
from onlinesafety.audit.models import AuditEvent
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Organisation, Phase, School, Term, validate_timezone
from onlinesafety.schools.rights import administers_organisation, administers_school, is_site_admin
from onlinesafety.setup import give_starter_records

from .terms import TermDates, term_problems

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)  # the same school sent twice within this is one school
SLUG_LENGTH = 60
URN_TAKEN = ("A school with this URN is already registered. Check the number on Get Information about Schools, "
             "or ask the site administrator.")
NOT_YOURS = "You can only create schools for a trust or local authority you administer."
ONLY_ADMINISTRATORS = "Only the headteacher, the trust or local authority, or the site administrator sets it up."


class URNTaken(RuleBroken):
    """Another school already has this URN (the form shows it next to the URN)."""


class TermRefused(RuleBroken):
    """A term's dates break a rule; ``problems`` says which field and why (the form shows each)."""

    def __init__(self, problems: dict[str, str], row: int | None = None) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems, self.row = problems, row


# ---------------------------------------------------------------- schools

def slug_for(name: str) -> str:
    """A slug made from the name that no school has yet: ``oakfield-primary``, then ``oakfield-primary-2`` ..."""
    base = slugify(name)[:SLUG_LENGTH - 4].strip("-") or "school"
    taken = set(School.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _just_created_by(actor: User, school: School, name: str) -> bool:
    """``school`` is the one this person created moments ago with this name: the form was sent twice."""
    recent = timezone.now() - DOUBLE_SUBMIT_WINDOW
    return school.name.casefold() == name.casefold() and AuditEvent.objects.filter(
        verb="school.created", actor=actor, object_type="schools.school", object_id=str(school.pk),
        occurred_at__gte=recent).exists()


def create_school(*, actor: User, name: str, urn: str, local_authority: str, phase: Phase, timezone_name: str,
                  organisation: Organisation | None, request: HttpRequest | None = None) -> School:
    """A new school, usable at once: every app's defaults come with it (categories and the response tables,
    the agreements for its phase as drafts, the compliance calendar) and its starter records (the policy
    register). The same school sent twice by the same person is created once."""
    require(organisation is not None or is_site_admin(actor),
            "Only the site administrator creates a school outside a trust or local authority.")
    require(organisation is None or administers_organisation(actor, organisation), NOT_YOURS)
    name, urn, local_authority = " ".join(name.split()), urn.strip(), " ".join(local_authority.split())
    if not name or not local_authority:
        raise RuleBroken("A school needs a name and a local authority.")
    if phase not in Phase.values:
        raise RuleBroken("Choose the school's phase.")
    try:
        validate_timezone(timezone_name)
    except ValidationError:
        raise RuleBroken("Choose a time zone from the list, such as Europe/London.") from None
    for _attempt in range(3):  # a slug taken by someone else at the same moment: make the next one
        existing = School.objects.filter(urn=urn).first()
        if existing is not None:
            if _just_created_by(actor, existing, name):
                return existing
            raise URNTaken(URN_TAKEN)
        try:
            return _create(actor=actor, name=name, urn=urn, local_authority=local_authority, phase=phase,
                           timezone_name=timezone_name, organisation=organisation, request=request)
        except IntegrityError:  # the URN or the slug was taken meanwhile (a double submit at the same instant)
            continue
    raise RuleBroken("The school could not be saved just now. Please try again.")


@transaction.atomic
def _create(*, actor: User, name: str, urn: str, local_authority: str, phase: Phase, timezone_name: str,
            organisation: Organisation | None, request: HttpRequest | None) -> School:
    school = School(name=name, slug=slug_for(name), urn=urn, local_authority=local_authority, phase=phase,
                    timezone=timezone_name, organisation=organisation)
    school.full_clean(validate_unique=False)  # uniqueness is the database's, at the save below
    school.save()  # every domain app's post_save signal adds its defaults, in this transaction
    starters = give_starter_records(school)
    record_event(verb="school.created", actor=actor, school=school, target=school, request=request,
                 detail={"urn": urn, "phase": phase, "organisation": organisation.pk if organisation else None,
                         "starter_records": starters})
    return school


@transaction.atomic
def set_sign_in_security(*, school: School, actor: User, second_factor_for_all_staff: bool,
                         step_up_case_age_days: int, request: HttpRequest | None = None) -> School:
    """Whether the school asks all its staff and governors for a second factor, and how old a case is before
    opening it asks for the second factor again."""
    _require_administers(actor, school)
    if not 30 <= step_up_case_age_days <= 3650:
        raise RuleBroken("The step-up age is between 30 and 3650 days.")
    changed = [name for name, value in (("second_factor_for_all_staff", second_factor_for_all_staff),
                                        ("step_up_case_age_days", step_up_case_age_days))
               if getattr(school, name) != value]
    if not changed:
        return school
    school.second_factor_for_all_staff = second_factor_for_all_staff
    school.step_up_case_age_days = step_up_case_age_days
    school.save(update_fields=changed)
    record_event(verb="school.sign_in_security_changed", actor=actor, school=school, target=school, request=request,
                 detail={"fields": changed, "second_factor_for_all_staff": second_factor_for_all_staff,
                         "step_up_case_age_days": step_up_case_age_days})
    return school


# ---------------------------------------------------------------- terms and half terms

def _require_administers(actor: User, school: School) -> None:
    require(administers_school(actor, school), ONLY_ADMINISTRATORS)


def _fields(dates: TermDates) -> dict[str, object]:
    return {"name": " ".join(dates.name.split()), "starts_on": dates.starts_on, "ends_on": dates.ends_on,
            "half_term_starts_on": dates.half_term_starts_on, "half_term_ends_on": dates.half_term_ends_on}


def _audit_detail(term: Term) -> dict[str, object]:
    return {"starts_on": term.starts_on.isoformat(), "ends_on": term.ends_on.isoformat(),
            "half_term": bool(term.half_term_starts_on)}


@transaction.atomic
def add_term(*, school: School, actor: User, dates: TermDates, request: HttpRequest | None = None) -> Term:
    """Add a term (with its half-term holiday, if any). The same term sent twice is added once."""
    return add_terms(school=school, actor=actor, terms=[dates], request=request)[0]


@transaction.atomic
def add_terms(*, school: School, actor: User, terms: Sequence[TermDates],
              request: HttpRequest | None = None) -> list[Term]:
    """Add several terms at once (next year's, copied forward and adjusted): all of them or none. A term already
    entered with exactly these dates is kept as it is; one that would overlap an existing term is refused, so an
    existing term is never overwritten."""
    _require_administers(actor, school)
    lock_for_update(school)  # one set of term changes per school at a time: overlaps are checked against the rest
    existing = list(Term.objects.filter(school=school))
    saved: list[Term] = []
    accepted: list[TermDates] = []
    for row, dates in enumerate(terms):
        same = next((term for term in existing if dates.matches(term)), None)
        if same is not None:
            saved.append(same)
            continue
        problems = term_problems(dates, [*existing, *accepted])
        if problems:
            raise TermRefused(problems, row)
        accepted.append(dates)
        term = Term(school=school, **_fields(dates))
        term.full_clean()
        term.save()
        record_event(verb="term.added", actor=actor, school=school, target=term, request=request,
                     detail=_audit_detail(term))
        saved.append(term)
    return saved


@transaction.atomic
def change_term(*, term: Term, actor: User, dates: TermDates, request: HttpRequest | None = None) -> Term:
    """Change a term's name, dates or half-term holiday."""
    _require_administers(actor, term.school)
    lock_for_update(term.school)
    others = list(Term.objects.filter(school=term.school).exclude(pk=term.pk))
    problems = term_problems(dates, others)
    if problems:
        raise TermRefused(problems)
    lock_for_update(term)
    if dates.matches(term):
        return term
    before = {"was_starts_on": term.starts_on.isoformat(), "was_ends_on": term.ends_on.isoformat()}
    for name, value in _fields(dates).items():
        setattr(term, name, value)
    term.full_clean()
    term.save()
    record_event(verb="term.changed", actor=actor, school=term.school, target=term, request=request,
                 detail={**_audit_detail(term), **before})
    return term
