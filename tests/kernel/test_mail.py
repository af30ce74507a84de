import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from onlinesafety.mail.models import OutboundEmail
from onlinesafety.mail.services import deliver, queue_email
from onlinesafety.mail.tasks import drain_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_sends_a_queued_email_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(to="a@example.org", subject="Hello", body="Sign in to view it.", kind="test")
    assert [m.subject for m in mail.outbox] == ["Hello"]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_it_sends_each_email_once_however_often_delivery_runs():
    email = queue_email(to="a@example.org", subject="Once", body="x", kind="test")
    assert deliver(email.pk) is True
    assert deliver(email.pk) is False
    assert len(mail.outbox) == 1


def test_it_keeps_the_email_when_the_broker_is_down(django_capture_on_commit_callbacks, broker_down):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(to="a@example.org", subject="Later", body="x", kind="test")
    assert time.monotonic() - started < 1  # the request is never held by the broker
    assert mail.outbox == []
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert drain_outbox() == 1
    assert [m.subject for m in mail.outbox] == ["Later"]


def test_it_records_a_failed_send_and_retries_later():
    email = queue_email(to="a@example.org", subject="Flaky", body="x", kind="test")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        assert deliver(email.pk) is False
    email.refresh_from_db()
    assert (email.sent_at, email.attempts, email.last_error) == (None, 1, "OSError")
    assert deliver(email.pk) is True


def test_it_lists_development_mail_for_site_admins(client, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    email = queue_email(to="parent@example.org", subject="Please sign", body="Open the link", kind="test")
    deliver(email.pk)
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("mail:dev_mailbox"))
    assert page.status_code == 200
    assert b"Please sign" in page.content
    message_id = page.context["messages_sent"][0].id
    detail = client.get(reverse("mail:dev_message", args=[message_id]))
    assert b"Open the link" in detail.content
    assert client.get(reverse("mail:dev_message", args=["nothing.0"])).status_code == 404


def test_it_hides_the_development_mailbox_from_others(client, settings, teacher):
    settings.DEBUG = True
    client.force_login(teacher)
    assert client.get(reverse("mail:dev_mailbox")).status_code == 403
    client.logout()
    assert client.get(reverse("mail:dev_mailbox")).status_code == 302


def test_it_has_no_development_mailbox_without_debug(client, settings):
    settings.DEBUG = False
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("mail:dev_mailbox")).status_code == 404


def test_it_lists_alerts_and_marks_them_read(client, oakfield, riverside, teacher):
    from onlinesafety.mail.models import Notification
    from onlinesafety.mail.services import notify

    notify(users=[teacher], school=oakfield, message="Something needs you", url="/somewhere/")
    notify(users=[teacher], school=riverside, message="Another school's alert")
    client.force_login(teacher)
    page = client.get(reverse("alerts"))
    assert b"Something needs you" in page.content and b"Another school" not in page.content
    assert page.context["unread_alerts"] == 1
    client.post(reverse("alerts"))
    assert Notification.objects.filter(school=oakfield, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(school=riverside, read_at__isnull=True).count() == 1


def test_it_keeps_retrying_with_longer_waits_and_never_abandons_an_email():
    email = queue_email(to="a@example.org", subject="Patient", body="x", kind="test")
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")):
        for _ in range(10):
            OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
            drain_outbox()
    email.refresh_from_db()
    assert email.attempts == 10 and email.sent_at is None
    assert email.next_attempt_at - timezone.now() <= timedelta(hours=1)
    assert drain_outbox() == 0  # not due yet: it waits
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert drain_outbox() == 1


def test_it_queues_many_emails_at_once_and_sends_them_in_batches(django_capture_on_commit_callbacks):
    from onlinesafety.mail.services import queue_emails
    from onlinesafety.mail.tasks import deliver_emails

    messages = [(f"p{n}@example.org", "Please sign", "A link") for n in range(250)]
    with mock.patch("onlinesafety.mail.tasks.deliver_emails.apply_async",
                    wraps=deliver_emails.apply_async) as batches:
        with django_capture_on_commit_callbacks(execute=True):
            assert queue_emails(messages, kind="campaign") == 250
    assert [len(call.kwargs["args"][0]) for call in batches.call_args_list] == [100, 100, 50]
    assert len(mail.outbox) == 250
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_it_keeps_many_emails_waiting_in_the_outbox_when_the_broker_is_down(django_capture_on_commit_callbacks,
                                                                           broker_down):
    from onlinesafety.mail.services import queue_emails

    with django_capture_on_commit_callbacks(execute=True):
        queue_emails([("a@example.org", "One", "x"), ("b@example.org", "Two", "y")], kind="campaign")
    assert mail.outbox == []
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert drain_outbox() == 2
