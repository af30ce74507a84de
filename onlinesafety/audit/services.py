"""The one place that writes audit events."""

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from onlinesafety.accounts.models import Person
from onlinesafety.clientaddress import client_ip
from onlinesafety.schools.models import School

from .models import AuditEvent

MAX_DETAIL_BYTES = 2048


def record_event(
    *,
    verb: str,
    actor: Person | None = None,
    school: School | None = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event. Call it inside the service's transaction so both land or neither does."""
    detail = detail or {}
    if len(json.dumps(detail, default=str)) > MAX_DETAIL_BYTES:
        raise ValueError("Audit detail is limited to a few identifiers; keep it under 2 KB.")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    assert not isinstance(actor, AnonymousUser), "an anonymous user is not authenticated, so it is None by now"
    return AuditEvent.objects.create(
        verb=verb,
        actor=actor,
        school=school,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        detail=detail,
    )
