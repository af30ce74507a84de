from django.contrib import admin

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import IncidentCategory


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(AuditedModelAdmin):
    """Schools may rename, reorder or retire categories. Cases themselves are kept out of the admin:
    they are read and changed only through the case record, which checks who may see them."""

    list_display = ("name", "school", "code", "position", "accepts_uploads", "is_active")
    list_filter = ("school", "is_active")
    list_select_related = ("school",)
