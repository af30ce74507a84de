"""Records shared with one person at a time (django-guardian), on top of what their role shows."""

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from onlinesafety.accounts.models import Person

M = TypeVar("M", bound=Model)


def with_object_permissions(user: Person, perm: str, queryset: QuerySet[M], role_filter: Q) -> QuerySet[M]:
    """Rows the user's role allows, plus rows shared with this user one by one through guardian.

    ``queryset`` must already be scoped to the current school, so a permission on another school's record can
    never widen what this school shows.
    """
    granted = get_objects_for_user(
        user, perm, klass=queryset, accept_global_perms=False, with_superuser=False
    ).values("pk")
    return queryset.filter(role_filter | Q(pk__in=granted))
