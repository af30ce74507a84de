"""Every write to incidents. Each is one transaction that records an audit event.

Each checks the actor's right again (``rights``), behind the view's check, then the case's state (``RuleBroken``),
then writes. Changes to a case's fields check the version the user saw (optimistic locking): if someone else
changed the case in the meantime, ``StaleCase`` is raised and nothing is saved.
"""

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from guardian.shortcuts import assign_perm, remove_perm

from onlinesafety.accounts.models import User
from onlinesafety.audit.services import record_event
from onlinesafety.mail.services import absolute_url, notify, queue_email
from onlinesafety.rules import RuleBroken, require
from onlinesafety.schools.models import Membership, Pupil, School
from onlinesafety.schools.roles import DSL_TEAM, Role
from onlinesafety.uploads import CheckedUpload, NotStored, store_file

from . import checklists, defaults, flowchart, rights, selectors
from .models import (
    Agency,
    AgencyNotContacted,
    Behaviour,
    CaseAction,
    CaseBehaviour,
    CaseChecklist,
    CaseCounter,
    CategoryCode,
    ChecklistAnswer,
    ChecklistAnswerValue,
    ChecklistKind,
    Danger,
    Device,
    Evidence,
    Expectation,
    Illegal,
    IllegalBranch,
    Incident,
    IncidentCategory,
    IncidentPupil,
    Level,
    Location,
    MatrixCell,
    MeetingKind,
    MeetingRole,
    Network,
    Outcome,
    OutsideReport,
    ParentContact,
    PupilReportLink,
    PupilRole,
    Referral,
    ReporterKind,
    Response,
    ResponseMatrix,
    Sanction,
    Status,
    TimelineEntry,
    Visibility,
)

Kind = TimelineEntry.Kind


class StaleTables(RuleBroken):
    """Another member of the team saved the response tables since this editor loaded them."""


class StaleCase(RuleBroken):
    """Someone else changed the case since this user loaded it (the case page says so in its own words)."""


def _require_right(actor: User, incident: Incident, needed: rights.CaseRight) -> None:
    require(rights.may(actor, incident, needed), "You may not change this case.")


# ---------------------------------------------------------------- school set-up

@transaction.atomic
def set_up_school_defaults(*, school: School) -> None:
    """Give a school the default categories and response tables (adds only what is missing). Called by the
    system (when a school is created, and by the demo), so it checks no one's right."""
    existing = set(IncidentCategory.objects.filter(school=school).values_list("code", flat=True))
    added = IncidentCategory.objects.bulk_create(
        [IncidentCategory(school=school, **values) for values in defaults.category_defaults()
         if values["code"] not in existing]
    )
    if added:
        record_event(verb="incident.default_categories_added", school=school, detail={"categories": len(added)})
    _add_default_response_tables(school)


# ---------------------------------------------------------------- the response tables (behaviour x response)

def _add_default_response_tables(school: School) -> None:
    """Version 1 of the school's response tables, from the seeds (only if the school has none)."""
    if ResponseMatrix.objects.filter(school=school).exists():
        return
    matrix = ResponseMatrix.objects.create(school=school, number=1)
    MatrixCell.objects.bulk_create(
        MatrixCell(matrix=matrix, behaviour=behaviour, response=response, expectation=expectation)
        for (behaviour, response), expectation in sorted(defaults.default_cells().items())
    )
    record_event(verb="incident.default_response_tables_added", school=school, target=matrix,
                 detail={"version": 1, "cells": matrix.cells.count()})


@transaction.atomic
def save_response_tables(
    *, school: School, actor: User, cells: dict[tuple[Behaviour, Response], Expectation],
    continued_threshold: int, continued_period_days: int, based_on: int,
    request: HttpRequest | None = None,
) -> ResponseMatrix:
    """Save the school's response tables as a new version (the old ones are kept: each behaviour recorded on a case
    keeps pointing at the version it was recorded under). ``based_on`` is the version the editor saw: if someone
    saved another since, nothing is saved."""
    require(rights.can_edit_response_tables(actor, school),
            "Only the safeguarding team can change the response tables.")
    for (behaviour, response), expectation in cells.items():
        if (behaviour not in Behaviour.values or response not in Response.values
                or expectation not in Expectation.values):
            raise RuleBroken("A cell of the tables is not one the page offered.")
    if not (2 <= continued_threshold <= 50 and 1 <= continued_period_days <= 3650):
        raise RuleBroken("Continued infringements need 2 to 50 cases over 1 to 3650 days.")
    # Lock the school's row (not the latest version's: a save waiting on that row would then read the version it
    # had locked, not the one committed meanwhile, and both saves would number the same new version), so two saves
    # at once are taken one after the other and the second is refused as out of date.
    School.objects.select_for_update().filter(pk=school.pk).first()
    latest = ResponseMatrix.objects.filter(school=school).order_by("-number").first()
    current = latest.number if latest else 0
    if based_on != current:
        raise StaleTables(f"Someone else saved version {current} of the tables while you were editing them, so "
                          "nothing was saved. Reload the page to see their version, then make your change again.")
    before = ({(c.behaviour, c.response): c.expectation for c in latest.cells.all()} if latest else {})
    after = {(str(b), str(r)): str(e) for (b, r), e in cells.items()}
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if latest and not changed and (latest.continued_threshold, latest.continued_period_days) == (
            continued_threshold, continued_period_days):
        raise RuleBroken(f"Nothing was saved: the tables are the same as version {current}. Change a cell or a "
                         "setting to save a new version.")
    matrix = ResponseMatrix.objects.create(
        school=school, number=current + 1, created_by=actor, continued_threshold=continued_threshold,
        continued_period_days=continued_period_days,
    )
    MatrixCell.objects.bulk_create(
        MatrixCell(matrix=matrix, behaviour=behaviour, response=response, expectation=expectation)
        for (behaviour, response), expectation in sorted(cells.items())
    )
    record_event(verb="incident.response_tables_changed", actor=actor, school=school, target=matrix,
                 request=request, detail={
                     "version": matrix.number, "previous": current, "cells": len(cells),
                     "changed": len(changed),
                     "threshold": continued_threshold, "period_days": continued_period_days,
                 })
    return matrix


@transaction.atomic
def record_behaviours(
    *, incident: Incident, actor: User, behaviours: Sequence[Behaviour], expected_version: int | None,
    request: HttpRequest | None = None,
) -> Incident:
    """Set which behaviours the case concerns. A behaviour already recorded keeps the tables it was recorded under;
    one added now takes the school's current version."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    wanted = list(dict.fromkeys(Behaviour(b) for b in behaviours))
    current = ResponseMatrix.objects.filter(school=incident.school).order_by("-number").first()
    if current is None:
        raise RuleBroken("This school has no response tables yet.")
    had = set(incident.behaviours.values_list("behaviour", flat=True))
    added = [b for b in wanted if b not in had]
    removed = sorted(had - set(wanted))
    if not added and not removed:
        raise RuleBroken("The case already has exactly those behaviours.")
    text = "; ".join([f"Added: {Behaviour(b).label}" for b in added]
                     + [f"Removed: {Behaviour(b).label}" for b in removed])
    _log(incident, actor, Kind.BEHAVIOURS, text, "behaviours_recorded", request,
         {"added": [str(b) for b in added], "removed": removed, "tables_version": current.number},
         expected_version=expected_version)
    incident.behaviours.filter(behaviour__in=removed).delete()
    CaseBehaviour.objects.bulk_create(
        CaseBehaviour(incident=incident, behaviour=b, matrix=current, recorded_by=actor) for b in added
    )
    return incident


@transaction.atomic
def set_pupil_role(
    *, incident: Incident, actor: User, pupil: Pupil, role: PupilRole, expected_version: int | None,
    request: HttpRequest | None = None,
) -> IncidentPupil:
    """Change a linked pupil's role in this case (the reporter's choice, corrected by the team). The role is this
    pupil's in this case alone; the audit event records ids and roles, never a name."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    if role not in PupilRole.values:
        raise RuleBroken("Choose a role from the list.")
    link = IncidentPupil.objects.select_for_update().filter(incident=incident, pupil=pupil).first()
    if link is None:
        raise RuleBroken("That pupil is not linked to this case.")
    if link.role == role:
        raise RuleBroken(f"{pupil.full_name} is already recorded as {PupilRole(role).label.lower()}.")
    was = link.role
    _log(incident, actor, Kind.PUPIL_ROLE,
         f"{pupil.full_name}: {PupilRole(role).label} (was {PupilRole(was).label.lower()})", "pupil_role_changed",
         request, {"pupil_id": pupil.pk, "role": role, "was": was}, expected_version=expected_version)
    link.role = role
    link.save(update_fields=["role"])
    return link


# ---------------------------------------------------------------- reporting

def _route(school: School, allegation_subject: User | None) -> Visibility:
    """Who an allegation goes to: the headteacher; the chair if it is about the head (or there is no head);
    the safeguarding team only if the school has neither, so that a concern never reaches nobody."""
    if allegation_subject is None:
        return Visibility.DSL_TEAM
    active = Membership.objects.filter(school=school, is_active=True, user__is_active=True)
    head_ids = set(active.filter(role=Role.HEADTEACHER).values_list("user_id", flat=True))
    if head_ids and allegation_subject.pk not in head_ids:
        return Visibility.HEADTEACHER
    chair = active.filter(role=Role.GOVERNOR, is_chair=True).exclude(user=allegation_subject)
    return Visibility.CHAIR if chair.exists() else Visibility.DSL_TEAM


def recipients_for(incident: Incident) -> list[User]:
    """Who is told of a new case: the DSL team, or for an allegation the headteacher or the chair only."""
    members = Membership.objects.filter(school=incident.school, is_active=True).select_related("user")
    if incident.visibility == Visibility.CHAIR:
        members = members.filter(role=Role.GOVERNOR, is_chair=True)
    elif incident.visibility == Visibility.HEADTEACHER:
        members = members.filter(role=Role.HEADTEACHER)
    else:
        members = members.filter(role__in=DSL_TEAM)
    users = {m.user_id: m.user for m in members if m.user.is_active}
    if incident.subject_of_allegation_id:
        users.pop(incident.subject_of_allegation_id, None)
    return list(users.values())


def _next_number(school: School) -> int:
    """The school's next case number, from its counter row. The update locks the row until the report commits, so
    reports to one school at the same moment take numbers one after another. It also steps past any number already
    used (a case imported or made by hand), so the counter can never hand out a number that is taken."""
    highest_used = Incident.objects.filter(school=school).order_by().values("school").annotate(n=Max("number"))
    step = {"last_number": Greatest(F("last_number"), Coalesce(Subquery(highest_used.values("n")), 0)) + 1}
    if not CaseCounter.objects.filter(school=school).update(**step):
        try:
            with transaction.atomic():
                CaseCounter.objects.create(school=school)
        except IntegrityError:  # another report made it first: this one now waits on its lock
            pass
        CaseCounter.objects.filter(school=school).update(**step)
    return CaseCounter.objects.filter(school=school).values_list("last_number", flat=True).get()


def report_incident(
    *, school: School, reporter: User, occurred_at: datetime, location: Location, category: IncidentCategory,
    description: str, immediate_risk: bool, possibly_illegal: Illegal, device: Device = Device.UNKNOWN,
    network: Network = Network.UNKNOWN, platform: str = "", url: str = "", other_people: str = "",
    immediate_action: str = "", already_told: str = "", pupils: Iterable[Pupil] = (),
    pupil_roles: Mapping[int, str] | None = None, staff_involved: Iterable[User] = (),
    allegation_subject: User | None = None, files: Sequence[CheckedUpload] = (), request: HttpRequest | None = None,
) -> Incident:
    """Log a new concern, tell whoever must know, and return it. ``pupil_roles``: each pupil's role (pupil id ->
    ``PupilRole``), as the reporter chose it; a pupil without one is "involved"."""
    require(rights.can_report(reporter, school), "You cannot report a concern in this school.")
    fields: dict[str, Any] = {
        "occurred_at": occurred_at, "location": location, "category": category, "description": description,
        "immediate_risk": immediate_risk, "possibly_illegal": possibly_illegal, "device": device,
        "network": network, "platform": platform, "url": url, "other_people": other_people,
        "immediate_action": immediate_action, "already_told": already_told,
    }
    return _report_incident(school=school, reporter=reporter, fields=fields, pupils=pupils,
                            pupil_roles=pupil_roles or {}, staff_involved=staff_involved,
                            allegation_subject=allegation_subject, files=files, request=request)


@transaction.atomic
def _report_incident(
    *, school: School, reporter: User, fields: dict[str, Any], pupils: Iterable[Pupil],
    pupil_roles: Mapping[int, str], staff_involved: Iterable[User], allegation_subject: User | None,
    files: Sequence[CheckedUpload], request: HttpRequest | None,
) -> Incident:
    category: IncidentCategory = fields["category"]
    if files and not category.accepts_uploads:
        raise RuleBroken("Files cannot be uploaded for this kind of concern.")
    incident = Incident.objects.create(
        school=school,
        number=_next_number(school),
        reported_by=reporter,
        is_urgent=bool(fields["immediate_risk"]),
        visibility=_route(school, allegation_subject),
        subject_of_allegation=allegation_subject,
        **fields,
    )
    _link_pupils(incident, pupils, pupil_roles)
    incident.staff_involved.set(staff_involved)
    add_category_checklist(incident)
    saved, not_stored = [], []
    try:
        # A file the uploads folder refuses must not lose the report: each is stored on its own (a savepoint), one
        # that fails leaves nothing behind, and the case's timeline says so for the DSL to ask the reporter for it.
        for upload in files:
            try:
                with transaction.atomic():
                    saved.append(_save_evidence(incident, upload, reporter))
            except NotStored:
                not_stored.append(upload)
        TimelineEntry.objects.create(incident=incident, kind=Kind.REPORTED, author=reporter)
        TimelineEntry.objects.bulk_create(
            TimelineEntry(incident=incident, kind=Kind.EVIDENCE_NOT_STORED, author=reporter,
                          text=upload.original_name[:200])
            for upload in not_stored
        )
        record_event(verb="incident.reported", actor=reporter, school=school, target=incident, request=request,
                     detail={"urgent": incident.is_urgent, "visibility": incident.visibility, "files": len(files),
                             "files_not_stored": len(not_stored)})
        if not_stored:
            record_event(verb="incident.evidence_not_stored", actor=reporter, school=school, target=incident,
                         request=request, detail={"files": len(not_stored)})
        _tell_new_case(incident)
    except Exception:
        for evidence in saved:  # the rows roll back; the files must go too
            evidence.file.delete(save=False)
        raise
    return incident


def _link_pupils(incident: Incident, pupils: Iterable[Pupil], roles: Mapping[int, str]) -> None:
    chosen = list(dict.fromkeys(pupils))
    unknown = {roles[p.pk] for p in chosen if p.pk in roles} - set(PupilRole.values)
    if unknown:
        raise RuleBroken("Choose each pupil's role from the list.")
    IncidentPupil.objects.bulk_create(
        IncidentPupil(incident=incident, pupil=pupil, role=roles.get(pupil.pk, PupilRole.INVOLVED))
        for pupil in chosen
    )


def new_case_message(incident: Incident) -> tuple[str, str]:
    """The alert and email subject for a new case. The alert says which case (its reference and category) and
    how urgent it is; neither names anyone or says what happened."""
    about = f"case {incident.reference} ({incident.category.name.lower()[:60]})"
    if incident.reporter_kind != ReporterKind.STAFF:
        about += f", reported by a {ReporterKind(incident.reporter_kind).label.lower()}"
    illegal = " It may involve something illegal." if flowchart.reporter_said_possibly_illegal(incident) else ""
    if incident.is_urgent:
        return (f"Urgent: {about} needs you now: a child may be at immediate risk.{illegal}",
                "Urgent online safety concern")
    if incident.visibility != Visibility.DSL_TEAM:
        return f"Confidential: {about} is for you alone.", "A confidential concern for you"
    return f"New {about} to acknowledge.{illegal}", "New online safety concern"


def _tell_new_case(incident: Incident) -> None:
    url = reverse("incidents:case", args=[incident.pk])
    message, subject = new_case_message(incident)
    body = (f"{message}\n\nSign in to view it: {absolute_url(url)}\n\n"
            "This email names no one. Please do not forward it.")
    notify(users=recipients_for(incident), school=incident.school, message=message, url=url,
           is_urgent=incident.is_urgent, email_subject=f"{subject} ({incident.school.name})", email_body=body,
           kind="incident_new")


def _save_evidence(incident: Incident, upload: CheckedUpload, actor: User) -> Evidence:
    """``upload`` has been checked by ``onlinesafety.uploads.check_upload`` (type by content, size). Raises
    ``NotStored`` (and keeps no part of the file) if the uploads folder refuses it; the file is deleted again if its
    row cannot be written."""
    evidence = Evidence(
        incident=incident, original_name=upload.original_name[:200], content_type=upload.content_type,
        size=upload.size, sha256=upload.sha256, uploaded_by=actor,
    )
    field, storage = evidence.file.field, evidence.file.storage
    evidence.file.name = store_file(storage, field.generate_filename(evidence, upload.original_name), upload.file,
                                    max_length=field.max_length)
    try:
        evidence.save()
    except Exception:
        storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def add_evidence(
    *, incident: Incident, actor: User, upload: CheckedUpload, request: HttpRequest | None = None
) -> Evidence:
    _require_right(actor, incident, "work")
    if not incident.category.accepts_uploads:
        raise RuleBroken("Files cannot be uploaded for this kind of concern.")
    evidence = _save_evidence(incident, upload, actor)
    try:
        _log(incident, actor, Kind.EVIDENCE, f"{upload.content_type}, {upload.size} bytes", "evidence_added",
             request, {"evidence_id": evidence.pk})
    except Exception:  # the row rolls back with the change: its file must go too
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


# ---------------------------------------------------------------- changing a case

def _bump(incident: Incident, expected_version: int | None, **changes: Any) -> None:
    """Save ``changes`` only if the case is still at the version the user saw."""
    rows = Incident.objects.filter(pk=incident.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1, **changes):
        raise StaleCase("This case was changed by someone else while you were working on it.")
    for field, value in changes.items():
        setattr(incident, field, value)
    incident.refresh_from_db(fields=["version"])


def _log(
    incident: Incident, actor: User, kind: str, text: str, verb: str, request: HttpRequest | None,
    detail: dict[str, Any] | None = None, expected_version: int | None = None, **changes: Any,
) -> TimelineEntry:
    _bump(incident, expected_version, **changes)
    entry = TimelineEntry.objects.create(incident=incident, kind=kind, author=actor, text=text)
    record_event(verb=f"incident.{verb}", actor=actor, school=incident.school, target=incident,
                 request=request, detail=detail or {})
    return entry


def _require_open(incident: Incident) -> None:
    if incident.status == Status.CLOSED:
        raise RuleBroken("This case is closed. Reopen it first.")


@transaction.atomic
def acknowledge(
    *, incident: Incident, actor: User, expected_version: int | None, request: HttpRequest | None = None
) -> Incident:
    _require_right(actor, incident, "work")
    _require_open(incident)
    if incident.acknowledged_at:
        raise RuleBroken("This case has already been acknowledged.")
    _log(incident, actor, Kind.ACKNOWLEDGED, "", "acknowledged", request, expected_version=expected_version,
         acknowledged_at=timezone.now(), acknowledged_by=actor, status=Status.OPEN,
         assigned_to=incident.assigned_to or actor)
    return incident


def _require_not_subject(incident: Incident, person: User) -> None:
    if person.pk == incident.subject_of_allegation_id:
        raise RuleBroken("The person a concern is about cannot be given a part in handling it.")


@transaction.atomic
def assign(
    *, incident: Incident, actor: User, assignee: User, expected_version: int | None,
    request: HttpRequest | None = None,
) -> Incident:
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_not_subject(incident, assignee)
    changes: dict[str, Any] = {"assigned_to": assignee}
    if not incident.acknowledged_at:
        changes.update(acknowledged_at=timezone.now(), acknowledged_by=actor, status=Status.OPEN)
    _log(incident, actor, Kind.ASSIGNED, f"Assigned to {assignee.full_name}", "assigned", request,
         {"assignee_id": assignee.pk}, expected_version=expected_version, **changes)
    return incident


@transaction.atomic
def set_level(
    *, incident: Incident, actor: User, level: Level, expected_version: int | None,
    request: HttpRequest | None = None,
) -> Incident:
    _require_right(actor, incident, "work")
    _require_open(incident)  # a closed case's level was checked by closing: changing it would skip its branch's steps
    _log(incident, actor, Kind.LEVEL, Level(level).label, "level_set", request,
         {"level": level}, expected_version=expected_version, level=level)
    return incident


@transaction.atomic
def set_status(
    *, incident: Incident, actor: User, status: Status, expected_version: int | None,
    request: HttpRequest | None = None,
) -> Incident:
    _require_right(actor, incident, "work")
    if status not in (Status.OPEN, Status.WAITING):
        raise RuleBroken("Use close or reopen to change to that status.")
    _require_open(incident)
    changes: dict[str, Any] = {"status": status}
    if not incident.acknowledged_at:
        changes.update(acknowledged_at=timezone.now(), acknowledged_by=actor)
    _log(incident, actor, Kind.STATUS, Status(status).label, "status_changed", request, {"status": status},
         expected_version=expected_version, **changes)
    return incident


NEEDS_LEVEL = "Set the case's level before closing it."


@transaction.atomic
def close_case(
    *, incident: Incident, actor: User, outcome: Outcome, summary: str = "", expected_version: int | None,
    close_open_actions: bool = False, request: HttpRequest | None = None,
) -> Incident:
    """Close the case. It needs a level; open actions are closed with it only when ``close_open_actions`` says the
    user saw them and agreed (each is then marked done by the closing user, as closed with the case)."""
    _require_right(actor, incident, "work")
    if outcome not in Outcome.values:
        raise RuleBroken("Choose an outcome to close the case.")
    _require_open(incident)
    if not incident.level:
        raise RuleBroken(NEEDS_LEVEL)
    if open_steps := flowchart.open_steps(selectors.branch_checklist(incident, selectors.illegal_branch(incident))):
        raise RuleBroken(flowchart.refusal_to_close(open_steps))
    if missing := selectors.legal_deadlines_unmet(incident):
        raise RuleBroken(missing)
    open_actions = list(CaseAction.objects.select_for_update().filter(incident=incident, done_at__isnull=True))
    if open_actions and not close_open_actions:
        raise RuleBroken(f"This case has {len(open_actions)} open action{'s' if len(open_actions) != 1 else ''}: "
                         "confirm that they close with it, or finish them first.")
    now = timezone.now()
    changes: dict[str, Any] = {"status": Status.CLOSED, "outcome": outcome, "closed_at": now}
    if not incident.acknowledged_at:
        changes.update(acknowledged_at=now, acknowledged_by=actor)
    # Unanswered checklist items do not stop a case closing (the case page asks the user to confirm): the closing
    # says how many there were, on the timeline and in the audit.
    unanswered = len(selectors.unanswered_checklist_items(incident))
    left = f" Closed with {unanswered} checklist item{'s' if unanswered != 1 else ''} unanswered." if unanswered else ""
    _log(incident, actor, Kind.CLOSED, f"{Outcome(outcome).label}. {summary}".strip() + left, "closed", request,
         {"outcome": outcome, "actions_closed": [action.pk for action in open_actions],
          "checklist_items_unanswered": unanswered},
         expected_version=expected_version, **changes)
    if open_actions:
        CaseAction.objects.filter(pk__in=[action.pk for action in open_actions]).update(
            done_at=now, done_by=actor, closed_with_case=True)
    return incident


# ---------------------------------------------------------------- the harms' procedure checklists

def add_category_checklist(incident: Incident) -> CaseChecklist | None:
    """The checklist the case's category brings, if any (a data breach's clock starts when it was reported: the
    team corrects it to when the breach was discovered). Called for each new case, so it checks no one's right."""
    kind = checklists.for_category(incident.category.code)
    if kind is None:
        return None
    started = incident.reported_at if checklists.CHECKLISTS[kind].deadline_hours else None
    checklist, _ = CaseChecklist.objects.get_or_create(incident=incident, kind=kind,
                                                       defaults={"clock_started_at": started})
    return checklist


def _require_manager(actor: User, incident: Incident) -> None:
    require(rights.may(actor, incident, "manage"),
            "Only the safeguarding team handling this case can answer its checklists.")


@transaction.atomic
def add_checklist(
    *, incident: Incident, actor: User, kind: str, request: HttpRequest | None = None
) -> CaseChecklist:
    """Add another harm's checklist to the case (e.g. a cyberbullying case that also involves nudes)."""
    _require_manager(actor, incident)
    _require_open(incident)
    if kind not in ChecklistKind.values:
        raise RuleBroken("Choose a checklist from the list.")
    # The case row is locked, so that two adding the same checklist at once are taken one after the other: the
    # second is refused below rather than failing on the unique constraint.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    already = f"The case already has the {ChecklistKind(kind).label.lower()} checklist."
    if incident.checklists.filter(kind=kind).exists():
        raise RuleBroken(already)
    definition = checklists.CHECKLISTS[kind]
    try:
        with transaction.atomic():  # a savepoint: a database without row locks still refuses, never a 500
            checklist = CaseChecklist.objects.create(
                incident=incident, kind=kind, added_by=actor,
                clock_started_at=incident.reported_at if definition.deadline_hours else None)
    except IntegrityError:
        raise RuleBroken(already) from None
    _log(incident, actor, Kind.CHECKLIST, f"Checklist added: {definition.title}", "checklist_added", request,
         {"checklist": kind})
    return checklist


STALE_CHECKLIST = ("Someone else has answered this checklist since you opened the page, so nothing was saved. "
                   "Check their answers below, then answer again.")


@transaction.atomic
def answer_checklist(
    *, incident: Incident, actor: User, kind: str, answers: dict[str, tuple[str, str]],
    seen: dict[str, str] | None = None, request: HttpRequest | None = None,
) -> int:
    """Record the answers to a case's checklist: ``answers`` maps an item to (yes / no / na, note). Only the items
    whose answer or note changed are written, each with who and when, and each change is an audit event holding the
    previous answer (the history). Returns how many changed.

    ``seen`` (the form's): each item's answer version (``checklists.answer_version``) as the user's page showed it.
    When an item to be written has been answered by anyone since, nothing is saved (optimistic: the page was stale,
    and writing would undo a colleague's answer). ``None`` (a caller with no page, e.g. the demo) skips the check.
    An answer that needs no note (a "no" changed to "yes") clears the note."""
    _require_manager(actor, incident)
    _require_open(incident)
    checklist = CaseChecklist.objects.select_for_update().filter(incident=incident, kind=kind).first()
    if checklist is None:
        raise RuleBroken("The case has no such checklist.")
    definition = checklists.CHECKLISTS[checklist.kind]
    had = {a.item: a for a in checklist.answers.all()}
    now, changed = timezone.now(), []
    for key, (answer, note) in answers.items():
        item = definition.item(key)
        if item is None or answer not in ChecklistAnswerValue.values:
            raise RuleBroken("An answer is not one the page offered: reload the page and try again.")
        note = note.strip()[:300] if answer in item.note_needed_for else ""
        if answer in item.note_needed_for and not note:
            raise RuleBroken(f"{item.note_prompt or 'Say why'}: “{item.question}”")
        before = had.get(key)
        if before is not None and before.answer == answer and before.note == note:
            continue
        if seen is not None and seen.get(key, "") != checklists.answer_version(before):
            raise RuleBroken(STALE_CHECKLIST)
        ChecklistAnswer.objects.update_or_create(
            checklist=checklist, item=key,
            defaults={"answer": answer, "note": note, "answered_by": actor, "answered_at": now})
        changed.append(key)
        record_event(verb="incident.checklist_answered", actor=actor, school=incident.school, target=incident,
                     request=request, detail={"checklist": checklist.kind, "item": key, "answer": answer,
                                              "previous": before.answer if before else None,
                                              "note_changed": before is not None and before.note != note})
    if not changed:
        raise RuleBroken("Nothing changed: the answers are the ones already recorded.")
    count = len(changed)
    _log(incident, actor, Kind.CHECKLIST,
         f"{definition.title}: {count} answer{'s' if count != 1 else ''} recorded", "checklist_saved", request,
         {"checklist": checklist.kind, "items": changed})
    return count


@transaction.atomic
def set_checklist_clock(
    *, incident: Incident, actor: User, kind: str, started_at: datetime,
    request: HttpRequest | None = None,
) -> CaseChecklist:
    """When the harm was discovered (the data breach's 72 hours run from then)."""
    _require_manager(actor, incident)
    _require_open(incident)
    checklist = CaseChecklist.objects.select_for_update().filter(incident=incident, kind=kind).first()
    if checklist is None or not checklists.CHECKLISTS[checklist.kind].deadline_hours:
        raise RuleBroken("That checklist has no clock.")
    if started_at > timezone.now():
        raise RuleBroken("The time it was discovered cannot be in the future.")
    previous = checklist.clock_started_at
    checklist.clock_started_at = started_at
    checklist.save(update_fields=["clock_started_at"])
    tz = zoneinfo.ZoneInfo(incident.school.timezone)
    _log(incident, actor, Kind.CHECKLIST,
         f"{checklists.CHECKLISTS[checklist.kind].title}: discovered {started_at.astimezone(tz):%d %b %Y %H:%M}",
         "checklist_clock_set", request,
         {"checklist": checklist.kind, "previous": previous.isoformat() if previous else None})
    return checklist


# ---------------------------------------------------------------- the flowchart's illegal branch

def _require_possibly_illegal(incident: Incident) -> None:
    if not flowchart.is_possibly_illegal(incident):
        raise RuleBroken("This case is not flagged as possibly illegal: the flowchart's illegal steps do not apply.")


def _require_person_of_school(incident: Incident, person: User | None, what: str) -> None:
    if person is None or not rights.can_be_shared_with(person, incident.school):
        raise RuleBroken(f"Choose who {what}: a member of staff or governor of this school.")
    _require_not_subject(incident, person)


def _branch_for_update(incident: Incident) -> IllegalBranch:
    branch, _ = IllegalBranch.objects.select_for_update().get_or_create(incident=incident)
    return branch


@transaction.atomic
def record_branch_evidence(
    *, incident: Incident, actor: User, how: str, where: str, by: User, expected_version: int | None,
    request: HttpRequest | None = None,
) -> IllegalBranch:
    """How the evidence of a possibly illegal case was preserved, where it is kept and who did it."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_possibly_illegal(incident)
    how, where = how.strip(), where.strip()
    if not how or not where:
        raise RuleBroken("Say how the evidence was preserved and where it is kept.")
    _require_person_of_school(incident, by, "preserved the evidence")
    branch = _branch_for_update(incident)
    branch.evidence_how, branch.evidence_where, branch.evidence_by = how, where, by
    branch.save(update_fields=["evidence_how", "evidence_where", "evidence_by"])
    _log(incident, actor, Kind.BRANCH, f"Evidence preserved ({how}), kept {where}, by {by.full_name}",
         "branch_evidence_recorded", request, {"by_id": by.pk}, expected_version=expected_version)
    return branch


@transaction.atomic
def record_branch_device(
    *, incident: Incident, actor: User, secured: bool, by: User | None = None, held_at: str = "",
    because: str = "", expected_version: int | None, request: HttpRequest | None = None,
) -> IllegalBranch:
    """Whether the device was secured: if so by whom and where it is held; if not, why not."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_possibly_illegal(incident)
    held_at, because = held_at.strip(), because.strip()
    if secured:
        _require_person_of_school(incident, by, "secured the device")
        if not held_at:
            raise RuleBroken("Say where the device is held.")
        text = f"Device secured by {by.full_name if by else ''}, held at {held_at}"
    else:
        if not because:
            raise RuleBroken("Say why the device was not secured.")
        by, held_at = None, ""
        text = f"Device not secured: {because}"
    branch = _branch_for_update(incident)
    branch.device_secured, branch.device_secured_by, branch.device_held_at = secured, by, held_at
    branch.device_not_secured_because = "" if secured else because
    branch.save(update_fields=["device_secured", "device_secured_by", "device_held_at",
                               "device_not_secured_because"])
    _log(incident, actor, Kind.BRANCH, text, "branch_device_recorded", request,
         {"secured": secured, "by_id": by.pk if by else None}, expected_version=expected_version)
    return branch


@transaction.atomic
def record_branch_meeting(
    *, incident: Incident, actor: User, kind: MeetingKind, held_on: date, roles: Sequence[MeetingRole],
    decision: str, expected_version: int | None, request: HttpRequest | None = None,
) -> IllegalBranch:
    """The strategy meeting or incident review: when, who came (by role) and what was decided."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_possibly_illegal(incident)
    if kind not in MeetingKind.values:
        raise RuleBroken("Choose whether it was a strategy meeting or an incident review.")
    chosen = list(dict.fromkeys(roles))
    if not chosen or not set(chosen) <= set(MeetingRole.values):
        raise RuleBroken("Tick the role of each person at the meeting.")
    decision = decision.strip()
    if not decision:
        raise RuleBroken("Say what the meeting decided.")
    branch = _branch_for_update(incident)
    branch.meeting_kind, branch.meeting_on = kind, held_on
    branch.meeting_roles, branch.meeting_decision = [str(role) for role in chosen], decision
    branch.save(update_fields=["meeting_kind", "meeting_on", "meeting_roles", "meeting_decision"])
    _log(incident, actor, Kind.BRANCH,
         f"{MeetingKind(kind).label} on {held_on:%d %b %Y} ({', '.join(MeetingRole(r).label for r in chosen)}): "
         f"{decision}", "branch_meeting_recorded", request, {"kind": kind, "roles": branch.meeting_roles},
         expected_version=expected_version)
    return branch


@transaction.atomic
def record_agency_not_contacted(
    *, incident: Incident, actor: User, agency: Agency, reason: str, expected_version: int | None,
    request: HttpRequest | None = None,
) -> AgencyNotContacted:
    """An agency the branch asks about, not contacted, and why (a contacted one is recorded as a referral)."""
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_possibly_illegal(incident)
    prompted = flowchart.prompted_agencies(incident.level, selectors.adult_in_school_involved(incident))
    if agency not in prompted:
        raise RuleBroken("This case's branch does not ask about that agency.")
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Say why the agency was not contacted.")
    if incident.referrals.filter(agency=agency).exists():
        raise RuleBroken(f"A referral to {Agency(agency).label} is already recorded: it was contacted.")
    answer, _ = AgencyNotContacted.objects.update_or_create(
        incident=incident, agency=agency, defaults={"reason": reason, "recorded_by": actor})
    _log(incident, actor, Kind.BRANCH, f"{Agency(agency).label} not contacted: {reason}", "agency_not_contacted",
         request, {"agency": agency}, expected_version=expected_version)
    return answer


@transaction.atomic
def reopen_case(
    *, incident: Incident, actor: User, reason: str, expected_version: int | None,
    request: HttpRequest | None = None,
) -> Incident:
    """Reopen a closed case; the actions that closed only because the case did are open again (those finished
    before it closed stay done)."""
    _require_right(actor, incident, "work")
    if incident.status != Status.CLOSED:
        raise RuleBroken("Only a closed case can be reopened.")
    closed_with_it = list(CaseAction.objects.select_for_update().filter(incident=incident, closed_with_case=True)
                          .values_list("pk", flat=True))
    _log(incident, actor, Kind.REOPENED, reason, "reopened", request, {"actions_reopened": closed_with_it},
         expected_version=expected_version, status=Status.OPEN, outcome="", closed_at=None)
    CaseAction.objects.filter(pk__in=closed_with_it).update(done_at=None, done_by=None, closed_with_case=False)
    return incident


@transaction.atomic
def add_note(
    *, incident: Incident, actor: User, text: str, kind: Kind = Kind.NOTE, request: HttpRequest | None = None
) -> TimelineEntry:
    _require_right(actor, incident, "work")
    if kind not in (Kind.NOTE, Kind.FEEDBACK, Kind.LESSON):
        raise RuleBroken("That is not a kind of note.")
    if kind == Kind.FEEDBACK and incident.reported_by_id is None:
        raise RuleBroken("This report was sent by a pupil or a parent without an account, so there is no one to "
                         "give feedback to here: record a note, and contact them another way if you need to.")
    verb = {Kind.NOTE: "note_added", Kind.FEEDBACK: "feedback_given", Kind.LESSON: "lesson_recorded"}[kind]
    return _log(incident, actor, kind, text, verb, request)


@transaction.atomic
def add_action(
    *, incident: Incident, actor: User, description: str, owner: User, due_on: date, response_code: str = "",
    request: HttpRequest | None = None,
) -> CaseAction:
    _require_right(actor, incident, "work")
    _require_open(incident)
    _require_not_subject(incident, owner)
    action = CaseAction.objects.create(incident=incident, description=description, owner=owner, due_on=due_on,
                                       response_code=response_code, created_by=actor)
    _log(incident, actor, Kind.ACTION, f"{description} — {owner.full_name}, due {due_on:%d %b %Y}",
         "action_added", request, {"action_id": action.pk, "response": response_code})
    return action


@transaction.atomic
def complete_action(*, action: CaseAction, actor: User, request: HttpRequest | None = None) -> CaseAction:
    action = CaseAction.objects.select_for_update().select_related("incident__school").get(pk=action.pk)
    _require_right(actor, action.incident, "work")
    _require_open(action.incident)
    if action.done_at:
        raise RuleBroken("That action is already done.")
    action.done_at, action.done_by = timezone.now(), actor
    action.save(update_fields=["done_at", "done_by"])
    _log(action.incident, actor, Kind.ACTION_DONE, action.description, "action_done", request,
         {"action_id": action.pk})
    return action


@transaction.atomic
def add_referral(
    *, incident: Incident, actor: User, agency: Agency, referred_on: date, reference: str = "", contact: str = "",
    outcome: str = "", request: HttpRequest | None = None,
) -> Referral:
    _require_right(actor, incident, "work")
    referral = Referral.objects.create(incident=incident, recorded_by=actor, agency=agency, referred_on=referred_on,
                                       reference=reference, contact=contact, outcome=outcome)
    _log(incident, actor, Kind.REFERRAL,
         f"{referral.get_agency_display()} on {referral.referred_on:%d %b %Y}"
         + (f", reference {referral.reference}" if referral.reference else ""),
         "referral_added", request, {"referral_id": referral.pk, "agency": referral.agency})
    return referral


@transaction.atomic
def record_parent_contact(
    *, incident: Incident, actor: User, who: str, contacted_at: datetime, method: ParentContact.Method,
    pupil: Pupil | None = None, request: HttpRequest | None = None,
) -> ParentContact:
    _require_right(actor, incident, "work")
    contact = ParentContact.objects.create(incident=incident, recorded_by=actor, pupil=pupil, who=who,
                                           contacted_at=contacted_at, method=method)
    _log(incident, actor, Kind.PARENTS,
         f"{contact.who} ({contact.get_method_display().lower()}) on {contact.contacted_at:%d %b %Y %H:%M}",
         "parents_informed", request, {"contact_id": contact.pk})
    return contact


@transaction.atomic
def add_sanction(
    *, incident: Incident, actor: User, kind: Sanction.Kind, until: date | None = None, notes: str = "",
    pupil: Pupil | None = None, request: HttpRequest | None = None,
) -> Sanction:
    _require_right(actor, incident, "work")
    sanction = Sanction(incident=incident, recorded_by=actor, pupil=pupil, kind=kind, until=until, notes=notes)
    if sanction.kind == Sanction.Kind.ACCESS_REMOVED and not sanction.until:
        raise RuleBroken("Say until when network and internet access is removed.")
    sanction.save()
    text = sanction.get_kind_display() + (f" until {sanction.until:%d %b %Y}" if sanction.until else "")
    _log(incident, actor, Kind.SANCTION, text, "sanction_added", request,
         {"sanction_id": sanction.pk, "kind": sanction.kind})
    return sanction


@transaction.atomic
def share_case(
    *, incident: Incident, actor: User, colleague: User, can_contribute: bool = False,
    request: HttpRequest | None = None,
) -> None:
    """Let a colleague read the case, or also work on it (everything but sharing it further)."""
    _require_right(actor, incident, "share")
    if colleague.pk == incident.subject_of_allegation_id:
        raise RuleBroken("A case cannot be shared with the person it is about.")
    if not rights.can_be_shared_with(colleague, incident.school):
        raise RuleBroken("A case can be shared only with a colleague in this school.")
    assign_perm("incidents.view_incident", colleague, incident)
    if can_contribute:
        assign_perm("incidents.change_incident", colleague, incident)
    else:
        remove_perm("incidents.change_incident", colleague, incident)
    how = "to work on" if can_contribute else "to read"
    _log(incident, actor, Kind.SHARED, f"Shared with {colleague.full_name} {how}", "shared", request,
         {"colleague_id": colleague.pk, "can_contribute": can_contribute})


@transaction.atomic
def revoke_share(*, incident: Incident, actor: User, colleague: User, request: HttpRequest | None = None) -> None:
    _require_right(actor, incident, "share")
    remove_perm("incidents.view_incident", colleague, incident)
    remove_perm("incidents.change_incident", colleague, incident)
    _log(incident, actor, Kind.UNSHARED, f"No longer shared with {colleague.full_name}", "unshared", request,
         {"colleague_id": colleague.pk})


def record_case_view(*, incident: Incident, actor: User, request: HttpRequest | None = None) -> None:
    """Every opening of a case is kept: its page lists the last 50 viewers (a reporter's view counts too)."""
    require(rights.case_access(actor, incident) is not None, "You may not see this case.")
    record_event(verb="incident.viewed", actor=actor, school=incident.school, target=incident, request=request)


def record_evidence_download(*, evidence: Evidence, actor: User, request: HttpRequest | None = None) -> None:
    _require_right(actor, evidence.incident, "read")
    record_event(verb="incident.evidence_downloaded", actor=actor, school=evidence.incident.school,
                 target=evidence.incident, request=request, detail={"evidence_id": evidence.pk})


def record_log_export(*, school: School, actor: User, rows: int, request: HttpRequest | None = None) -> None:
    require(rights.can_triage(actor, school), "Only the safeguarding team can export the incident log.")
    record_event(verb="incident.log_exported", actor=actor, school=school, request=request, detail={"rows": rows})


# ---------------------------------------------------------------- reports from pupils and parents

RECEIPT_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def pupil_link_token(link: PupilReportLink) -> str:
    """The link's token, made again from its nonce under the site's secret key (the token itself is not stored)."""
    return salted_hmac("incidents.pupil-report-link", f"{link.school_id}:{link.nonce}",
                       algorithm="sha256").hexdigest()[:40]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_live_link(school: School, actor: User | None) -> PupilReportLink | None:
    live = PupilReportLink.objects.select_for_update().filter(school=school, revoked_at__isnull=True).first()
    if live is not None:
        live.revoked_at, live.revoked_by = timezone.now(), actor
        live.save(update_fields=["revoked_at", "revoked_by"])
    return live


def _new_link(school: School, actor: User | None) -> PupilReportLink:
    link = PupilReportLink(school=school, nonce=secrets.token_urlsafe(32), created_by=actor)
    link.token_sha256 = token_digest(pupil_link_token(link))
    link.save()
    return link


@transaction.atomic
def make_pupil_link(*, school: School, actor: User, request: HttpRequest | None = None) -> PupilReportLink:
    """A new pupil link for the school; the one it had (if any) stops working at once."""
    require(rights.can_manage_pupil_link(actor, school), "Only the safeguarding team can change the pupil link.")
    old = _revoke_live_link(school, actor)
    link = _new_link(school, actor)
    record_event(verb="incident.pupil_link_made", actor=actor, school=school, target=link, request=request,
                 detail={"replaced": old.pk if old else None})
    return link


@transaction.atomic
def switch_off_pupil_link(*, school: School, actor: User, request: HttpRequest | None = None) -> None:
    require(rights.can_manage_pupil_link(actor, school), "Only the safeguarding team can change the pupil link.")
    old = _revoke_live_link(school, actor)
    if old is None:
        raise RuleBroken("The school has no pupil link switched on.")
    record_event(verb="incident.pupil_link_switched_off", actor=actor, school=school, target=old, request=request)


def record_pupil_link_shown(*, school: School, actor: User, link: PupilReportLink,
                            request: HttpRequest | None = None) -> None:
    """Who has been shown the link (it opens the pupils' form to whoever holds it)."""
    require(rights.can_manage_pupil_link(actor, school), "Only the safeguarding team can see the pupil link.")
    record_event(verb="incident.pupil_link_shown", actor=actor, school=school, target=link, request=request)


def _outside_category(school: School) -> IncidentCategory:
    """The school's "Other": the safeguarding team chooses the real category at triage."""
    categories = IncidentCategory.objects.filter(school=school)
    category = categories.filter(code=CategoryCode.OTHER).first() or categories.order_by("position", "pk").first()
    if category is None:
        set_up_school_defaults(school=school)
        category = IncidentCategory.objects.get(school=school, code=CategoryCode.OTHER)
    return category


def _report_from_outside(
    *, school: School, kind: ReporterKind, description: str, platform: str, danger: Danger, occurred_at: datetime,
    outside: dict[str, Any], request: HttpRequest | None,
) -> Incident:
    incident = Incident.objects.create(
        school=school, number=_next_number(school), reported_by=None, reporter_kind=kind,
        occurred_at=occurred_at, location=Location.NOT_KNOWN, category=_outside_category(school),
        description=description, platform=platform[:120], immediate_risk=danger == Danger.YES,
        # A child who does not know whether someone is in danger is seen as soon as someone can.
        is_urgent=danger in (Danger.YES, Danger.NOT_SURE), possibly_illegal=Illegal.NOT_ASKED,
        visibility=Visibility.DSL_TEAM,
    )
    OutsideReport.objects.create(incident=incident, kind=kind, danger_now=danger, **outside)
    TimelineEntry.objects.create(incident=incident, kind=Kind.REPORTED, author=None,
                                 text=f"Sent by a {ReporterKind(kind).label.lower()} (no account)")
    record_event(verb=f"incident.reported_by_{kind}", school=school, target=incident, request=request,
                 detail={"urgent": incident.is_urgent, "named": bool(outside.get("reporter_name")
                                                                        or outside.get("child_name"))})
    _tell_new_case(incident)
    return incident


@transaction.atomic
def report_from_pupil(
    *, link: PupilReportLink, description: str, where: str, danger: Danger, name: str = "", school_class: str = "",
    request: HttpRequest | None = None,
) -> Incident:
    """A pupil's report through their school's link: a new case "reported by a pupil" in the triage queue. It names
    the child only if they gave their name (kept as text: no pupil record is attached)."""
    if link.revoked_at is not None:
        raise RuleBroken("This link has been switched off.")
    if not description.strip():
        raise RuleBroken("Say what happened.")
    return _report_from_outside(
        school=link.school, kind=ReporterKind.PUPIL, description=description.strip(), platform=where,
        danger=Danger(danger), occurred_at=timezone.now(), request=request,
        outside={"reporter_name": name.strip()[:150], "child_class": school_class.strip()[:60], "link": link},
    )


def new_receipt() -> str:
    """A parent's receipt reference: random (it says nothing of how many cases the school has) and easy to read
    out, e.g. ``R-7KQ2-M9XD``."""
    letters = "".join(secrets.choice(RECEIPT_LETTERS) for _ in range(8))
    return f"R-{letters[:4]}-{letters[4:]}"


def receipt_email(*, school: School, receipt: str) -> tuple[str, str]:
    """The parent's receipt: the school and the reference only (no child, no details, not even their own name)."""
    subject = f"Your report to {school.name} has been received"
    body = (f"Thank you. {school.name} has received your online safety report.\n\n"
            f"Your reference is {receipt}. Quote it if you contact the school about your report.\n\n"
            "The school's safeguarding team will look at it. If a child is in immediate danger, call 999.\n\n"
            "This email does not repeat what you told us. If you did not send a report, you can ignore it.")
    return subject, body


@transaction.atomic
def report_from_parent(
    *, school: School, reporter_name: str, reporter_email: str, description: str, occurred_on: date,
    platform: str, danger: Danger, child_name: str = "", child_class: str = "", request: HttpRequest | None = None,
) -> OutsideReport:
    """A parent's or carer's report through the school's public form: a new case "reported by a parent" in the
    triage queue, and a receipt emailed to them that names nothing."""
    if not (description.strip() and reporter_name.strip() and reporter_email.strip()):
        raise RuleBroken("Give your name, your email and what happened.")
    zone = zoneinfo.ZoneInfo(school.timezone)
    occurred_at = min(datetime.combine(occurred_on, time(12), tzinfo=zone), timezone.now())
    for _ in range(5):
        receipt = new_receipt()
        if not OutsideReport.objects.filter(receipt=receipt).exists():
            break
    incident = _report_from_outside(
        school=school, kind=ReporterKind.PARENT, description=description.strip(), platform=platform,
        danger=Danger(danger), occurred_at=occurred_at, request=request,
        outside={"reporter_name": reporter_name.strip()[:150], "reporter_email": reporter_email.strip(),
                 "child_name": child_name.strip()[:150], "child_class": child_class.strip()[:60],
                 "occurred_on": occurred_on, "receipt": receipt},
    )
    subject, body = receipt_email(school=school, receipt=receipt)
    queue_email(to=reporter_email.strip(), subject=subject, body=body, kind="incident_parent_receipt")
    return incident.outside_report
