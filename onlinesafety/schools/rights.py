"""Who may see the school's pupils and people, and who sets schools up and manages their people."""

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from onlinesafety.access import HasRole
from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import Organisation, OrganisationMembership, OrganisationRole, School
from onlinesafety.schools.roles import PARENTS, PEOPLE_READERS, SAFEGUARDING_LEADS, SCHOOL_STAFF, Role
from onlinesafety.schools.selectors import roles_in

can_see_pupils = HasRole(SCHOOL_STAFF)
can_see_carers = HasRole(SAFEGUARDING_LEADS)  # a pupil's parents and carers, on the pupil's page
can_see_people = HasRole(PEOPLE_READERS)
is_parent = HasRole(PARENTS)


def is_site_admin(user: Person) -> bool:
    """The operator of the installation (``is_staff``): the Django admin, and every school's set-up pages."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def administers_organisation(user: Person, organisation: Organisation | None) -> bool:
    """A trust or local authority administrator of ``organisation`` (or the site administrator)."""
    if is_site_admin(user):
        return True
    if organisation is None or not user.is_authenticated:
        return False
    return OrganisationMembership.objects.filter(user_id=user.pk, organisation=organisation, is_active=True,
                                                 role=OrganisationRole.ADMINISTRATOR).exists()


def can_create_schools(user: Person) -> bool:
    """The site administrator, and any trust or local authority administrator (for their own organisation)."""
    if is_site_admin(user):
        return True
    return user.is_authenticated and OrganisationMembership.objects.filter(
        user_id=user.pk, is_active=True, role=OrganisationRole.ADMINISTRATOR).exists()


def administers_school(user: Person, school: School) -> bool:
    """Set the school up and manage its people: the site administrator, an administrator of the trust or local
    authority it belongs to, and its headteacher."""
    if Role.HEADTEACHER in roles_in(user, school) or is_site_admin(user):
        return True
    return school.organisation_id is not None and administers_organisation(user, school.organisation)


def get_school_to_administer(user: Person, slug: str) -> School:
    """The school named by ``slug`` in a set-up, people or roster address, if ``user`` administers it; 404
    otherwise, exactly as for a school that does not exist (another trust's schools are invisible)."""
    school = School.objects.select_related("organisation").filter(slug=slug).first()
    if school is None or not administers_school(user, school):
        raise Http404("No such school.")
    return school


SchoolView = Callable[..., HttpResponseBase]


def administered_school(view: SchoolView) -> SchoolView:
    """View decorator for the set-up, people and roster pages: signed in, and administers the school named by the
    address's ``slug`` (404 otherwise, see ``get_school_to_administer``); the view gets the school after the
    request, and runs in the school's time zone."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        school = get_school_to_administer(request.user, slug)
        with timezone.override(zoneinfo.ZoneInfo(school.timezone)):
            return view(request, school, *args, **kwargs)

    return wrapped
