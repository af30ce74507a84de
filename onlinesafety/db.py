"""Database helpers every app shares."""

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_for_update(instance: M) -> M:
    """Lock the instance's row for the rest of the transaction and bring the caller's copy up to date."""
    type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()
    return instance
