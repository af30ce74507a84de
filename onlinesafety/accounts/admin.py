from importlib import import_module

from allauth.account import admin as _allauth_account_admin  # noqa: F401  (registers, so it can be unregistered)
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from onlinesafety.audit.admin import AuditedModelAdmin, AuditedUserAdmin
from onlinesafety.schools.models import Membership

from . import services
from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("school", "role", "job_title", "is_chair", "is_safeguarding_governor", "is_active")


@admin.register(User)
class UserAdmin(AuditedUserAdmin):
    ordering = ("full_name", "email")
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "full_name", "password")}),
        ("Access", {"fields": ("is_active", "closed_with_last_role", "is_staff", "is_superuser", "groups",
                               "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    # Switched off here, an account stays off until switched on here: only the people pages set this flag (when a
    # person's last role ends), and a school re-opens only such an account.
    readonly_fields = ("last_login", "date_joined", "closed_with_last_role")
    actions = ["unlock_sign_in", "reset_second_factor"]

    @admin.action(description="Unlock sign-in (after too many wrong passwords or codes)")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        assert isinstance(request.user, User), "the admin is for signed-in site administrators"
        for user in queryset:
            services.unlock_sign_in(user=user, actor=request.user, request=request)
        self.message_user(request, f"Sign-in unlocked for {queryset.count()} account(s).", messages.SUCCESS)

    @admin.action(description="Reset second factor (lost phone): they set up a new one at their next sign-in")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user
        assert isinstance(actor, User), "the admin is for signed-in site administrators"
        removed = 0
        for user in queryset:
            removed += services.reset_second_factor(user=user, actor=actor, request=request)
        self.message_user(request, f"{removed} second factor(s) removed.", messages.SUCCESS)


# allauth's own admins, audited like every other. Email addresses are the school's (on the user): not edited here.
admin.site.unregister(EmailAddress)
admin.site.unregister(UserSession)
admin.site.unregister(Authenticator)


@admin.register(UserSession)
class SignedInSessionAdmin(UserSessionAdmin, AuditedModelAdmin):
    """Where people are signed in, read-only; deleting a row signs that browser out (audited)."""

    def get_readonly_fields(self, request: HttpRequest, obj: UserSession | None = None) -> list[str]:
        return [field.name for field in UserSession._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        assert isinstance(obj, UserSession)
        with transaction.atomic():
            import_module(settings.SESSION_ENGINE).SessionStore().delete(obj.session_key)
            super().delete_model(request, obj)


@admin.register(Authenticator)
class SecondFactorAdmin(AuthenticatorAdmin, AuditedModelAdmin):
    """Which second factors a person has, never their secrets (a TOTP key, recovery codes): deleting one is the
    "lost phone" reset, audited."""

    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Authenticator | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        """As the "Reset second factor" action: every session of theirs ends too, the lost phone's with them."""
        with transaction.atomic():
            super().delete_model(request, obj)
            assert isinstance(obj, Authenticator)
            for session in UserSession.objects.filter(user_id=obj.user_id):
                session.end()
