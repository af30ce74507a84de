from collections.abc import Iterable
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.db import models

M = TypeVar("M", bound=models.Model)


class AuditEventIsAppendOnly(Exception):
    """Raised when code tries to change or remove an append-only record."""


class AppendOnlyQuerySet(models.QuerySet[M]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventIsAppendOnly("These records cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditEventIsAppendOnly("These records cannot be deleted.")

    def bulk_update(self, objs: Iterable[M], fields: Iterable[str], batch_size: int | None = None) -> NoReturn:
        raise AuditEventIsAppendOnly("These records cannot be updated.")

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise AuditEventIsAppendOnly("These records are only ever added.")
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyModel(models.Model):
    """A record that, once written, is never changed or removed (audit trails, change logs)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditEventIsAppendOnly("These records cannot be updated.")
        kwargs["force_insert"] = True  # an instance given an existing id must not overwrite that row
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventIsAppendOnly("These records cannot be deleted.")


class AuditEvent(AppendOnlyModel):
    """One thing that happened: who did what to which record, when and from where.

    Append-only. ``detail`` holds a few identifiers or counts, never names or free text about a child.
    Write events only through ``onlinesafety.audit.services.record_event``.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-occurred_at"], name="audit_school_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"
