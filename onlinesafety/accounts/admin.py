from django.contrib import admin

from onlinesafety.audit.admin import AuditedUserAdmin
from onlinesafety.schools.models import Membership

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
