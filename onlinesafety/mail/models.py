from django.db import models
from django.db.models import Q


class OutboundEmail(models.Model):
    """An email waiting to be sent, or sent.

    The row is written in the same transaction as the change that caused it, so a broker outage
    cannot lose it: the Celery task sends it, and a periodic task drains anything left behind.
    The body is cleared once sent so the outbox does not become a second copy of people's mail.

    Sending is at least once, never silently twice: an attempt is recorded (``claimed_at``, ``attempts``) and
    committed before the mail server is called, and ``sent_at`` in a transaction of its own after. An attempt
    that never finished (the worker stopped between the two) is retried only after ``CLAIM_TIMEOUT`` and the
    email is then marked ``possible_duplicate``: its recipient may have it twice, with the same Message-ID.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    kind = models.CharField(max_length=60, help_text="What sort of message this is, e.g. password_reset.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="After a failed send: when to try again.")
    last_error = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the latest attempt to send began; recorded (and committed) before the mail server is called.",
    )
    possible_duplicate = models.BooleanField(
        default=False,
        help_text="An attempt began and was never recorded as sent or failed, and the email was sent again: "
                  "its recipient may have it twice.",
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="mail_outbox_unsent"),
        ]

    def __str__(self) -> str:
        # No address: this is what the admin's delete pages and its log show.
        return f"{self.kind} email {self.pk}"


class Notification(models.Model):
    """An in-app alert for one person in one school. Like emails, it names no one."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=200)
    url = models.CharField(max_length=200, blank=True)
    is_urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "school"], condition=Q(read_at__isnull=True), name="mail_notification_unread"),
        ]

    def __str__(self) -> str:
        return self.message
