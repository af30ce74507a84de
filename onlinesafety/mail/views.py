from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from onlinesafety.access import school_member_required
from onlinesafety.schools.middleware import SchoolRequest
from onlinesafety.submissions.decorators import sent_once

from . import devmailbox
from .selectors import notifications_for
from .services import mark_notifications_read


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
    notifications = list(notifications_for(request.user, request.school)[:100])
    if request.method == "POST":
        mark_notifications_read(user=request.user, school=request.school)
        return redirect("alerts")
    return render(request, "mail/alerts.html", {"notifications": notifications})
