"""Reads about schools and people that depend on who is asking."""

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from onlinesafety.accounts.models import Person, User
from onlinesafety.sharing import with_object_permissions

from .models import Membership, ParentLink, Pupil, School, Term
from .roles import SAFEGUARDING_LEADS, SCHOOL_STAFF, Role

_ROLE_CACHE_ATTR = "_onlinesafety_roles_by_school"


def active_memberships(user: Person) -> list[Membership]:
    """Every active membership of the user, with its school, in one query."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, is_active=True).select_related("school").order_by("school__name", "role")
    )


def prime_roles(user: Person, memberships: list[Membership]) -> None:
    """Remember the user's roles per school for this request, so selectors need no extra query."""
    roles: dict[int, set[str]] = {}
    for membership in memberships:
        roles.setdefault(membership.school_id, set()).add(membership.role)
    setattr(user, _ROLE_CACHE_ATTR, {school_id: frozenset(r) for school_id, r in roles.items()})


def roles_in(user: Person, school: School | None) -> frozenset[str]:
    if school is None or not user.is_authenticated:
        return frozenset()
    cache = getattr(user, _ROLE_CACHE_ATTR, None)
    if cache is None:
        prime_roles(user, active_memberships(user))
        cache = getattr(user, _ROLE_CACHE_ATTR)
    return cache.get(school.pk, frozenset())


def pupils_visible_to(user: Person, school: School, *, include_left: bool = False) -> QuerySet[Pupil]:
    """Pupils this user may see in this school.

    School staff see the roster; a parent sees the children linked to them; anyone else sees only
    pupils they were given access to one by one (guardian ``schools.view_pupil``). Pupils who have left are
    only ever included for the safeguarding leads, and only when asked (``include_left``): their records stay
    theirs to read (a chronology), never anyone else's.
    """
    roles = roles_in(user, school)
    pupils = Pupil.objects.filter(school=school)
    if not (include_left and roles & SAFEGUARDING_LEADS):
        pupils = pupils.filter(is_on_roll=True)
    if not roles:  # not a member of this school: nothing, whatever was shared
        return pupils.none()
    if roles & SCHOOL_STAFF:
        return pupils
    role_filter = Q(parent_links__parent=user) if Role.PARENT in roles else Q(pk__in=[])
    return with_object_permissions(user, "schools.view_pupil", pupils, role_filter).distinct()


def get_pupil_for_user(user: Person, school: School, pupil_id: int, *, include_left: bool = False) -> Pupil:
    """One pupil this user may see (see ``pupils_visible_to``); 404 otherwise."""
    pupils = pupils_visible_to(user, school, include_left=include_left)
    pupil = pupils.select_related("school_class").filter(pk=pupil_id).first()
    if pupil is None:
        raise Http404("No such pupil.")
    return pupil


def children_of(user: Person, school: School) -> QuerySet[Pupil]:
    return (
        Pupil.objects.filter(school=school, is_on_roll=True, parent_links__parent_id=user.pk)
        .select_related("school_class")
        .distinct()
    )


def parent_links_of_pupil(pupil: Pupil) -> QuerySet[ParentLink]:
    return pupil.parent_links.select_related("contact").order_by("priority", "contact__full_name")


def members_of(school: School, roles: Iterable[str] | None = None) -> QuerySet[Membership]:
    memberships = Membership.objects.filter(school=school, is_active=True).select_related("user")
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships


def terms_of(school: School) -> QuerySet[Term]:
    return Term.objects.filter(school=school).order_by("starts_on")


def current_term(school: School, on_date: date) -> Term | None:
    return terms_of(school).filter(starts_on__lte=on_date, ends_on__gte=on_date).first()


def users_with_roles(school: School, roles: Iterable[str]) -> QuerySet[User]:
    """Active people holding any of ``roles`` in ``school``, each once, by name."""
    return (
        User.objects.filter(
            is_active=True, memberships__school=school, memberships__role__in=list(roles),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def search_pupils(pupils: QuerySet[Pupil], query: str) -> QuerySet[Pupil]:
    """Pupils whose first or last name contains every word of ``query``."""
    for word in query.replace("\x00", "").split():
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return pupils


def year_groups_of(school: School) -> list[int]:
    return list(
        Pupil.objects.filter(school=school).order_by("year_group").values_list("year_group", flat=True).distinct()
    )
