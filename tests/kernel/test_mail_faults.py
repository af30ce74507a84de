"""Email when things fail: sent at least once, never twice without the outbox saying so, one task per request."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models.sql.compiler import SQLUpdateCompiler
from django.urls import reverse
from django.utils import timezone

from onlinesafety.mail import services
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.mail.services import deliver, notify, queue_email
from onlinesafety.mail.tasks import deliver_email, deliver_emails, drain_outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORIGINAL_UPDATE = SQLUpdateCompiler.execute_sql


def failing_when_sent_at_is_saved(error: BaseException, times: int = 1):
    """Makes the UPDATE that records ``sent_at`` (however the code writes it) raise ``error``, ``times`` times:
    the message has already gone to the mail server when it does."""
    left = [times]

    def execute_sql(self, *args, **kwargs):
        if left[0] and any(field.name == "sent_at" and value is not None for field, _, value in self.query.values):
            left[0] -= 1
            raise error
        return ORIGINAL_UPDATE(self, *args, **kwargs)

    return mock.patch.object(SQLUpdateCompiler, "execute_sql", execute_sql)


def queued(subject="Hello", to="a@example.org", minutes_ago=5):
    email = queue_email(to=to, subject=subject, body="Sign in to see it.", kind="test")
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return email


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)


def test_it_sends_once_when_recording_the_send_fails_after_the_mail_server_took_it(no_waiting):
    email = queued()
    with failing_when_sent_at_is_saved(OperationalError("server closed the connection unexpectedly")):
        try:
            deliver(email.pk)
        except OperationalError:
            pass
    deliver(email.pk)  # the task retried
    drain_outbox()  # and the next drain
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.body == ""
    assert not email.possible_duplicate


def test_it_waits_for_an_attempt_that_never_finished_then_sends_it_again_marked_as_a_possible_duplicate(client):
    email = queued(subject="Your link")
    with failing_when_sent_at_is_saved(SystemExit(-9)):  # the worker is killed between the send and the commit
        with pytest.raises(SystemExit):
            deliver(email.pk)
    assert len(mail.outbox) == 1
    assert deliver(email.pk) is False  # not sent again at once: the attempt may still be going on
    assert drain_outbox() == 0
    email.refresh_from_db()
    assert email.sent_at is None and email.claimed_at is not None and email.attempts == 1
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    outbox_admin = reverse("admin:mail_outboundemail_changelist")
    assert b"sending: attempt 1 began" in client.get(outbox_admin).content

    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - services.CLAIM_TIMEOUT - timedelta(seconds=1),
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )
    assert b"stopped: attempt 1 began" in client.get(outbox_admin).content
    assert drain_outbox() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.possible_duplicate and email.attempts == 2
    first, second = mail.outbox
    assert first.message()["Message-ID"] == second.message()["Message-ID"] == services.message_id(email.pk)

    page = client.get(outbox_admin, {"status": "possible_duplicate"})
    assert b"sent, possibly sent twice" in page.content
    assert services.message_id(email.pk).encode() in page.content.replace(b"&lt;", b"<").replace(b"&gt;", b">")


def test_it_sends_once_when_two_workers_deliver_the_same_email_at_once():
    email = queued()
    original_send = EmailMessage.send
    second_worker: list[bool] = []
    sends = []

    def send_while_another_worker_delivers(message, *args, **kwargs):
        sends.append(message)
        if len(sends) == 1:
            second_worker.append(deliver(email.pk))
        return original_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", send_while_another_worker_delivers):
        assert deliver(email.pk) is True
    assert second_worker == [False]
    assert len(mail.outbox) == 1


def test_it_gives_each_email_a_message_id_of_its_own_that_stays_the_same_on_every_try(settings):
    settings.DEFAULT_FROM_EMAIL = "Online Safety <no-reply@school.example>"
    email, other = queued(to="parent.name@example.org"), queued(subject="Other")
    tried = []

    def failing_send(message, *args, **kwargs):
        tried.append(message.message()["Message-ID"])
        raise OSError("smtp down")

    with mock.patch.object(EmailMessage, "send", failing_send):
        assert deliver(email.pk) is False
    assert deliver(email.pk) is True
    assert deliver(other.pk) is True
    sent, sent_other = (m.message()["Message-ID"] for m in mail.outbox)
    assert tried == [sent]
    assert sent != sent_other
    assert sent.startswith(f"<outbox-{email.pk}-") and sent.endswith("@school.example>")
    assert "parent" not in sent and "name" not in sent


def test_it_goes_on_with_a_batch_after_a_database_error(no_waiting):
    emails = [queued(to=f"p{n}@example.org") for n in range(5)]
    real_deliver = services.deliver
    calls = []

    def deliver_losing_the_database_once(email_id):
        calls.append(email_id)
        if len(calls) == 3:
            raise OperationalError("terminating connection due to administrator command")
        return real_deliver(email_id)

    with mock.patch.object(services, "deliver", deliver_losing_the_database_once):
        assert deliver_emails([email.pk for email in emails]) == 5
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.org" for n in range(5)]
    assert calls[2] == calls[3] == emails[2].pk  # the email it failed on is tried again


def test_it_retries_a_batch_a_bounded_number_of_times_then_leaves_it_to_the_drain(no_waiting):
    emails = [queued(to=f"p{n}@example.org") for n in range(3)]
    with mock.patch.object(services, "deliver", side_effect=InterfaceError("connection already closed")) as calls:
        with pytest.raises(InterfaceError):
            deliver_emails([email.pk for email in emails])
    assert calls.call_count == services.DATABASE_RETRIES + 1
    assert drain_outbox() == 3


def test_it_drains_the_outbox_after_a_database_error(no_waiting):
    queued(to="a@example.org")
    queued(to="b@example.org")
    real_ids = services.unsent_email_ids
    with mock.patch.object(services, "unsent_email_ids",
                           side_effect=[OperationalError("the database system is starting up"), real_ids()]):
        assert drain_outbox() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_it_opens_a_new_database_connection_when_a_batch_loses_it(no_waiting):
    if connection.vendor != "postgresql":
        pytest.skip("a closed SQLite file is a ProgrammingError, not a lost connection")
    emails = [OutboundEmail.objects.create(to=f"p{n}@example.org", subject="x", body="y", kind="test")
              for n in range(4)]
    real_deliver = services.deliver
    calls = []

    def deliver_after_the_server_drops_the_connection(email_id):
        calls.append(email_id)
        if len(calls) == 2:
            connection.connection.close()  # under Django: the next query finds the connection gone
        return real_deliver(email_id)

    with mock.patch.object(services, "deliver", deliver_after_the_server_drops_the_connection):
        assert deliver_emails([email.pk for email in emails]) == 4
    assert calls[1] == calls[2]  # the email whose query found the connection gone, tried again
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def count_published():
    return (mock.patch.object(deliver_email, "apply_async", wraps=deliver_email.apply_async),
            mock.patch.object(deliver_emails, "apply_async", wraps=deliver_emails.apply_async))


def test_it_sends_a_notification_to_24_people_in_one_task(django_capture_on_commit_callbacks, oakfield):
    users = UserFactory.create_batch(24)
    single, batch = count_published()
    with single as one_by_one, batch as batches:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                notify(users=users, school=oakfield, message="Something needs you", email_subject="Sign in",
                       email_body="Something needs you.")
    assert one_by_one.call_count + batches.call_count == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in users)
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_it_sends_every_email_of_a_transaction_in_one_task_whichever_savepoints_roll_back(
        django_capture_on_commit_callbacks):
    single, batch = count_published()
    with single as one_by_one, batch as batches:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                with pytest.raises(ValueError), transaction.atomic():
                    queue_email(to="rolled-back-first@example.org", subject="x", body="y", kind="test")
                    raise ValueError
                for n in range(3):
                    queue_email(to=f"p{n}@example.org", subject="x", body="y", kind="test")
                with pytest.raises(ValueError), transaction.atomic():
                    queue_email(to="rolled-back-last@example.org", subject="x", body="y", kind="test")
                    raise ValueError
                queue_email(to="p3@example.org", subject="x", body="y", kind="test")
    assert one_by_one.call_count + batches.call_count == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{n}@example.org" for n in range(4)]
