"""Single sign-on in the Django admin: the configurations, to look at only (they are set up and changed on the
school's or trust's own page, where the secret is never shown back, and every change is audited by its service).

allauth's own admins are taken away: its apps table is unused (every app comes from a configuration), no tokens are
stored, and the identities connected through a configuration go with it when it is removed.
"""

from allauth.socialaccount import admin as socialaccount_admin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.http import HttpRequest

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import IdentityProvider

assert socialaccount_admin  # imported so that its registrations happen before they are undone here
for _model in (SocialApp, SocialToken, SocialAccount):
    admin.site.unregister(_model)


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AuditedModelAdmin):
    list_display = ("id", "kind", "school", "organisation", "enabled", "enforces_mfa", "updated_at")
    list_filter = ("kind", "enabled", "enforces_mfa")
    list_select_related = ("school", "organisation")
    fields = ("kind", "school", "organisation", "client_id", "tenant_id", "enabled", "enforces_mfa",
              "enforces_mfa_recorded_by", "enforces_mfa_recorded_at", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdentityProvider | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: IdentityProvider | None = None) -> bool:
        return False
