import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from .models import Membership, School
from .selectors import active_memberships, prime_roles

SESSION_KEY = "current_school_id"


class SchoolRequest(HttpRequest):
    """A request after ``CurrentSchoolMiddleware``: what views and the kernel helpers may read (for typing)."""

    school: School | None
    schools: list[School]
    roles: frozenset[str]
    memberships: list[Membership]
    all_memberships: list[Membership]


class CurrentSchoolMiddleware:
    """Sets ``request.school`` (the school every query is scoped to) and ``request.roles`` in it.

    The school is the one chosen with the switcher (kept in the session), or the user's first school.
    The school's time zone is activated for the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: SchoolRequest) -> HttpResponseBase:
        memberships = active_memberships(request.user)
        prime_roles(request.user, memberships)
        schools = list({m.school_id: m.school for m in memberships}.values())
        chosen = request.session.get(SESSION_KEY)
        school = next((s for s in schools if s.pk == chosen), schools[0] if schools else None)

        request.schools = schools
        request.school = school
        request.roles = frozenset(m.role for m in memberships if school and m.school_id == school.pk)
        request.memberships = [m for m in memberships if school and m.school_id == school.pk]
        request.all_memberships = memberships

        if school is not None:
            timezone.activate(zoneinfo.ZoneInfo(school.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
