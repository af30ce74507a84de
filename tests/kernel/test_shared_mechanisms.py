"""The kernel's shared mechanisms that every app's views and services use: rights, refusals, ``next``,
downloads and enqueueing."""

import logging
import time

import pytest
from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from redis import Redis

from onlinesafety.access import HasRole, check_needed, found, school_member_required
from onlinesafety.downloads import bytes_download, safe_filename
from onlinesafety.jobs import enqueue_after_commit, enqueue_now
from onlinesafety.mail.tasks import drain_outbox
from onlinesafety.rules import NotAllowed, RuleBroken, require
from onlinesafety.schools.roles import DSL_TEAM, Role
from onlinesafety.views import redirect_to_next, refusal, safe_next
from tests.conftest import publishing_to
from tests.servers import OwnRedis

pytestmark = pytest.mark.django_db


def a_request(path="/", data=None, user=None, school=None):
    request = RequestFactory().post(path, data or {}) if data is not None else RequestFactory().get(path)
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request._messages = FallbackStorage(request)
    if user is not None:
        request.user = user
    request.school = school
    return request


class NoteForm(forms.Form):
    text = forms.CharField()


def test_it_turns_a_broken_rule_into_a_form_error_and_swallows_it():
    form = NoteForm({"text": "x"})
    assert form.is_valid()
    with refusal(a_request(), form, "text") as attempt:
        raise RuleBroken("This case is closed. Reopen it first.")
    assert not attempt.ok and form.errors == {"text": ["This case is closed. Reopen it first."]}


def test_it_turns_a_broken_rule_into_a_message_without_a_form():
    request = a_request()
    with refusal(request) as attempt:
        raise RuleBroken("choose a term that has ended.")
    assert not attempt.ok
    assert [str(m) for m in get_messages(request)] == ["Nothing was changed: choose a term that has ended."]


def test_it_lets_every_other_error_through():
    with pytest.raises(ZeroDivisionError), refusal(a_request()):
        1 / 0  # noqa: B018
    with refusal(a_request()) as attempt:
        pass
    assert attempt.ok


@pytest.mark.parametrize(("next_value", "expected"), [
    ("/incidents/3/#timeline", "/incidents/3/#timeline"),
    ("back", "/default/"),  # a bare word: Django's redirect() would look it up as a view name and answer 500
    ("thanks", "/default/"),
    ("//evil.example/", "/default/"),
    ("/\\evil.example/", "/default/"),
    ("https://evil.example/", "/default/"),
    ("javascript:alert(1)", "/default/"),
    ("", "/default/"),
])
def test_it_follows_next_only_to_a_path_on_this_site(next_value, expected):
    request = a_request(data={"next": next_value})
    assert redirect_to_next(request, "/default/")["Location"] == expected
    assert safe_next(request) == ("" if expected == "/default/" else expected)


def test_it_names_downloads_safely_and_marks_them_private():
    response = bytes_download(b"%PDF-1.7", content_type="application/pdf",
                              filename=safe_filename("../Online\nsafety: Ysgol Gymraeg Aberystwyth/2026", ".pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Online safety- Ysgol Gymraeg Aberystwyth-2026.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert safe_filename("Polisi diogelwch ar-lein ŵyr", ".pdf") == "Polisi diogelwch ar-lein ŵyr.pdf"
    assert safe_filename("\x00\x1f..", ".csv") == "download.csv"
    inline = bytes_download(b"x", content_type="application/pdf", filename="a.pdf", inline=True)
    assert inline["Content-Disposition"] == 'inline; filename="a.pdf"'


def test_it_answers_404_for_what_is_not_there_and_403_for_what_is_not_allowed():
    assert found("record") == "record"
    with pytest.raises(Http404):
        found(None)

    class Rights:
        read, work = True, False

    check_needed(Rights(), "read")
    check_needed(Rights(), None)
    with pytest.raises(PermissionDenied):
        check_needed(Rights(), "work")
    with pytest.raises(NotAllowed, match="Only the team"):
        require(False, "Only the team may.")
    assert issubclass(NotAllowed, PermissionDenied)


def test_it_checks_a_right_before_the_view(oakfield, make_member):
    can_triage = HasRole(DSL_TEAM)

    @school_member_required(can_triage)
    def view(request):
        return HttpResponse("ok")

    dsl, teacher = make_member(oakfield, Role.DSL), make_member(oakfield, Role.STAFF)
    assert view(a_request(user=dsl, school=oakfield)).status_code == 200
    with pytest.raises(PermissionDenied):
        view(a_request(user=teacher, school=oakfield))
    assert view(a_request(user=dsl, school=None))["Location"] == "/"  # no current school: home explains
    from django.contrib.auth.models import AnonymousUser

    assert view(a_request(user=AnonymousUser(), school=None))["Location"].startswith("/accounts/login/")


def test_it_never_holds_or_fails_a_request_when_the_broker_is_down(broker_down, caplog,
                                                                   django_capture_on_commit_callbacks):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="onlinesafety.jobs"), \
            django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(drain_outbox, what="The outbox drain")
    assert time.monotonic() - started < 1
    assert enqueue_now(drain_outbox, what="The outbox drain") is False
    assert [record.getMessage() for record in caplog.records][0].startswith("The outbox drain not handed to a worker")


def test_it_gives_up_on_a_broker_that_takes_the_connection_and_never_answers(broker_silent, settings):
    started = time.monotonic()
    assert enqueue_now(drain_outbox, what="The outbox drain") is False
    assert time.monotonic() - started < 3 * settings.PUBLISH_TIMEOUT


def test_it_publishes_again_on_a_fresh_connection_after_the_broker_restarts(monkeypatch, tmp_path):
    redis = OwnRedis(tmp_path)
    with publishing_to(monkeypatch, redis.url):
        redis.start()
        try:
            assert enqueue_now(drain_outbox, what="The outbox drain") is True
            redis.stop()
            redis.start()  # empty: the first message went with the first server
            assert enqueue_now(drain_outbox, what="The outbox drain") is True  # the kept connection had died
            assert Redis(port=redis.port).llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 1
        finally:
            redis.stop()
