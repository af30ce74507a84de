"""The Django admin, audited: every write a site administrator makes there is an audit event.

Events name the record and the fields changed, never their values (a password, an email body, a token and a
case's words are all values). Every ModelAdmin in the project inherits ``AuditedModelAdmin``; the admins that
come with installed packages are registered again below, audited (``tests/kernel/test_admin_audit.py`` walks the
registry). Nobody can sign in as another person from the admin: impersonation is not offered.
"""

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django_celery_beat import admin as beat_admin, models as beat_models
from guardian.admin import GuardedModelAdminMixin

from onlinesafety import ratelimit
from onlinesafety.schools.models import School

from .models import AuditEvent
from .services import record_event


def school_of(obj: models.Model | None) -> School | None:
    if isinstance(obj, School):
        return obj
    school = getattr(obj, "school", None)
    return school if isinstance(school, School) else None


class AuditedModelAdmin(admin.ModelAdmin):
    """Adds, changes and deletes (one by one, in bulk and in inlines) and every action are audit events."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            super().save_model(request, obj, form, change)
            if change and not form.changed_data:
                return  # saved as it was (perhaps for its inlines, which record their own rows)
            record_event(
                verb=f"admin.{'changed' if change else 'added'}",
                actor=request.user,
                school=school_of(obj),
                target=obj,
                request=request,
                detail={"fields": sorted(form.changed_data)},
            )

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        """An inline's rows (a pupil's carers, a user's roles): one event per row added, changed or deleted."""
        parent = form.instance
        on_parent = {"parent_type": parent._meta.label_lower, "parent_id": str(parent.pk)}
        with transaction.atomic(using=router.db_for_write(self.model)):
            for row_form in formset.deleted_forms:
                if row_form.instance.pk is not None:
                    self._record_row(request, "deleted", row_form.instance, parent, on_parent)
            super().save_formset(request, form, formset, change)
            for row in formset.new_objects:
                self._record_row(request, "added", row, parent, {**on_parent, "fields": self._row_fields(formset, row)})
            for row, fields in formset.changed_objects:
                self._record_row(request, "changed", row, parent, {**on_parent, "fields": sorted(fields)})

    @staticmethod
    def _row_fields(formset: BaseInlineFormSet, row: models.Model) -> list[str]:
        return next(sorted(f.changed_data) for f in formset.forms if f.instance is row)

    @staticmethod
    def _record_row(request: HttpRequest, what: str, row: models.Model, parent: models.Model,
                    detail: dict[str, Any]) -> None:
        record_event(verb=f"admin.{what}", actor=request.user, school=school_of(row) or school_of(parent),
                     target=row, request=request, detail=detail)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            # A school's own deletion is not filed under it: the event would hold the school back (PROTECT).
            school = None if isinstance(obj, School) else school_of(obj)
            record_event(verb="admin.deleted", actor=request.user, school=school, target=obj, request=request)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        """The bulk delete: all or nothing, one event per row."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.delete_model(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., str], str, str] | None]:
        """Every action but the bulk delete (whose rows ``delete_queryset`` records) writes one event per row."""
        return {name: audited_action(entry) for name, entry in super().get_actions(request).items()}


def audited_action(entry: tuple[Callable[..., Any], str, str] | None) -> tuple[Callable[..., Any], str, str] | None:
    if entry is None or entry[1] == "delete_selected":
        return entry
    func, name, description = entry

    @functools.wraps(func)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet[Any]) -> Any:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            rows = list(queryset)
            response = func(modeladmin, request, queryset)
            for row in rows:
                record_event(verb="admin.action", actor=request.user, school=school_of(row), target=row,
                             request=request, detail={"action": name})
        return response

    return run, name, description


class AuditedUserAdmin(DjangoUserAdmin, AuditedModelAdmin):
    """Django's user admin, and its "change password" form audited: the event says a password was set or
    switched off for whom, by whom, and nothing about the password."""

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with transaction.atomic(using=router.db_for_write(self.model)):
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    verb = "admin.password_set" if user.has_usable_password() else "admin.password_unset"
                    record_event(verb=verb, actor=request.user, target=user, request=request)
        return response


# guardian annotates change_form_template as an instance str where django-stubs has a ClassVar: ignored here
class AuditedGuardedModelAdmin(GuardedModelAdminMixin, AuditedModelAdmin):  # type: ignore[misc]
    """django-guardian's per-record permission pages, audited: which permissions were granted to or taken from
    which user or group on which record."""

    def get_obj_perms_manage_user_form(self, request: HttpRequest) -> type[forms.Form]:
        return audited_permissions_form(super().get_obj_perms_manage_user_form(request), request)

    def get_obj_perms_manage_group_form(self, request: HttpRequest) -> type[forms.Form]:
        return audited_permissions_form(super().get_obj_perms_manage_group_form(request), request)


def audited_permissions_form(form_class: type[Any], request: HttpRequest) -> type[forms.Form]:
    class AuditedPermissionsForm(form_class):
        def save_obj_perms(self) -> None:
            holder = getattr(self, "user", None) or self.group
            had = set(self.get_obj_perms_field_initial())
            with transaction.atomic(using=router.db_for_write(type(self.obj))):
                super().save_obj_perms()
                now = set(self.cleaned_data[self.get_obj_perms_field_name()])
                record_event(
                    verb="admin.permissions_changed",
                    actor=request.user,
                    school=school_of(self.obj),
                    target=self.obj,
                    request=request,
                    detail={"holder_type": holder._meta.label_lower, "holder_id": str(holder.pk),
                            "granted": sorted(now - had), "removed": sorted(had - now)},
                )

    return AuditedPermissionsForm


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedModelAdmin):
    """Read-only list of what happened; nobody can add, change or delete events here."""

    list_display = ("occurred_at", "verb", "actor", "school", "object_type", "object_id", "ip_address")
    list_filter = ("verb", "school")
    search_fields = ("verb", "object_type", "object_id", "actor__email")
    date_hierarchy = "occurred_at"
    list_select_related = ("actor", "school")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = ["unlock_networks"]

    @admin.action(description="Unlock the networks of the selected rate-limit events")
    def unlock_networks(self, request: HttpRequest, queryset: models.QuerySet[AuditEvent]) -> None:
        """A network locked out by ``onlinesafety.ratelimit`` (its ``ratelimit.*`` events carry its address) may
        open links again at once; each unlock is a ``ratelimit.cleared`` event."""
        addresses = sorted({event.ip_address for event in queryset
                            if event.verb in ratelimit.LIMIT_VERBS and event.ip_address})
        for address in addresses:
            ratelimit.clear_network(address, actor=request.user, request=request, how="admin")
        self.message_user(request, f"Unlocked {len(addresses)} network{'s' if len(addresses) != 1 else ''}."
                          if addresses else "None of the selected events is a rate limit with an address.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


# The installed packages' own admins (auth's groups, celery beat's schedules), registered again audited.
PACKAGE_ADMINS: list[tuple[type[models.Model], type[admin.ModelAdmin]]] = [
    (Group, GroupAdmin),
    (beat_models.PeriodicTask, beat_admin.PeriodicTaskAdmin),
    (beat_models.ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (beat_models.CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (beat_models.SolarSchedule, beat_admin.SolarScheduleAdmin),
    (beat_models.IntervalSchedule, beat_admin.IntervalScheduleAdmin),
]

for _model, _package_admin in PACKAGE_ADMINS:
    admin.site.unregister(_model)
    admin.site.register(_model, type(f"Audited{_package_admin.__name__}", (_package_admin, AuditedModelAdmin), {}))
