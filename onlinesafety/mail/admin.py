from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import OutboundEmail
from .services import CLAIM_TIMEOUT, message_id


class SentFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("waiting", "Waiting"), ("sent", "Sent"), ("possible_duplicate", "Possibly sent twice")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> QuerySet[OutboundEmail]:
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "possible_duplicate":
            return queryset.filter(possible_duplicate=True)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(AuditedModelAdmin):
    """How the outbox is doing, never what it holds: an unsent body can carry a password-reset or signing link,
    and a subject or an address can name someone. So no subject, body or address is shown, there is no page for
    one message, and nothing is added or changed here; a stuck message can be deleted (an audit event).

    "possibly sent twice": an attempt began and never finished (its worker stopped), so the email was sent again
    after CLAIM_TIMEOUT; its recipient may have two copies with the same Message-ID (shown, so a complaint can be
    matched to the row)."""

    list_display = ("created_at", "kind", "status", "recipient_domain", "next_attempt_at", "sent_at", "message_id")
    list_display_links = None
    list_filter = ("kind", SentFilter)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundEmail]:
        return super().get_queryset(request).defer("subject", "body")

    @admin.display(description="status")
    def status(self, email: OutboundEmail) -> str:
        twice = ", possibly sent twice" if email.possible_duplicate else ""
        if email.sent_at is not None:
            return f"sent{twice}"
        if email.claimed_at is not None:
            began = f"attempt {email.attempts} began {timezone.localtime(email.claimed_at):%Y-%m-%d %H:%M}"
            if email.claimed_at <= timezone.now() - CLAIM_TIMEOUT:
                return f"stopped: {began} and never finished; it will be sent again, marked possibly sent twice"
            return f"sending: {began}{twice}"
        if email.attempts:
            tries = f"{email.attempts} failed {'try' if email.attempts == 1 else 'tries'} ({email.last_error})"
            return f"waiting: {tries}{twice}"
        return f"waiting{twice}"

    @admin.display(description="Message-ID")
    def message_id(self, email: OutboundEmail) -> str:
        return message_id(email.pk)

    @admin.display(description="recipient's domain")
    def recipient_domain(self, email: OutboundEmail) -> str:
        return email.to.rpartition("@")[2]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: OutboundEmail | None = None) -> bool:
        """The list only: there is no page for one message."""
        return obj is None and super().has_view_permission(request)
