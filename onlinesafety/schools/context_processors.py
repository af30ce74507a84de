from django.conf import settings

from onlinesafety.mail.selectors import unread_notifications
from onlinesafety.navigation import menus_for, notices_for

from .middleware import SchoolRequest
from .roles import Role, primary_role


def current_school(request: SchoolRequest) -> dict[str, object]:
    school = getattr(request, "school", None)
    roles: frozenset[str] = getattr(request, "roles", frozenset())
    main_role = primary_role(roles)
    unread_alerts = 0
    if school is not None:
        assert request.user.is_authenticated, "the middleware gives only a signed-in member a current school"
        unread_alerts = unread_notifications(request.user, school).count()
    return {
        "current_school": school,
        "user_schools": getattr(request, "schools", []),
        "current_roles": sorted(Role(r).label for r in roles),
        "primary_role": main_role,
        "primary_role_label": Role(main_role).label if main_role else "",
        "nav_menus": menus_for(request),
        "notices": notices_for(request),
        "show_dev_mailbox": settings.DEBUG and request.user.is_authenticated and request.user.is_staff,
        "unread_alerts": unread_alerts,
    }
