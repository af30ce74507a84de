from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from onlinesafety.schools.models import School

from .models import AuditEvent
from .services import record_event


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only list of what happened; nobody can add, change or delete events here."""

    list_display = ("occurred_at", "verb", "actor", "school", "object_type", "object_id", "ip_address")
    list_filter = ("verb", "school")
    search_fields = ("verb", "object_type", "object_id", "actor__email")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor", "school")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are recorded in the audit trail."""

    def _school_of(self, obj: models.Model) -> School | None:
        if isinstance(obj, School):
            return obj
        return getattr(obj, "school", None)

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_event(
                verb=f"admin.{'changed' if change else 'added'}",
                actor=request.user,
                school=self._school_of(obj),
                target=obj,
                request=request,
                detail={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            record_event(
                verb="admin.deleted",
                actor=request.user,
                school=self._school_of(obj),
                request=request,
                detail={"object_type": obj._meta.label_lower, "object_id": str(obj.pk)},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[models.Model]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
