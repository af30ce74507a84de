"""The statutory flowchart's illegal branch: which cases it applies to, what each branch asks of the team, and
which of those steps are still open. Pure rules over what ``selectors`` read; the services and the case page use the
same functions, so the page's checklist and the refusal to close never disagree."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Q

from .models import Agency, Illegal, IllegalBranch, Incident, Level, MeetingKind

# The reporter's answers that flag a case as possibly illegal ("not sure" counts as much as "yes").
POSSIBLY_ILLEGAL_ANSWERS = (Illegal.YES, Illegal.NOT_SURE)
ILLEGAL_LEVELS = (Level.ILLEGAL_IMMEDIATE_RISK, Level.ILLEGAL_NO_RISK)


def possibly_illegal_q() -> Q:
    """Cases the flowchart's illegal branch applies to: the reporter said yes or not sure, or the team chose an
    illegal branch."""
    return Q(possibly_illegal__in=POSSIBLY_ILLEGAL_ANSWERS) | Q(level__in=ILLEGAL_LEVELS)


def is_possibly_illegal(incident: Incident) -> bool:
    return incident.possibly_illegal in POSSIBLY_ILLEGAL_ANSWERS or incident.level in ILLEGAL_LEVELS


def still_possibly_illegal_q() -> Q:
    """Cases the team's lists put first and mark "possibly illegal": once the team has set a level, its level
    decides (an illegal branch, yes; "inappropriate, not illegal", no); until then the reporter's yes or not sure.
    The branch's steps (``possibly_illegal_q``) still apply to a case graded inappropriate: its review is one."""
    return Q(level__in=ILLEGAL_LEVELS) | (Q(level="") & Q(possibly_illegal__in=POSSIBLY_ILLEGAL_ANSWERS))


def still_possibly_illegal(incident: Incident) -> bool:
    return incident.level in ILLEGAL_LEVELS or (not incident.level and reporter_said_possibly_illegal(incident))


def reporter_said_possibly_illegal(incident: Incident) -> bool:
    return incident.possibly_illegal in POSSIBLY_ILLEGAL_ANSWERS


def prompted_agencies(level: str, adult_in_school: bool) -> list[Agency]:
    """The agencies a branch asks the team about, each to be answered contacted or not (with a reason)."""
    lado = [Agency.LADO] if adult_in_school else []
    if level == Level.ILLEGAL_IMMEDIATE_RISK:
        return [Agency.POLICE_999, Agency.CEOP, Agency.SOCIAL_CARE, *lado]
    if level == Level.ILLEGAL_NO_RISK:
        return [Agency.POLICE_101, Agency.CEOP, Agency.IWF, *lado]
    return []  # inappropriate, not illegal: no agency is required


# A referral to the police on either number answers the branch's police question.
_ANSWERED_BY = {Agency.POLICE_999: {Agency.POLICE_999, Agency.POLICE_101},
                Agency.POLICE_101: {Agency.POLICE_999, Agency.POLICE_101}}


@dataclass(frozen=True)
class Step:
    key: str  # "branch", "evidence", "device", "meeting" or "agency-<value>"
    label: str
    done: bool
    answer: str  # what was recorded, in a few words ("" while open)
    anchor: str  # the form that answers it, on the case page


def _meeting_label(level: str) -> str:
    if level == Level.INAPPROPRIATE:
        return "Incident review held: the team decided what to do"
    return "Strategy meeting or incident review recorded"


def steps(
    incident: Incident, branch: IllegalBranch | None, referred: Collection[str],
    not_contacted: dict[str, str], adult_in_school: bool,
) -> list[Step]:
    """The branch's checklist for this case. ``referred`` holds the agencies of its referrals; ``not_contacted``
    the agencies answered "not contacted" with their reasons. Before a branch is chosen the illegal branches'
    own steps are listed (both ask for them), so nothing waits unseen."""
    level = incident.level
    found: list[Step] = [Step("branch", "Branch chosen (the case's level)", bool(level),
                              Level(level).label if level else "", "id_level-level")]
    if level != Level.INAPPROPRIATE:
        evidence = bool(branch and branch.evidence_how and branch.evidence_where and branch.evidence_by_id)
        found.append(Step("evidence", "Evidence preserved: how, where, by whom", evidence,
                          branch.evidence_where if evidence and branch else "", "id_branch_evidence-how"))
        device = branch is not None and branch.device_secured is not None
        device_answer = ""
        if device and branch:
            device_answer = (f"secured, held at {branch.device_held_at}" if branch.device_secured
                             else f"not secured: {branch.device_not_secured_because}")
        found.append(Step("device", "Device: secured, or why not", device, device_answer,
                          "id_branch_device-secured_0"))
    meeting = bool(branch and branch.meeting_kind)
    found.append(Step("meeting", _meeting_label(level), meeting,
                      f"{MeetingKind(branch.meeting_kind).label} on {branch.meeting_on:%d %b %Y}"
                      if meeting and branch and branch.meeting_on else "", "id_branch_meeting-kind_0"))
    for agency in prompted_agencies(level, adult_in_school):
        answered_by = _ANSWERED_BY.get(agency, {agency})
        if answered_by & set(referred):
            answer = "contacted (referral recorded)"
        elif agency in not_contacted:
            answer = f"not contacted: {not_contacted[agency]}"
        else:
            answer = ""
        found.append(Step(f"agency-{agency.value}", f"{agency.label}: contacted, or why not", bool(answer), answer,
                          "id_agency-agency"))
    return found


def open_steps(all_steps: Iterable[Step]) -> list[Step]:
    return [step for step in all_steps if not step.done]


def refusal_to_close(open_ones: list[Step]) -> str:
    """The message that refuses to close a possibly illegal case with steps still open."""
    count = len(open_ones)
    listed = "; ".join(step.label for step in open_ones)
    return (f"This case may be illegal, and {count} step{'s' if count != 1 else ''} of the flowchart "
            f"{'are' if count != 1 else 'is'} still open: {listed}. Answer each before closing the case.")
