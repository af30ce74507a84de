"""Rights, in one shape for every app.

Each app's ``rights.py`` names what a person may do as predicates ``right(user, school) -> bool`` (most are a
``HasRole`` over a role set from ``onlinesafety.schools.roles``) and, for a record whose rights depend on the
record, a ``<Thing>Access`` dataclass (the record and one boolean per right) from ``<thing>_access(user, ...)``.
The same predicates are used by:

- views, through ``school_member_required(right)`` and the app's ``get_<thing>_for_user(..., needed=...)``,
  which answers 404 for a record the person cannot see and 403 for one they see but may not change;
- services, through ``onlinesafety.rules.require(...)`` for the actor (defence in depth);
- templates, which get the booleans in their context (never a role test of their own);
- the menu, whose entries carry the predicate of the page they open.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect

from onlinesafety.accounts.models import Person
from onlinesafety.schools.models import School
from onlinesafety.schools.roles import RoleSet
from onlinesafety.schools.selectors import roles_in

Right = Callable[[Person, School], bool]  # may this person do this in this school?
T = TypeVar("T")
View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class HasRole:
    """The right of anyone holding one of ``roles`` in the school."""

    roles: RoleSet

    def __call__(self, user: Person, school: School) -> bool:
        return bool(roles_in(user, school) & self.roles)


def any_member(user: Person, school: School) -> bool:
    """The right of anyone with a role in the school."""
    return bool(roles_in(user, school))


def school_member_required(right: Right = any_member) -> Callable[[View], View]:
    """View decorator: the user is signed in, has a current school, and holds ``right`` there.

    Anonymous users go to the login page; a user with no school goes home (which explains); a member without
    the right gets the 403 page.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.school is None:
                return redirect("home")
            if not right(request.user, request.school):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def found(record: T | None, message: str = "Not found.") -> T:
    """The record, or the 404 page: a record the person may not see is answered exactly like one that does
    not exist."""
    if record is None:
        raise Http404(message)
    return record


def check_needed(rights: object, needed: str | None) -> None:
    """403 unless ``rights`` (a ``<Thing>Access``) grants ``needed`` (the name of one of its booleans)."""
    if needed is not None and not getattr(rights, needed):
        raise PermissionDenied
