import logging
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onlinesafety.access import school_member_required
from onlinesafety.accounts.mfa import second_factor_is_recent
from onlinesafety.accounts.stepup import step_up, step_up_required
from onlinesafety.csvexport import csv_response
from onlinesafety.downloads import file_download
from onlinesafety.forms import parse_id
from onlinesafety.navigation import object_links_for
from onlinesafety.schools.models import Pupil, YearGroup
from onlinesafety.schools.selectors import get_pupil_for_user, pupils_visible_to, search_pupils, year_groups_of
from onlinesafety.submissions.decorators import sent_once
from onlinesafety.uploads import EXTENSIONS, MEGABYTE, NotStored
from onlinesafety.views import NOTHING_CHANGED, redirect_to_next, refusal

from . import checklists, exports, flowchart, forms, rights, selectors, services
from .models import CaseAction, Evidence, Incident, MeetingRole, Response, Status
from .rights import Access

logger = logging.getLogger(__name__)

CASES_PER_PAGE = 25
REPORT_NOT_SAVED = "Your report was NOT saved. Tell the DSL in person now."
UNKNOWN_TICK = "a box ticked is not one the page offered: reload the page and try again."
STALE_CASE = ("Someone else changed this case while you were working on it, so your change was not saved. "
              "What you typed is kept below: check what changed meanwhile, then send it again.")


# ---------------------------------------------------------------- reporting

@school_member_required(rights.can_report)
@sent_once
def report(request):
    files_limit = settings.MAX_REQUEST_BYTES - MEGABYTE  # the request's limit, less room for the form's text
    form = forms.ReportForm(request.POST or None, request.FILES or None, user=request.user, school=request.school)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # A savepoint of its own, so that a database error anywhere in the service leaves this request's
            # transaction usable (on PostgreSQL an error aborts it) to show the form again.
            with refusal(request, form) as attempt, transaction.atomic():
                incident = services.report_incident(
                    school=request.school, reporter=request.user, occurred_at=data["occurred_at"],
                    location=data["location"], category=data["category"], description=data["description"],
                    immediate_risk=data["immediate_risk"] == "yes", possibly_illegal=data["possibly_illegal"],
                    device=data["device"], network=data["network"], platform=data["platform"], url=data["url"],
                    other_people=data["other_people"], immediate_action=data["immediate_action"],
                    already_told=data["already_told"], pupils=data["pupils"], pupil_roles=data["pupil_roles"],
                    staff_involved=data["staff_involved"],
                    allegation_subject=data["allegation_subject"] if data["is_allegation"] else None,
                    files=data["checked_files"], request=request,
                )
        except DatabaseError as exc:
            # The service's transaction rolled back: nothing of the report is kept. The reporter must know at once,
            # and keeps what they typed. The log says only what failed (a database error may quote the values).
            logger.error("A report could not be saved (%s).", type(exc).__name__)
            form.add_error(None, REPORT_NOT_SAVED)
            status = 503
        else:
            if attempt.ok:
                return redirect("incidents:submitted", incident.pk)
    return render(request, "incidents/report.html", {
        "form": form, "max_files_bytes": files_limit, "max_files_mb": files_limit // MEGABYTE,
        "not_saved": status == 503,
    }, status=status)


@school_member_required(rights.can_report)
@require_POST  # a name typed here travels in the body, never in an address that logs and histories keep
def pupil_search(request):
    query = request.POST.get("pupil_q", "").strip()[:80]
    pupils: QuerySet[Pupil] | list[Pupil] = []
    if len(query) >= 2:
        pupils = search_pupils(pupils_visible_to(request.user, request.school), query).select_related(
            "school_class").order_by("last_name", "first_name")[:20]
    return render(request, "incidents/_pupil_results.html", {"pupils": pupils, "query": query,
                                                             "role_choices": forms.ROLE_CHOICES})


@school_member_required(rights.can_report)
def submitted(request, incident_id: int):
    incident = selectors.get_own_report_for_user(request.user, request.school, incident_id)
    return render(request, "incidents/submitted.html", {
        "incident": incident, "not_stored": selectors.files_not_stored(incident),
        "illegal_steps": flowchart.reporter_said_possibly_illegal(incident),
    })


@school_member_required(rights.can_report)
def my_reports(request):
    page = Paginator(selectors.reports_by(request.user, request.school), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "incidents/my_reports.html", {"page": page})


# ---------------------------------------------------------------- triage

def _year_groups(school):
    return [(year, YearGroup(year).label) for year in year_groups_of(school)]


@school_member_required(rights.can_triage)
def triage(request):
    filter_form = forms.TriageFilterForm(
        request.GET, school=request.school, year_groups=_year_groups(request.school),
        team=selectors.triage_team(request.school),
    )
    filters = filter_form.triage_filters()
    queue = (filter_form.cleaned_data.get("queue") if filters is not None else request.GET.get("queue")) or "new"
    queue = queue if queue in selectors.QUEUES else "new"
    now = timezone.now()
    incidents = (selectors.triage_queue(request.user, request.school, queue, filters, now) if filters is not None
                 else Incident.objects.none())
    page = Paginator(incidents, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "queue": queue, "queues": [(name, label) for name, (label, _) in selectors.QUEUES.items()],
        "counts": selectors.queue_counts(request.user, request.school), "page": page, "filter_form": filter_form,
        "refreshed_at": now,
    }
    template = "incidents/_triage_table.html" if request.htmx else "incidents/triage.html"
    return render(request, template, context, status=400 if filter_form.errors else 200)


# ---------------------------------------------------------------- the case

CASE_FORMS = {
    "acknowledge": forms.AcknowledgeForm,
    "assign": forms.AssignForm,
    "level": forms.LevelForm,
    "status": forms.StatusForm,
    "close": forms.CloseForm,
    "reopen": forms.ReopenForm,
    "note": forms.NoteForm,
    "action": forms.ActionForm,
    "referral": forms.ReferralForm,
    "parents": forms.ParentContactForm,
    "sanction": forms.SanctionForm,
    "share": forms.ShareForm,
    "evidence": forms.EvidenceForm,
    "behaviours": forms.BehavioursForm,
    "pupil_role": forms.PupilRoleForm,
    # The flowchart's illegal branch (the branch itself is the level)
    "branch_evidence": forms.BranchEvidenceForm,
    "branch_device": forms.BranchDeviceForm,
    "branch_meeting": forms.BranchMeetingForm,
    "agency": forms.AgencyNotContactedForm,
}
NEEDS_INCIDENT = {"note", "assign", "close", "action", "referral", "parents", "sanction", "share", "behaviours",
                  "branch_evidence", "branch_device", "agency", "pupil_role"}


def _branch_initial(branch):
    """The flowchart forms start from what is recorded, so correcting one answer keeps the others."""
    if branch is None:
        return {}
    secured = {True: "yes", False: "no", None: None}[branch.device_secured]
    return {"how": branch.evidence_how, "where": branch.evidence_where, "by": branch.evidence_by_id,
            "secured": secured, "held_at": branch.device_held_at, "because": branch.device_not_secured_because,
            "kind": branch.meeting_kind or None, "held_on": branch.meeting_on, "roles": branch.meeting_roles,
            "decision": branch.meeting_decision}


def _case_form(name, incident, data=None, files=None, branch=None):
    form_class = CASE_FORMS[name]
    kwargs = {"incident": incident} if name in NEEDS_INCIDENT else {}
    # Forms that change a field start from its current value.
    initial = {"version": incident.version, "assignee": incident.assigned_to_id, "level": incident.level,
               "status": incident.status if incident.status in (Status.OPEN, Status.WAITING) else Status.OPEN}
    if name.startswith("branch_"):
        initial.update(_branch_initial(branch))
        if name == "branch_device" and branch is not None:
            initial["by"] = branch.device_secured_by_id
    return form_class(data, files, initial=initial, prefix=name, **kwargs)


@school_member_required()
def case(request, incident_id: int):
    access = selectors.get_incident_for_user(request.user, request.school, incident_id)
    incident = access.incident
    if access.read and (asked := _step_up_for(request, incident)):
        return asked
    services.record_case_view(incident=incident, actor=request.user, request=request)
    if not access.read:
        return render(request, "incidents/reporter_view.html", {
            "incident": incident, "feedback": selectors.feedback_for_reporter(incident),
        })
    return render(request, "incidents/case.html", _case_context(request, access))


def _step_up_for(request, incident):
    """The answer asking for the second factor again, when this case asks for it and the last one is not recent:
    every page and change of the case (its own page, a refused form shown again, evidence, actions, sharing)."""
    return step_up(request) if rights.asks_step_up(incident, timezone.now()) else None


def _case_context(request, access: rights.CaseAccess, bound_form=None, changed_meanwhile=None):
    incident = access.incident
    possibly_illegal = flowchart.is_possibly_illegal(incident)
    branch = selectors.illegal_branch(incident) if possibly_illegal else None
    case_forms = {name: _case_form(name, incident, branch=branch) for name in CASE_FORMS}
    if bound_form is not None:
        case_forms[bound_form.prefix] = bound_form
    already = set(incident.actions.exclude(response_code="").values_list("response_code", flat=True))
    behaviours = selectors.case_behaviours(incident)
    continued = selectors.continued_infringements(request.user, request.school, incident)
    checklist = selectors.branch_checklist(incident, branch) if possibly_illegal else []
    return {
        "behaviours": behaviours,
        "continued": continued,
        "incident": incident,
        "outside": selectors.outside_report(incident),  # a pupil's or a parent's report: what they told us
        "possibly_illegal": possibly_illegal,  # the branch's steps apply
        "still_possibly_illegal": flowchart.still_possibly_illegal(incident),  # the badge: the team's level decides
        "branch": branch,
        "meeting_roles": [MeetingRole(role).label for role in branch.meeting_roles] if branch else [],
        "checklist": checklist,
        "steps_open": sum(1 for step in checklist if not step.done),
        "pupils": selectors.case_pupils(incident),  # each with their role: this page is for those who may read it
        "staff_involved": incident.staff_involved.all(),
        "timeline": selectors.case_timeline(incident),
        "actions": selectors.case_actions(incident),
        "referrals": incident.referrals.all(),
        "evidence": incident.evidence.all(),
        "viewers": selectors.case_viewers(incident),
        "shared_with": [(person, shared >= Access.CONTRIBUTE) for person, shared in selectors.shared_with(incident)],
        "suggested": [(code, Response(code).label, code in already, tag)
                      for code, tag in _responses_to_consider(incident, behaviours, continued)],
        "forms": case_forms,
        "today": timezone.localdate(),
        "status": Status,
        "can_work": access.work,
        "can_share": access.share,
        "links": object_links_for("incident", request.user, request.school, incident.pk) if access.work else [],
        "access_label": {Access.VIEW: "shared with you to read", Access.CONTRIBUTE: "shared with you to work on",
                         Access.MANAGE: ""}[access.level],
        "changed_meanwhile": changed_meanwhile,
        "refused_form": bound_form if bound_form is not None and bound_form.errors else None,
        **_checklist_context(access, bound_form),
    }


def _checklist_context(access: rights.CaseAccess, bound_form=None) -> dict:
    """The harms' checklists of the case, each with its form (for the team managing an open case) and, for one
    with a clock, the form saying when the harm was discovered; a form sent with errors is shown as sent."""
    incident = access.incident
    may_answer = access.manage and incident.status != Status.CLOSED
    bound = {bound_form.prefix: bound_form} if bound_form is not None else {}
    shown = []
    for view in selectors.case_checklists(incident):
        kind = view.record.kind
        form = clock = None
        if may_answer:
            form = bound.get(forms.checklist_prefix(kind)) or forms.ChecklistAnswersForm(view=view)
            if view.definition.deadline_hours:
                started = view.record.clock_started_at
                clock = bound.get(f"clock-{kind}") or forms.ChecklistClockForm(
                    kind=kind, initial={"started_at": timezone.localtime(started) if started else None})
        shown.append((view, form, clock))
    add_form = None
    if may_answer:
        add_form = bound.get("add_checklist") or forms.AddChecklistForm(incident=incident)
    return {"harm_checklists": shown, "add_checklist_form": add_form, "can_manage": access.manage}


def _responses_to_consider(incident, behaviours, continued) -> list[tuple[str, str]]:
    """The case's checklist: (response, "Required" / "Suggested") in the order of the tables, required first.
    Required when a recorded behaviour (or continued infringements, once reached) requires it; suggested when one
    suggests it."""
    tags: dict[str, str] = {}
    rows = [*behaviours, *([continued.escalation] if continued else [])]
    for row in rows:
        for code, _ in row.suggested:
            tags[code] = tags.get(code) or "Suggested"
    for row in rows:
        for code, _ in row.required:
            tags[code] = "Required"
    order = {code: i for i, code in enumerate(Response.values)}
    rank = {"Required": 0, "Suggested": 1}
    return sorted(tags.items(), key=lambda item: (rank[item[1]], order[item[0]]))


@require_POST
@school_member_required()
@sent_once
def case_change(request, incident_id: int, change: str):
    if change not in CASE_FORMS:
        raise Http404("No such change.")
    access = selectors.get_incident_for_user(request.user, request.school, incident_id,
                                             needed="share" if change == "share" else "work")
    incident = access.incident
    if asked := _step_up_for(request, incident):
        return asked
    form = _case_form(change, incident, request.POST, request.FILES)
    if not form.is_valid():  # the error summary says what to fix; no second box above it
        return render(request, "incidents/case.html", _case_context(request, access, form), status=400)
    with refusal(request) as attempt:
        try:
            _apply_change(change, incident, form.cleaned_data, request)
        except services.StaleCase:
            return _stale(request, access, change, form)
        except NotStored as exc:  # the uploads folder refused the file: the service wrote nothing
            messages.error(request, str(exc))
            return render(request, "incidents/case.html", _case_context(request, access), status=503)
    if not attempt.ok:
        return redirect("incidents:case", incident.pk)
    messages.success(request, "Saved.")
    return redirect_to_next(request, f"{reverse('incidents:case', args=[incident.pk])}#timeline")


def _stale(request, access, change, form):
    """The case page again (409), with the refused form still holding what was typed but now at the case's current
    version, so that sending it again saves it; and what the others changed since the version the page showed."""
    incident = access.incident
    incident.refresh_from_db()
    seen = form.cleaned_data["version"]
    data = request.POST.copy()
    data[f"{form.prefix}-version"] = str(incident.version)
    bound = _case_form(change, incident, data, request.FILES)
    bound.is_valid()
    messages.error(request, STALE_CASE)
    return render(request, "incidents/case.html",
                  _case_context(request, access, bound, selectors.changed_since(incident, seen)), status=409)


def _apply_change(change, incident, data, request):
    common = {"incident": incident, "actor": request.user, "request": request}
    version = data.get("version")
    if change == "acknowledge":
        services.acknowledge(expected_version=version, **common)
    elif change == "assign":
        services.assign(assignee=data["assignee"], expected_version=version, **common)
    elif change == "level":
        services.set_level(level=data["level"], expected_version=version, **common)
    elif change == "status":
        services.set_status(status=data["status"], expected_version=version, **common)
    elif change == "close":
        services.close_case(outcome=data["outcome"], summary=data["summary"], expected_version=version,
                            close_open_actions=data["close_open_actions"], **common)
    elif change == "reopen":
        services.reopen_case(reason=data["reason"], expected_version=version, **common)
    elif change == "note":
        services.add_note(kind=data["kind"], text=data["text"], **common)
    elif change == "action":
        services.add_action(description=data["description"], owner=data["owner"], due_on=data["due_on"], **common)
    elif change == "referral":
        services.add_referral(agency=data["agency"], referred_on=data["referred_on"], reference=data["reference"],
                              contact=data["contact"], outcome=data["outcome"], **common)
    elif change == "parents":
        services.record_parent_contact(pupil=data["pupil"], who=data["who"], contacted_at=data["contacted_at"],
                                       method=data["method"], **common)
    elif change == "sanction":
        services.add_sanction(pupil=data["pupil"], kind=data["kind"], until=data["until"], notes=data["notes"],
                              **common)
    elif change == "share":
        services.share_case(colleague=data["colleague"], can_contribute=data["can_contribute"], **common)
    elif change == "evidence":
        services.add_evidence(upload=data["file"], **common)
    elif change == "behaviours":
        services.record_behaviours(behaviours=data["behaviours"], expected_version=version, **common)
    elif change == "pupil_role":
        services.set_pupil_role(pupil=data["pupil"], role=data["role"], expected_version=version, **common)
    elif change == "branch_evidence":
        services.record_branch_evidence(how=data["how"], where=data["where"], by=data["by"],
                                        expected_version=version, **common)
    elif change == "branch_device":
        services.record_branch_device(secured=data["secured"] == "yes", by=data["by"], held_at=data["held_at"],
                                      because=data["because"], expected_version=version, **common)
    elif change == "branch_meeting":
        services.record_branch_meeting(kind=data["kind"], held_on=data["held_on"], roles=data["roles"],
                                       decision=data["decision"], expected_version=version, **common)
    elif change == "agency":
        services.record_agency_not_contacted(agency=data["agency"], reason=data["reason"], expected_version=version,
                                             **common)


# ---------------------------------------------------------------- the harms' procedure checklists

def _checklist_view_of(incident, kind):
    view = next((v for v in selectors.case_checklists(incident) if v.record.kind == kind), None)
    if view is None:
        raise Http404("The case has no such checklist.")
    return view


def _checklist_refused(request, access, form):
    return render(request, "incidents/case.html", _case_context(request, access, form), status=400)


@require_POST
@school_member_required()
@sent_once
def checklist_answer(request, incident_id: int, kind: str):
    """Answers to one of the case's checklists: only the team managing the case (403 for anyone it is shared
    with)."""
    access = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="manage")
    incident = access.incident
    if asked := _step_up_for(request, incident):
        return asked
    form = forms.ChecklistAnswersForm(request.POST, view=_checklist_view_of(incident, kind))
    if not form.is_valid():
        return _checklist_refused(request, access, form)
    with refusal(request, form) as attempt:
        count = services.answer_checklist(incident=incident, actor=request.user, kind=kind, answers=form.answers(),
                                          seen=form.seen(), request=request)
    if not attempt.ok:
        if str(attempt.error) == services.STALE_CHECKLIST:
            form = _redrawn_after_stale(request, incident, kind)
        return _checklist_refused(request, access, form)
    messages.success(request, f"{count} answer{'s' if count != 1 else ''} saved.")
    return redirect(f"{reverse('incidents:case', args=[incident.pk])}#checklist-{kind}")


def _redrawn_after_stale(request, incident, kind):
    """The answer form after a stale save: the answers as recorded now (a colleague's among them), the user's own
    for items nobody answered meanwhile, and today's versions, so that a second save is a considered one."""
    view = _checklist_view_of(incident, kind)
    data = request.POST.copy()
    prefix = forms.checklist_prefix(kind)
    for row in view.rows:
        key = f"{prefix}-{row.item.key}"
        data[f"{key}-seen"] = checklists.answer_version(row.answer)
        if row.answer is not None:
            data[key] = row.answer.answer
            data[f"{key}-note"] = row.answer.note
    form = forms.ChecklistAnswersForm(data, view=view)
    form.is_valid()
    form.add_error(None, services.STALE_CHECKLIST)
    return form


@require_POST
@school_member_required()
@sent_once
def checklist_add(request, incident_id: int):
    access = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="manage")
    incident = access.incident
    if asked := _step_up_for(request, incident):
        return asked
    form = forms.AddChecklistForm(request.POST, incident=incident)
    if not form.is_valid():
        return _checklist_refused(request, access, form)
    kind = form.cleaned_data["kind"]
    with refusal(request, form, "kind") as attempt:
        services.add_checklist(incident=incident, actor=request.user, kind=kind, request=request)
    if not attempt.ok:
        return _checklist_refused(request, access, form)
    messages.success(request, "Checklist added.")
    return redirect(f"{reverse('incidents:case', args=[incident.pk])}#checklist-{kind}")


@require_POST
@school_member_required()
@sent_once
def checklist_clock(request, incident_id: int, kind: str):
    access = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="manage")
    incident = access.incident
    if asked := _step_up_for(request, incident):
        return asked
    _checklist_view_of(incident, kind)
    form = forms.ChecklistClockForm(request.POST, kind=kind)
    if not form.is_valid():
        return _checklist_refused(request, access, form)
    with refusal(request, form, "started_at") as attempt:
        services.set_checklist_clock(incident=incident, actor=request.user, kind=kind,
                                     started_at=form.cleaned_data["started_at"], request=request)
    if not attempt.ok:
        return _checklist_refused(request, access, form)
    messages.success(request, "Saved.")
    return redirect(f"{reverse('incidents:case', args=[incident.pk])}#checklist-{kind}")


@require_POST
@school_member_required()
@sent_once
def revoke_share(request, incident_id: int, user_id: int):
    incident = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="share").incident
    if asked := _step_up_for(request, incident):
        return asked
    colleague = next((u for u, _ in selectors.shared_with(incident) if u.pk == user_id), None)
    if colleague is None:
        raise Http404("That case is not shared with that person.")
    services.revoke_share(incident=incident, actor=request.user, colleague=colleague, request=request)
    messages.success(request, "Sharing revoked.")
    return redirect("incidents:case", incident.pk)


@require_POST
@school_member_required()
@sent_once
def action_done(request, incident_id: int, action_id: int):
    incident = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="work").incident
    if asked := _step_up_for(request, incident):
        return asked
    action = get_object_or_404(CaseAction, pk=action_id, incident=incident)
    with refusal(request):
        services.complete_action(action=action, actor=request.user, request=request)
    return redirect(f"{reverse('incidents:case', args=[incident.pk])}#actions")


@require_POST
@school_member_required()
@sent_once
def take_responses(request, incident_id: int):
    """Ticking suggested responses creates an action for each, owned by the person ticking, due in a week."""
    incident = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="work").incident
    if asked := _step_up_for(request, incident):
        return asked
    continued = selectors.continued_infringements(request.user, request.school, incident)
    suggested = {code for code, _ in _responses_to_consider(incident, selectors.case_behaviours(incident), continued)}
    chosen = list(dict.fromkeys(request.POST.getlist("response")))  # each ticked once, in order
    if not set(chosen) <= suggested:
        messages.error(request, NOTHING_CHANGED.format(error=UNKNOWN_TICK))
        return redirect(f"{reverse('incidents:case', args=[incident.pk])}#actions")
    with refusal(request) as attempt:
        for code in chosen:
            services.add_action(incident=incident, actor=request.user, owner=request.user,
                                description=Response(code).label, due_on=timezone.localdate() + timedelta(days=7),
                                response_code=code, request=request)
    if attempt.ok:
        messages.success(request, f"{len(chosen)} action{'s' if len(chosen) != 1 else ''} added.")
    return redirect(f"{reverse('incidents:case', args=[incident.pk])}#actions")


@school_member_required()
def evidence_file(request, incident_id: int, evidence_id: int):
    incident = selectors.get_incident_for_user(request.user, request.school, incident_id, needed="read").incident
    if asked := _step_up_for(request, incident):
        return asked
    evidence = get_object_or_404(Evidence, pk=evidence_id, incident=incident)
    services.record_evidence_download(evidence=evidence, actor=request.user, request=request)
    return file_download(evidence.file.open("rb"), content_type=evidence.content_type,
                         filename=f"case-{incident.number}-evidence-{evidence.pk}{EXTENSIONS[evidence.content_type]}")


# ---------------------------------------------------------------- chronology, log, matrix

@school_member_required(rights.can_triage)
def chronology(request, pupil_id: int):
    pupil = get_pupil_for_user(request.user, request.school, pupil_id, include_left=True)
    page = Paginator(selectors.chronology_for_pupil(request.user, request.school, pupil), CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # What a case says is shown only where opening it would not ask for the second factor again.
    recent, now = second_factor_is_recent(request), timezone.now()
    held_back = set() if recent else {incident.pk for incident in page if rights.asks_step_up(incident, now)}
    return render(request, "incidents/chronology.html", {"pupil": pupil, "page": page, "held_back": held_back})


@school_member_required(rights.can_triage)
@step_up_required
def export_log(request):
    incidents = selectors.incident_log(request.user, request.school)
    services.record_log_export(school=request.school, actor=request.user, rows=incidents.count(), request=request)
    rows = exports.incident_log_rows(incidents, zoneinfo.ZoneInfo(request.school.timezone))
    return csv_response(rows, f"incident-log-{request.school.slug}-{timezone.localdate():%Y-%m-%d}.csv")


@school_member_required(rights.can_edit_response_tables)
@sent_once
def response_tables(request):
    """The response tables (behaviour x response), edited as a whole and saved as a new version."""
    current = selectors.current_response_tables(request.school)
    if request.method == "GET" and "version" in request.GET:  # an old version, to read
        number = parse_id(request.GET["version"])
        shown_version = selectors.response_tables_version(request.school, number) if number else None
        if shown_version is None:
            raise Http404("No such version of the response tables.")
        return render(request, "incidents/response_tables_version.html", {
            "version": shown_version, "current": current, "tables": selectors.response_tables(shown_version),
        })
    tables = selectors.response_tables(current)
    status = 200
    if request.method == "POST":
        form = forms.ResponseTablesForm(request.POST)
        stale = False
        if form.is_valid():
            with refusal(request, form) as attempt:  # a stale or unchanged save is a form-wide error, nothing saved
                saved = services.save_response_tables(
                    school=request.school, actor=request.user, cells=form.cells(),
                    continued_threshold=form.cleaned_data["continued_threshold"],
                    continued_period_days=form.cleaned_data["continued_period_days"],
                    based_on=form.cleaned_data["based_on"], request=request,
                )
            if attempt.ok:
                messages.success(request, f"Response tables saved as version {saved.number}.")
                return redirect("incidents:response_tables")
            stale = isinstance(attempt.error, services.StaleTables)
        status = 409 if stale else 400
    else:
        initial: dict[str, object] = {
            "based_on": current.number if current else 0,
            "continued_threshold": current.continued_threshold if current else 3,
            "continued_period_days": current.continued_period_days if current else 365,
        }
        initial.update({forms.cell_field_name(code, response): value for table in tables
                        for code, _, cells in table["rows"] for response, value in cells})
        form = forms.ResponseTablesForm(initial=initial)
    shown = [  # each cell with its field, bound (what was sent) or not (what the version says)
        {"subject": table["subject"], "key": table["key"], "columns": table["columns"],
         "rows": [(code, label, [form[forms.cell_field_name(code, response)] for response, _ in cells])
                  for code, label, cells in table["rows"]]}
        for table in tables
    ]
    return render(request, "incidents/response_tables.html", {
        "form": form, "tables": shown, "current": current,
        "versions": selectors.response_table_versions(request.school),
    }, status=status)
