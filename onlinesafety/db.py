"""Database helpers every app shares."""

from django.db import models


def lock_for_update(instance: models.Model) -> models.Model:
    """Lock the instance's row for the rest of the transaction and bring the caller's copy up to date."""
    type(instance).objects.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()
    return instance
