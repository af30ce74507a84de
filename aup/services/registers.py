"""The technology access register: restrictions added by hand and lifted, by any member of staff."""

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.db import lock_for_update
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Pupil, School

from .. import rights
from ..models import AccessRestriction

ONLY_STAFF = "Only the school's staff can change the technology access register."


@transaction.atomic
def add_restriction(*, school: School, actor: User, pupil: Pupil, reason: str, ends_on: date | None = None,
                    request: HttpRequest | None = None) -> AccessRestriction:
    require(rights.can_use_registers(actor, school), ONLY_STAFF)
    if not reason.strip():
        raise RuleBroken("Give the reason, so every member of staff understands it.")
    if ends_on and ends_on < timezone.localdate():
        raise RuleBroken("The end date has already passed.")
    restriction = AccessRestriction.objects.create(school=school, pupil=pupil, reason=reason.strip()[:300],
                                                   ends_on=ends_on, added_by=actor)
    record_event(verb="aup.restriction_added", actor=actor, school=school, target=restriction, request=request,
                 detail={"pupil": pupil.pk})
    return restriction


@transaction.atomic
def lift_restriction(*, restriction: AccessRestriction, actor: User,
                     request: HttpRequest | None = None) -> AccessRestriction:
    require(rights.can_use_registers(actor, restriction.school), ONLY_STAFF)
    lock_for_update(restriction)
    if restriction.lifted_at is None:
        restriction.lifted_at, restriction.lifted_by = timezone.now(), actor
        restriction.save(update_fields=["lifted_at", "lifted_by"])
        record_event(verb="aup.restriction_lifted", actor=actor, school=restriction.school, target=restriction,
                     request=request, detail={"pupil": restriction.pupil_id})
    return restriction
