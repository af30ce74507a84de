from django.contrib import admin

from onlinesafety.audit.admin import AuditedModelAdmin

from .models import FilteringSettings


@admin.register(FilteringSettings)
class FilteringSettingsAdmin(AuditedModelAdmin):
    list_display = ("school", "max_unblock_days")
