from django.db.models import QuerySet

from onlinesafety.accounts.models import User
from onlinesafety.schools.models import School

from .models import Notification


def notifications_for(user: User, school: School) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, school=school).order_by("-created_at")


def unread_notifications(user: User, school: School) -> QuerySet[Notification]:
    return notifications_for(user, school).filter(read_at__isnull=True)
