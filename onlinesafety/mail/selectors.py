from django.db.models import QuerySet

from .models import Notification


def notifications_for(user, school) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, school=school).order_by("-created_at")


def unread_notifications(user, school) -> QuerySet[Notification]:
    return notifications_for(user, school).filter(read_at__isnull=True)
