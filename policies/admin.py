from django.contrib import admin

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import Duty


@admin.register(Duty)
class DutyAdmin(AuditedModelAdmin):
    """Schools add their own recurring duties here; policies are managed in the app's register."""

    list_display = ("title", "school", "owner_role", "recurrence", "next_due_on")
    list_filter = ("school", "recurrence")
    list_select_related = ("school",)
