from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from onlinesafety.access import school_member_required
from onlinesafety.schools.middleware import SchoolRequest
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.views import local_path

from . import devmailbox
from .selectors import alerts_in_order, get_alert_for_user
from .services import mark_notification_read, mark_notifications_read


def _check_dev_mailbox_access(request: HttpRequest) -> HttpResponseRedirect | None:
    if not settings.DEBUG:
        raise Http404("The development mailbox exists only when DEBUG is on.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    return None


def dev_mailbox(request: HttpRequest) -> HttpResponse:
    if (response := _check_dev_mailbox_access(request)) is not None:
        return response
    return render(request, "mail/dev_mailbox.html", {"messages_sent": devmailbox.recent_messages()})


def dev_message(request: HttpRequest, message_id: str) -> HttpResponse:
    if (response := _check_dev_mailbox_access(request)) is not None:
        return response
    message = devmailbox.find_message(message_id)
    if message is None:
        raise Http404("No such message.")
    return render(request, "mail/dev_message.html", {"message": message})


@school_member_required()
@sent_once
def alerts(request: SchoolRequest) -> HttpResponse:
    assert request.school is not None, "school_member_required sends anyone without a school home"
    assert request.user.is_authenticated, "school_member_required sends anyone signed out to the login page"
    notifications = list(alerts_in_order(request.user, request.school)[:100])
    if request.method == "POST":
        mark_notifications_read(user=request.user, school=request.school)
        return redirect("alerts")
    return render(request, "mail/alerts.html", {"notifications": notifications})


@school_member_required()
@require_GET
def open_alert(request: SchoolRequest, notification_id: int) -> HttpResponseRedirect:
    """Following an alert marks it read, then goes where it points: only ever a path on this site, else back to
    the alerts."""
    assert request.school is not None, "school_member_required sends anyone without a school home"
    assert request.user.is_authenticated, "school_member_required sends anyone signed out to the login page"
    notification = get_alert_for_user(request.user, request.school, notification_id)
    mark_notification_read(notification=notification)
    return HttpResponseRedirect(local_path(request, notification.url) or reverse("alerts"))
