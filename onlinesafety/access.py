"""Access helpers every app shares: role checks for views and the guardian selector pattern."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import redirect
from guardian.shortcuts import get_objects_for_user


def with_object_permissions(user, perm: str, queryset: QuerySet, role_filter: Q) -> QuerySet:
    """Rows the user's role allows, plus rows shared with this user one by one through guardian.

    ``queryset`` must already be scoped to the current school, so a permission on another school's
    record can never widen what this school shows.
    """
    granted = get_objects_for_user(
        user, perm, klass=queryset, accept_global_perms=False, with_superuser=False
    ).values("pk")
    return queryset.filter(role_filter | Q(pk__in=granted))


def school_member_required(*roles):
    """View decorator: the user is signed in, has a current school and (if given) one of ``roles``.

    Anonymous users go to the login page; a user with no school goes home (which explains); a member
    without the role gets the 403 page.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.school is None:
                return redirect("home")
            if roles and not (request.roles & set(roles)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
