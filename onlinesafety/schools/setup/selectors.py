"""Reads for setting schools up that depend on who is asking: the organisations a person administers, their
schools, a school's terms by academic year. Who may do what is ``onlinesafety.schools.rights``."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.http import Http404

from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import Organisation, OrganisationMembership, OrganisationRole, School, Term
from onlinesafety.schools.rights import is_site_admin
from onlinesafety.schools.roles import Role
from onlinesafety.schools.selectors import roles_in

from .years import academic_year_bounds

_ORGANISATIONS_CACHE_ATTR = "_onlinesafety_organisations_administered"


def organisation_ids_administered(user: Person) -> frozenset[int]:
    """The ids of the trusts and local authorities ``user`` is an active administrator of (not every
    organisation for the site administrator: see ``organisations_for``). One query per request: the answer is
    kept on the user object, as ``roles_in`` keeps the school roles."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ORGANISATIONS_CACHE_ATTR, None)
    if cached is None:
        cached = frozenset(OrganisationMembership.objects.filter(
            user_id=user.pk, is_active=True, role=OrganisationRole.ADMINISTRATOR).values_list("organisation_id",
                                                                                             flat=True))
        setattr(user, _ORGANISATIONS_CACHE_ATTR, cached)
    return cached


def administers_current_school(user: Person, school: School) -> bool:
    """``rights.administers_school`` for the menu, which asks it on every page: the same answer (the school's
    headteacher, the site administrator, an administrator of its trust or local authority) from the cached
    roles and organisations, so the menu costs at most one query per request."""
    if Role.HEADTEACHER in roles_in(user, school) or is_site_admin(user):
        return True
    return school.organisation_id is not None and school.organisation_id in organisation_ids_administered(user)


def administers_current_organisation(user: Person, school: School) -> bool:
    """The current school belongs to a trust or local authority this person administers (its page in the menu)."""
    if school.organisation_id is None:
        return False
    return is_site_admin(user) or school.organisation_id in organisation_ids_administered(user)


def organisations_for(user: Person) -> QuerySet[Organisation]:
    """The organisations this person administers: every one for the site administrator."""
    if is_site_admin(user):
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=organisation_ids_administered(user)).order_by("name")


def get_organisation_to_administer(user: Person, slug: str) -> Organisation:
    """The trust or local authority named by ``slug``, if ``user`` administers it; 404 otherwise, exactly as for
    one that does not exist."""
    organisation = organisations_for(user).filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such trust or local authority.")
    return organisation


def schools_of(organisation: Organisation) -> QuerySet[School]:
    return School.objects.filter(organisation=organisation).select_related("organisation").order_by("name", "pk")


def terms_in_year(school: School, start_year: int) -> QuerySet[Term]:
    """The school's terms of the academic year starting in ``start_year`` (by the day each term starts)."""
    first, last = academic_year_bounds(start_year)
    return Term.objects.filter(school=school, starts_on__gte=first, starts_on__lte=last).order_by("starts_on")


def year_to_copy(school: School, this_year: int) -> int:
    """The academic year whose terms "copy forward" starts from: this year's, or last year's while this one has
    none yet (in the summer holiday, "this year" is the one about to start)."""
    if terms_in_year(school, this_year).exists() or not terms_in_year(school, this_year - 1).exists():
        return this_year
    return this_year - 1


def get_term_to_change(school: School, term_id: int) -> Term:
    """One of the school's terms (the caller has checked the person administers the school); 404 for another
    school's term, as for one that does not exist."""
    term = Term.objects.filter(school=school, pk=term_id).first()
    if term is None:
        raise Http404("No such term.")
    return term


def overlapping_term(school: School, starts_on: date, ends_on: date, exclude_id: int | None = None) -> Term | None:
    """A term of the school that shares at least one day with ``starts_on``..``ends_on``, if any."""
    terms = Term.objects.filter(school=school, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if exclude_id is not None:
        terms = terms.exclude(pk=exclude_id)
    return terms.order_by("starts_on").first()


def a_year_on(day: date) -> date:
    """The same weekday a year later: the day of ``day``'s weekday nearest to its date next year, so a term that
    starts on a Monday starts on a Monday, within three days of the same date (it never drifts year on year)."""
    same_date = day + relativedelta(years=1)  # 29 February -> 28 February
    shift = (day.weekday() - same_date.weekday()) % 7
    return same_date + timedelta(days=shift - 7 if shift > 3 else shift)
