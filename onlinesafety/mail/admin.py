from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import OutboundEmail


class SentFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("waiting", "Waiting"), ("sent", "Sent")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[OutboundEmail]) -> QuerySet[OutboundEmail]:
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(AuditedModelAdmin):
    """How the outbox is doing, never what it holds: an unsent body can carry a password-reset or signing link,
    and a subject or an address can name someone. So no subject, body or address is shown, there is no page for
    one message, and nothing is added or changed here; a stuck message can be deleted (an audit event)."""

    list_display = ("created_at", "kind", "status", "recipient_domain", "next_attempt_at", "sent_at")
    list_display_links = None
    list_filter = ("kind", SentFilter)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutboundEmail]:
        return super().get_queryset(request).defer("subject", "body")

    @admin.display(description="status")
    def status(self, email: OutboundEmail) -> str:
        if email.sent_at is not None:
            return "sent"
        if email.attempts:
            return f"waiting: {email.attempts} failed {'try' if email.attempts == 1 else 'tries'} ({email.last_error})"
        return "waiting"

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
