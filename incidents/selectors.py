"""Reads of incidents that depend on who is asking. What each person may do is decided in ``rights.py``."""

import hashlib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from onlinesafety.access import check_needed, found
from onlinesafety.accounts.models import Person, User
from onlinesafety.audit.models import AuditEvent
from onlinesafety.reporting import ReportPeriod
from onlinesafety.schools.models import Pupil, School, key_stage_expression
from onlinesafety.schools.roles import PARENTS
from onlinesafety.schools.selectors import roles_in, users_with_roles
from onlinesafety.sharing import with_object_permissions

from . import checklists, flowchart, rights
from .models import (
    CONTINUED,
    PUPIL_BEHAVIOURS,
    PUPIL_RESPONSES,
    STAFF_BEHAVIOURS,
    STAFF_RESPONSES,
    Agency,
    AgencyNotContacted,
    Behaviour,
    CaseAction,
    CaseBehaviour,
    CaseChecklist,
    CategoryCode,
    ChecklistAnswer,
    ChecklistKind,
    Device,
    Expectation,
    Illegal,
    IllegalBranch,
    Incident,
    IncidentCategory,
    IncidentPupil,
    Location,
    MatrixCell,
    Network,
    OutsideReport,
    PupilReportLink,
    PupilRole,
    Referral,
    ReporterKind,
    Response,
    ResponseMatrix,
    Sanction,
    Status,
    Subject,
    TimelineEntry,
    Visibility,
    reference_prefix,
)
from .rights import Access, CaseAccess, CaseRight

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The vocabulary other apps use when they open a case through ``incidents.services.report_incident``.
__all__ = ["Access", "CaseAccess", "Device", "Illegal", "Location", "Network", "PupilRole", "reference_prefix"]

UNACKNOWLEDGED_AFTER = timedelta(hours=24)
REPEAT_WINDOW = timedelta(days=30)
REPEAT_COUNT = 3
RECENTLY_CLOSED = timedelta(days=30)


def incidents_visible_to(user: User, school: School) -> QuerySet[Incident]:
    """Whole cases this user may open.

    The DSL team sees the team's cases; the headteacher those and allegations about staff; the chair of
    governors allegations about the headteacher; adults of the school also the cases shared with them (a
    share counts only while they hold such a role). Nobody sees a case about themselves, and nobody outside
    the school sees anything.
    """
    incidents = Incident.objects.filter(school=school)
    if not roles_in(user, school):
        return incidents.none()
    allowed = rights.reach_filter(user, school)
    if rights.can_be_shared_with(user, school):
        visible = with_object_permissions(user, "incidents.view_incident", incidents, allowed)
    else:
        visible = incidents.filter(allowed)
    return visible.exclude(subject_of_allegation=user)


def get_incident_for_user(
    user: User, school: School, incident_id: int, needed: CaseRight | None = None
) -> CaseAccess:
    """The case and how far this user may go with it.

    404 if they may not see it at all, or if ``needed`` is given and they only reported it (a reporter sees
    their report's status page and nothing else of the case); 403 if they see it but may not do ``needed``.
    """
    incident = (
        Incident.objects.select_related("category", "assigned_to", "reported_by", "acknowledged_by", "school")
        .filter(pk=incident_id, school=school)
        .first()
    )
    access = rights.case_access(user, incident) if incident is not None else None
    if access is not None and needed is not None and not access.read:
        access = None
    access = found(access, "No such case.")
    check_needed(access, needed)
    return access


def reports_by(user: User, school: School) -> QuerySet[Incident]:
    return Incident.objects.filter(school=school, reported_by=user).select_related("category").order_by(
        "-reported_at"
    )


def get_own_report_for_user(user: User, school: School, incident_id: int) -> Incident:
    """One of the concerns ``user`` reported (for its "submitted" page); 404 for anyone else's."""
    return found(reports_by(user, school).filter(pk=incident_id).first(), "No such report.")


def files_not_stored(incident: Incident) -> list[str]:
    """The names of the reporter's files that could not be stored when the concern was sent (for their own
    "submitted" page: the names are of their own files)."""
    return list(incident.timeline.filter(kind=TimelineEntry.Kind.EVIDENCE_NOT_STORED).order_by("pk")
                .values_list("text", flat=True))


def feedback_for_reporter(incident: Incident) -> QuerySet[TimelineEntry]:
    return incident.timeline.filter(kind=TimelineEntry.Kind.FEEDBACK).order_by("created_at")


# ---------------------------------------------------------------- the triage dashboard

QUEUES = {
    "new": ("New", Q(status=Status.NEW)),
    "open": ("Open", Q(status=Status.OPEN)),
    "waiting": ("Waiting on an agency", Q(status=Status.WAITING)),
    "closed": ("Recently closed", Q(status=Status.CLOSED)),
}


def _recently_closed_cutoff() -> datetime:
    return timezone.now() - RECENTLY_CLOSED


def queue_filter(queue: str) -> Q:
    condition = QUEUES[queue][1]
    if queue == "closed":
        condition &= Q(closed_at__gte=_recently_closed_cutoff())
    return condition


def queue_counts(user: User, school: School) -> dict[str, int]:
    """The number in each queue, in one query."""
    counts = incidents_visible_to(user, school).aggregate(
        **{name: Count("pk", filter=queue_filter(name)) for name in QUEUES}
    )
    return counts


def _pupil_links() -> QuerySet[Any]:
    """The rows linking incidents to pupils, for grouping. Typed as ``QuerySet[Any]``: django-stubs does not follow
    ``annotate`` on an automatic many-to-many table, and would report each annotation as an unknown field."""
    return Incident.pupils.through.objects.all()


def repeated_pupil_ids(visible: QuerySet[Incident]) -> list[int]:
    """Pupils in three or more of these incidents in the last 30 days (the seeds' continued infringements)."""
    since = timezone.now() - REPEAT_WINDOW
    return list(
        _pupil_links().filter(incident__in=visible.filter(occurred_at__gte=since).values("pk"))
        .values("pupil_id")
        .annotate(n=Count("incident_id"))
        .filter(n__gte=REPEAT_COUNT)
        .values_list("pupil_id", flat=True)
    )


class TriageFlags(TypedDict):
    """What the dashboard flags on each case, worked out in the database."""

    is_possibly_illegal: bool  # flowchart.still_possibly_illegal_q: an illegal level, or no level and a yes/not sure
    comes_first: bool  # urgent or possibly illegal: sorted together, before the rest
    has_overdue_actions: bool
    has_repeated_pupil: bool
    has_continued_infringements: bool  # a pupil at the tables' continued-infringements threshold
    unacknowledged_too_long: bool  # reported over 24 hours ago and still not acknowledged


def with_flags(
    incidents: QuerySet[Incident], visible: QuerySet[Incident], now: datetime | None = None,
    school: School | None = None,
) -> "QuerySet[WithAnnotations[Incident, TriageFlags]]":
    now = now or timezone.now()
    today = timezone.localdate(now)
    through = Incident.pupils.through
    # A short list, fetched once: as a subquery PostgreSQL would cost it for every row.
    repeated = repeated_pupil_ids(visible)
    # Pupils at continued infringements: grouped in the database, fetched once (like ``repeated``).
    matrix = current_response_tables(school) if school is not None else None
    continued = (list(_counted_links(visible, matrix, now).values_list("pupil_id", flat=True))
                 if matrix is not None else [])
    continued_since = now - timedelta(days=matrix.continued_period_days if matrix is not None else 0)
    return incidents.annotate(
        has_continued_infringements=ExpressionWrapper(
            Q(occurred_at__gte=continued_since)
            & Exists(through.objects.filter(incident_id=OuterRef("pk"), pupil_id__in=continued,
                                            role=PupilRole.CAUSED_HARM))
            & Exists(CaseBehaviour.objects.filter(incident=OuterRef("pk"), behaviour__in=COUNTED_BEHAVIOURS)),
            output_field=BooleanField(),
        ),
        is_possibly_illegal=ExpressionWrapper(flowchart.still_possibly_illegal_q(), output_field=BooleanField()),
        comes_first=ExpressionWrapper(Q(is_urgent=True) | flowchart.still_possibly_illegal_q(),
                                      output_field=BooleanField()),
        has_overdue_actions=Exists(
            CaseAction.objects.filter(incident=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
        ),
        has_repeated_pupil=Exists(
            through.objects.filter(incident_id=OuterRef("pk"), pupil_id__in=repeated)
        ),
        unacknowledged_too_long=ExpressionWrapper(
            Q(acknowledged_at__isnull=True, reported_at__lt=now - UNACKNOWLEDGED_AFTER), output_field=BooleanField()
        ),
    )


@dataclass(frozen=True)
class TriageFilters:
    category: int | None = None
    year_group: int | None = None
    assignee: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def triage_queue(
    user: User, school: School, queue: str, filters: TriageFilters, now: datetime | None = None
) -> "QuerySet[WithAnnotations[Incident, TriageFlags]]":
    """One queue of the dashboard: urgent and possibly illegal cases first, then oldest first, with flags (as of
    ``now``) and the pupils named."""
    visible = incidents_visible_to(user, school)
    incidents = visible.filter(queue_filter(queue))
    if filters.category:
        incidents = incidents.filter(category_id=filters.category)
    if filters.year_group is not None:
        incidents = incidents.filter(
            pk__in=Incident.pupils.through.objects.filter(pupil__year_group=filters.year_group).values("incident_id")
        )
    if filters.assignee:
        incidents = incidents.filter(assigned_to_id=filters.assignee)
    if filters.date_from:
        incidents = incidents.filter(occurred_at__date__gte=filters.date_from)
    if filters.date_to:
        incidents = incidents.filter(occurred_at__date__lte=filters.date_to)
    order = ["-comes_first", "reported_at", "pk"] if queue != "closed" else ["-closed_at", "pk"]
    return (
        with_flags(incidents, visible, now, school)
        .select_related("school", "category", "assigned_to")
        .prefetch_related(Prefetch("pupils", queryset=Pupil.objects.only("id", "first_name", "last_name",
                                                                          "year_group")))
        .order_by(*order)
    )


def triage_team(school: School) -> QuerySet[User]:
    """People a case can be assigned to: the DSL team and the headteacher."""
    return users_with_roles(school, rights.can_be_assigned.roles)


def categories_of(school: School) -> QuerySet[IncidentCategory]:
    return IncidentCategory.objects.filter(school=school, is_active=True).order_by("position", "name")


def fallback_category(categories: QuerySet[IncidentCategory]) -> IncidentCategory | None:
    """The category of a quick report that names none: the school's "Other", when it is switched on."""
    return next((category for category in categories if category.code == CategoryCode.OTHER), None)


def category_names(school: School) -> list[str]:
    """Every category's name, switched off or not: a report lists them all whatever their counts, so that a
    category printed only when it has incidents does not say so of a count it holds back."""
    return list(IncidentCategory.objects.filter(school=school).order_by("position", "name")
                .values_list("name", flat=True))


# ---------------------------------------------------------------- the case record

def case_timeline(incident: Incident) -> QuerySet[TimelineEntry]:
    return incident.timeline.select_related("author").order_by("-created_at", "-id")


CHANGED_MEANWHILE_SHOWN = 20


def changed_since(incident: Incident, seen_version: int) -> list[TimelineEntry]:
    """The timeline entries added since the case was at ``seen_version`` (what a refused, out-of-date change had
    not seen), newest first, at most ``CHANGED_MEANWHILE_SHOWN``.

    Entries carry no version of their own, but every change goes through ``services._log``, which raises the
    version by exactly one and adds exactly one entry in the same transaction, holding the case's row (the UPDATE
    locks it) until that commits: so the changes since ``seen_version`` are the ``version - seen_version`` newest
    entries by id. The entries written when the case was reported raise no version but come before any change."""
    missed = min(incident.version - seen_version, CHANGED_MEANWHILE_SHOWN)
    if missed <= 0:
        return []
    return list(incident.timeline.select_related("author").order_by("-pk")[:missed])


def case_actions(incident: Incident) -> QuerySet[CaseAction]:
    return incident.actions.select_related("owner", "done_by").order_by("done_at", "due_on", "pk")


def open_actions(incident: Incident) -> QuerySet[CaseAction]:
    return incident.actions.filter(done_at__isnull=True).select_related("owner").order_by("due_on", "pk")


VIEWER_DAYS_SHOWN = 50


def case_viewers(incident: Incident) -> list[dict[str, Any]]:
    """Who opened the case, once per person per day (in the school's time zone) with how many times, newest first:
    one query, however often the case is opened."""
    day = TruncDate("occurred_at", tzinfo=zoneinfo.ZoneInfo(incident.school.timezone))
    return list(
        AuditEvent.objects.filter(verb="incident.viewed", object_type="incidents.incident",
                                  object_id=str(incident.pk))
        .annotate(day=day).values("day", "actor_id", "actor__full_name")
        .annotate(views=Count("pk"), last_at=Max("occurred_at")).order_by("-day", "-last_at")[:VIEWER_DAYS_SHOWN]
    )


def adult_in_school_involved(incident: Incident) -> bool:
    """Whether the case names an adult who works in school (an allegation, or staff involved): the LADO is then
    asked about."""
    return bool(incident.subject_of_allegation_id) or incident.staff_involved.exists()


def branch_checklist(incident: Incident, branch: IllegalBranch | None) -> list[flowchart.Step]:
    """The flowchart's steps for a possibly illegal case, each done or open (three queries); [] for any other
    case. ``branch`` is the case's record of them, from ``illegal_branch``."""
    if not flowchart.is_possibly_illegal(incident):
        return []
    referred = set(incident.referrals.values_list("agency", flat=True))
    not_contacted = dict(AgencyNotContacted.objects.filter(incident=incident).values_list("agency", "reason"))
    return flowchart.steps(incident, branch, referred, not_contacted, adult_in_school_involved(incident))


def illegal_branch(incident: Incident) -> IllegalBranch | None:
    return IllegalBranch.objects.filter(incident=incident).select_related("evidence_by", "device_secured_by").first()


def case_pupils(incident: Incident) -> QuerySet[IncidentPupil]:
    """The pupils linked to a case, each with their role in it (for those who may read the case), by name."""
    return (IncidentPupil.objects.filter(incident=incident).select_related("pupil__school_class")
            .order_by("pupil__last_name", "pupil__first_name", "pupil_id"))


def case_subject(incident: Incident) -> Subject:
    """Whether the suggested responses are the pupils' or the staff table."""
    if incident.subject_of_allegation_id or (not incident.pupils.exists() and incident.staff_involved.exists()):
        return Subject.STAFF
    return Subject.PUPIL


def shared_with(incident: Incident) -> list[tuple[User, Access]]:
    """Colleagues the case is shared with, and whether they may work on it."""
    perms = get_users_with_perms(
        incident, attach_perms=True, with_group_users=False, only_with_perms_in=["view_incident", "change_incident"]
    )
    assert isinstance(perms, dict)  # with attach_perms: each user -> their codenames on the case
    return sorted(
        ((user, Access.CONTRIBUTE if "change_incident" in codes else Access.VIEW) for user, codes in perms.items()),
        key=lambda pair: pair[0].full_name,
    )


def colleagues_to_share_with(school: School) -> QuerySet[User]:
    """Adults who work in or govern the school (not parents or visitors)."""
    return users_with_roles(school, rights.can_be_shared_with.roles)


def staff_of(school: School) -> QuerySet[User]:
    """People an incident can concern as staff, or be an allegation about."""
    return users_with_roles(school, rights.can_be_named_as_staff.roles)


# ---------------------------------------------------------------- chronology and the log

def chronology_for_pupil(user: User, school: School, pupil: Pupil) -> QuerySet[Incident]:
    """The cases of ``pupil`` this person may see, each annotated with ``pupil_role``: this pupil's role in it. The
    other pupils' roles are not read: a label given to one pupil never appears on another's chronology."""
    own_role = IncidentPupil.objects.filter(incident_id=OuterRef("pk"), pupil=pupil).values("role")[:1]
    return (
        incidents_visible_to(user, school)
        .filter(pupils=pupil)
        .annotate(pupil_role=Subquery(own_role))
        .annotate(pupil_role_label=Case(*[When(pupil_role=value, then=Value(str(label)))
                                          for value, label in PupilRole.choices],
                                        default=Value(""), output_field=CharField()))
        .select_related("school", "category", "assigned_to")
        .prefetch_related("pupils")
        .order_by("-occurred_at", "-pk")
    )


def incident_log(user: User, school: School) -> QuerySet[Incident]:
    return (
        incidents_visible_to(user, school)
        .select_related("school", "category", "reported_by")
        .prefetch_related(
            "pupils", "staff_involved",
            Prefetch("pupil_links", queryset=IncidentPupil.objects.select_related("pupil").order_by(
                "pupil__last_name", "pupil__first_name", "pupil_id")),
            Prefetch("timeline", queryset=TimelineEntry.objects.select_related("author").order_by("created_at")),
        )
        .order_by("occurred_at", "pk")
    )


def access_removals(school: School, on_date: date) -> dict[int, date]:
    """Every pupil of the school whose access is removed on ``on_date``: pupil id -> the date it comes back."""
    rows = (
        Sanction.objects.filter(pupil__school=school, kind=Sanction.Kind.ACCESS_REMOVED, until__gte=on_date)
        .values("pupil_id").annotate(latest=Max("until")).values_list("pupil_id", "latest")
    )
    return dict(rows)


# ---------------------------------------------------------------- figures for the governors' termly report

class IncidentFigures(TypedDict):
    """The incidents of a term for a report: counts, category and agency names and months only."""

    total: int
    urgent: int
    possibly_illegal: int
    about_pupils: int
    about_staff: int
    about_others: int
    by_category: list[tuple[str, int]]  # category name, count; most first
    by_location: dict[str, int]  # Location value -> count
    by_month: list[tuple[datetime, int]]  # the month's first moment in the school's zone, count
    by_key_stage: dict[str, int]
    referrals: dict[str, int]  # Agency value -> count
    hours_to_acknowledge: list[float]  # one per case acknowledged in the term (the caller takes the median)
    hours_to_close: list[float]
    open_at_end: int
    pupils_repeated: int
    with_checklist: int  # cases with a harm's procedure checklist
    checklists_complete: int  # of those, every item of every checklist answered
    pupils_by_role: dict[str, int]  # PupilRole value -> pupils with that role in a case of the term (distinct)


LOCATION_LABELS = dict(Location.choices)
PUPIL_ROLE_LABELS = {  # as the governors' report words each role's count of pupils
    PupilRole.AFFECTED: "Pupils affected (harmed)", PupilRole.CAUSED_HARM: "Pupils alleged to have caused harm",
    PupilRole.WITNESS: "Pupils who witnessed it", PupilRole.INVOLVED: "Pupils otherwise involved",
}
AGENCY_LABELS = dict(Agency.choices)


def term_figures(school: School, period: ReportPeriod) -> IncidentFigures:
    """Counts of the incidents reported in ``period``, for an anonymised report: aggregations in the database, a
    fixed number of queries whatever the number of incidents, and nothing that names anybody. Months are the
    school's. "Possibly illegal" is the reporter's yes or a level of illegal given at triage ("not sure" alone
    is not counted)."""
    start_at, end_at = period.start_at, period.end_at
    # Allegations about staff (seen by the head alone, or the chair alone) are left out: anyone who can read the
    # report could otherwise learn from a count that one exists. Governors hear of those separately.
    ordinary = Incident.objects.filter(school=school, visibility=Visibility.DSL_TEAM)
    reported = ordinary.filter(reported_at__gte=start_at, reported_at__lt=end_at)
    totals = reported.aggregate(
        total=Count("pk"), urgent=Count("pk", filter=Q(is_urgent=True)),
        possibly_illegal=Count("pk", filter=Q(possibly_illegal=Illegal.YES) | Q(level__in=flowchart.ILLEGAL_LEVELS)),
        about_pupils=Count("pk", filter=Exists(Incident.pupils.through.objects.filter(incident=OuterRef("pk")))),
        about_staff=Count("pk", filter=Q(subject_of_allegation__isnull=False) | Exists(
            Incident.staff_involved.through.objects.filter(incident=OuterRef("pk")))),
        about_others=Count("pk", filter=~Q(other_people="")),
    )
    through = _pupil_links().filter(incident__in=reported.values("pk"))
    checklist_counts = _checklist_figures(reported)
    open_at_end = ordinary.filter(reported_at__lt=end_at).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_at))
    return IncidentFigures(
        total=totals["total"], urgent=totals["urgent"], possibly_illegal=totals["possibly_illegal"],
        about_pupils=totals["about_pupils"], about_staff=totals["about_staff"],
        about_others=totals["about_others"],
        by_category=list(reported.values_list("category__name").annotate(n=Count("pk"))
                         .order_by("-n", "category__name")),
        by_location=dict(reported.values_list("location").annotate(n=Count("pk")).order_by()),
        by_month=list(reported.annotate(month=TruncMonth("reported_at", tzinfo=period.zone)).values_list("month")
                      .annotate(n=Count("pk")).order_by("month")),
        by_key_stage=dict(through.annotate(stage=key_stage_expression("pupil__year_group")).values_list("stage")
                          .annotate(n=Count("incident_id", distinct=True)).order_by()),
        referrals=dict(Referral.objects.filter(incident__in=reported.values("pk")).values_list("agency")
                       .annotate(n=Count("pk")).order_by()),
        hours_to_acknowledge=_hours(reported.filter(acknowledged_at__isnull=False, acknowledged_at__lt=end_at),
                                    "acknowledged_at"),
        hours_to_close=_hours(reported.filter(closed_at__isnull=False, closed_at__lt=end_at), "closed_at"),
        open_at_end=open_at_end.count(),
        pupils_repeated=through.values("pupil_id").annotate(n=Count("incident_id")).filter(n__gte=2).count(),
        with_checklist=checklist_counts["with_checklist"],
        checklists_complete=checklist_counts["checklists_complete"],
        pupils_by_role=dict(through.values_list("role").annotate(n=Count("pupil_id", distinct=True)).order_by()),
    )


def _incomplete_checklists() -> QuerySet[CaseChecklist]:
    """Checklists with fewer answers than items (each item is answered at most once)."""
    items = Case(*[When(kind=kind, then=Value(definition.size)) for kind, definition in
                   checklists.CHECKLISTS.items()], default=Value(0))
    return CaseChecklist.objects.annotate(answered=Count("answers"), items=items).filter(answered__lt=F("items"))


def _checklist_figures(reported: QuerySet[Incident]) -> dict[str, int]:
    """Cases with a checklist, and of those the ones with every item answered: one query."""
    has = Exists(CaseChecklist.objects.filter(incident=OuterRef("pk")))
    incomplete = Exists(_incomplete_checklists().filter(incident=OuterRef("pk")))
    return reported.aggregate(with_checklist=Count("pk", filter=Q(has)),
                              checklists_complete=Count("pk", filter=Q(has) & ~Q(incomplete)))


# ---------------------------------------------------------------- the harms' procedure checklists on a case

@dataclass(frozen=True)
class ChecklistRow:
    item: checklists.Item
    answer: ChecklistAnswer | None


@dataclass(frozen=True)
class CaseChecklistView:
    record: CaseChecklist
    definition: checklists.Checklist
    rows: list[ChecklistRow]
    deadline: checklists.Deadline | None
    warning: str

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.answer is not None)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def open_rows(self) -> list[ChecklistRow]:
        return [row for row in self.rows if row.answer is None]

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def case_checklists(incident: Incident, now: datetime | None = None) -> list[CaseChecklistView]:
    """The case's checklists, each item with its answer (who and when), who added it, completion and any deadline
    (stopped once the case is closed): two queries."""
    now = now or timezone.now()
    closed_at = (incident.closed_at or now) if incident.status == Status.CLOSED else None
    records = list(CaseChecklist.objects.filter(incident=incident).select_related("added_by").prefetch_related(
        Prefetch("answers", queryset=ChecklistAnswer.objects.select_related("answered_by"))))
    shown = []
    for record in records:
        definition = checklists.CHECKLISTS.get(record.kind)
        if definition is None:
            continue
        answers = {answer.item: answer for answer in record.answers.all()}
        rows = [ChecklistRow(item, answers.get(item.key)) for item in definition.items]
        given = {key: (a.answer, a.answered_at) for key, a in answers.items()}
        shown.append(CaseChecklistView(
            record=record, definition=definition, rows=rows,
            deadline=checklists.deadline(definition, record.clock_started_at, given, now, closed_at=closed_at),
            warning=checklists.escalation(definition, {key: a.answer for key, a in answers.items()})))
    return shown


def unanswered_checklist_items(incident: Incident) -> list[tuple[str, str]]:
    """(checklist title, question) of each item not yet answered, in the order the case page lists them."""
    return [(view.definition.title, row.item.question) for view in case_checklists(incident)
            for row in view.open_rows]


def legal_deadlines_unmet(incident: Incident) -> str:
    """Why the case cannot close yet, "" if it can: a checklist whose deadline is a legal duty (the data breach's
    decision on telling the ICO) has it answered yes or not applicable. The other items are prompts and never block
    closing; this one is the law (UK GDPR article 33)."""
    for record in CaseChecklist.objects.filter(incident=incident).prefetch_related("answers"):
        definition = checklists.CHECKLISTS.get(record.kind)
        if definition is None or not definition.deadline_item:
            continue
        given = {a.item: (a.answer, a.answered_at) for a in record.answers.all()}
        if checklists.deadline_met_at(definition, given) is None:
            item = definition.item(definition.deadline_item)
            question = item.question if item else definition.deadline_label
            return (f"Answer “{question}” on the {definition.title.lower()} checklist before closing the case "
                    "(yes, or not applicable): the decision on telling the ICO is a legal duty.")
    return ""


def checklists_to_add(incident: Incident) -> list[tuple[str, str]]:
    """The checklists the team may still add to the case."""
    have = set(incident.checklists.values_list("kind", flat=True))
    return [(kind.value, kind.label) for kind in ChecklistKind if kind.value not in have]


def _hours(incidents: QuerySet[Incident], field: str) -> list[float]:
    """Each incident's hours from report to ``field``, in one query (the median is taken by the caller)."""
    durations = incidents.annotate(took=ExpressionWrapper(F(field) - F("reported_at"), DurationField()))
    return [took.total_seconds() / 3600 for took in durations.values_list("took", flat=True)]


# ---------------------------------------------------------------- the home page's worklist

WORKLIST_LINKS = 5


@dataclass(frozen=True)
class Worklist:
    """What waits for the safeguarding team on their home page: counts, and the first few cases of each."""

    urgent: int  # open and urgent, or possibly illegal
    new: int  # new and not yet acknowledged
    overdue_acknowledgement: int  # reported over 24 hours ago, still not acknowledged
    overdue_actions: int  # actions past their due date on open cases
    urgent_cases: list[Incident]
    new_cases: list[Incident]
    overdue_acknowledgement_cases: list[Incident]
    overdue_action_cases: list[Incident]


def _worklist_filters(now: datetime) -> dict[str, Q]:
    unacknowledged = Q(acknowledged_at__isnull=True) & ~Q(status=Status.CLOSED)
    return {
        "urgent": ~Q(status=Status.CLOSED) & (Q(is_urgent=True) | flowchart.still_possibly_illegal_q()),
        "new": Q(status=Status.NEW, acknowledged_at__isnull=True),
        "overdue_acknowledgement": unacknowledged & Q(reported_at__lt=now - UNACKNOWLEDGED_AFTER),
    }


def worklist(user: User, school: School, now: datetime | None = None) -> Worklist:
    """The cases ``user`` may open that wait for the team, in six queries however many there are (the counts in
    one, the actions' count in one, the first few cases of each list in one each)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    visible = incidents_visible_to(user, school)
    filters = _worklist_filters(now)
    counts = visible.aggregate(**{name: Count("pk", filter=condition) for name, condition in filters.items()})
    open_cases = visible.exclude(status=Status.CLOSED)
    overdue = CaseAction.objects.filter(incident__in=open_cases.values("pk"), done_at__isnull=True, due_on__lt=today)
    overdue_actions = overdue.count()

    def first(cases: QuerySet[Incident]) -> list[Incident]:
        return list(cases.select_related("school", "category").order_by("-is_urgent", "reported_at", "pk")
                    [:WORKLIST_LINKS])

    return Worklist(
        urgent=counts["urgent"], new=counts["new"], overdue_acknowledgement=counts["overdue_acknowledgement"],
        overdue_actions=overdue_actions,
        urgent_cases=first(visible.filter(filters["urgent"])),
        new_cases=first(visible.filter(filters["new"])),
        overdue_acknowledgement_cases=first(visible.filter(filters["overdue_acknowledgement"])),
        overdue_action_cases=first(open_cases.filter(pk__in=overdue.values("incident_id"))) if overdue_actions
        else [],
    )


def open_reports_by(user: User, school: School) -> tuple[int, list[Incident]]:
    """How many of the concerns ``user`` reported are still open, and the latest few (two queries)."""
    mine = reports_by(user, school).exclude(status=Status.CLOSED)
    return mine.count(), list(mine.select_related("school")[:WORKLIST_LINKS])


# ---------------------------------------------------------------- the response tables (behaviour x response)

# The behaviours that count towards a pupil's continued infringements (every pupil row but that one itself).
COUNTED_BEHAVIOURS = [b.value for b in PUPIL_BEHAVIOURS if b != CONTINUED[Subject.PUPIL]]


def current_response_tables(school: School) -> ResponseMatrix | None:
    """The version of the school's response tables in force now (the newest)."""
    return ResponseMatrix.objects.filter(school=school).select_related("created_by").order_by("-number").first()


def response_tables_version(school: School, number: int) -> ResponseMatrix | None:
    """One version of the school's response tables, old or current (None for a number it never had)."""
    return ResponseMatrix.objects.filter(school=school, number=number).select_related("created_by").first()


def response_table_versions(school: School, limit: int = 20) -> list[ResponseMatrix]:
    return list(ResponseMatrix.objects.filter(school=school).select_related("created_by").order_by("-number")[:limit])


class ResponseTable(TypedDict):
    """One table of the response tables page: a subject's responses as columns, a row per behaviour."""

    subject: str
    key: str
    columns: list[tuple[str, str]]  # (response code, label)
    rows: list[tuple[str, str, list[tuple[str, str]]]]  # (behaviour code, label, [(response code, expectation)])


def response_tables(matrix: ResponseMatrix | None) -> list[ResponseTable]:
    """A version's cells laid out as the seeds' two tables (one query)."""
    cells = ({(c.behaviour, c.response): c.expectation for c in matrix.cells.all()} if matrix is not None else {})
    tables: list[ResponseTable] = []
    for subject, behaviours, responses in ((Subject.PUPIL, PUPIL_BEHAVIOURS, PUPIL_RESPONSES),
                                           (Subject.STAFF, STAFF_BEHAVIOURS, STAFF_RESPONSES)):
        tables.append(ResponseTable(
            subject=str(Subject(subject).label), key=str(subject),
            columns=[(str(r), str(Response(r).label)) for r in responses],
            rows=[(str(b), str(Behaviour(b).label), [(str(r), cells.get((b, r), "")) for r in responses])
                  for b in behaviours],
        ))
    return tables


@dataclass(frozen=True)
class BehaviourResponses:
    """A behaviour recorded on a case, with what the tables it was recorded under say to do."""

    code: str
    label: str
    version: int
    required: list[tuple[str, str]]  # (response code, label)
    suggested: list[tuple[str, str]]


def _responses_for(cells: Iterable[MatrixCell], behaviour: str, matrix_id: int) -> tuple[list, list]:
    chosen = [c for c in cells if c.behaviour == behaviour and c.matrix_id == matrix_id]
    order = {code: i for i, code in enumerate(Response.values)}
    chosen.sort(key=lambda c: order[c.response])
    return ([(c.response, str(Response(c.response).label)) for c in chosen if c.expectation == Expectation.REQUIRED],
            [(c.response, str(Response(c.response).label)) for c in chosen if c.expectation == Expectation.POSSIBLY])


def case_behaviours(incident: Incident) -> list[BehaviourResponses]:
    """The behaviours recorded on a case, each with the responses of the version in force when it was recorded
    (two queries)."""
    recorded = list(incident.behaviours.select_related("matrix"))
    if not recorded:
        return []
    cells = list(MatrixCell.objects.filter(matrix_id__in={r.matrix_id for r in recorded},
                                           behaviour__in=[r.behaviour for r in recorded]))
    result = []
    for row in recorded:
        required, suggested = _responses_for(cells, row.behaviour, row.matrix_id)
        result.append(BehaviourResponses(code=row.behaviour, label=str(Behaviour(row.behaviour).label),
                                         version=row.matrix.number, required=required, suggested=suggested))
    return result


def _counted_links(visible: QuerySet[Incident], matrix: ResponseMatrix, now: datetime) -> QuerySet[Any]:
    """(pupil, number of cases) over the visible cases of the rolling period that record a counted behaviour, at the
    threshold or over: grouped in the database. Cases, not behaviours: one case that records three behaviours is a
    first time, and "continued" means after an earlier warning or sanction. Only cases where the pupil is alleged to
    have caused harm count: not those where they were harmed, saw it, or are only "involved"."""
    since = now - timedelta(days=matrix.continued_period_days)
    return (
        _pupil_links()
        .filter(role=PupilRole.CAUSED_HARM,
                incident__in=visible.filter(occurred_at__gte=since).values("pk"),
                incident__behaviours__behaviour__in=COUNTED_BEHAVIOURS)
        .values("pupil_id")
        .annotate(n=Count("incident_id", distinct=True))
        .filter(n__gte=matrix.continued_threshold)
    )


@dataclass(frozen=True)
class ContinuedInfringements:
    """Pupils of a case at the school's continued-infringements threshold, and the row they escalate by."""

    threshold: int
    period_days: int
    pupils: list[tuple[Pupil, int]]  # the pupil, their cases with a counted behaviour in the period
    escalation: BehaviourResponses


def continued_infringements(user: User, school: School, incident: Incident,
                            now: datetime | None = None) -> ContinuedInfringements | None:
    """When a pupil alleged to have caused harm in this case has reached the threshold of cases with a behaviour (this
    case's included) in the rolling period where they were alleged to have caused harm too, over the cases this
    person may see: the continued infringements row of the tables in force (fixed queries)."""
    if not incident.behaviours.filter(behaviour__in=COUNTED_BEHAVIOURS).exists():
        return None
    matrix = current_response_tables(school)
    now = now or timezone.now()
    if matrix is None or incident.occurred_at < now - timedelta(days=matrix.continued_period_days):
        return None  # a case from before the period does not escalate
    harmed_here = incident.pupil_links.filter(role=PupilRole.CAUSED_HARM).values("pupil_id")
    counts = dict(_counted_links(incidents_visible_to(user, school), matrix, now)
                  .filter(pupil_id__in=harmed_here).values_list("pupil_id", "n"))
    if not counts:
        return None
    pupils = [(pupil, counts[pupil.pk]) for pupil in incident.pupils.filter(pk__in=counts).order_by("last_name")]
    row = CONTINUED[Subject.PUPIL]
    required, suggested = _responses_for(matrix.cells.filter(behaviour=row), row, matrix.pk)
    return ContinuedInfringements(
        threshold=matrix.continued_threshold, period_days=matrix.continued_period_days, pupils=pupils,
        escalation=BehaviourResponses(code=row, label=str(Behaviour(row).label), version=matrix.number,
                                      required=required, suggested=suggested),
    )


# ---------------------------------------------------------------- reports from pupils and parents

def pupil_link_for_token(token: str) -> PupilReportLink | None:
    """The school's live pupil link this token opens, or None (unknown, altered or switched off)."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return PupilReportLink.objects.select_related("school").filter(token_sha256=digest,
                                                                    revoked_at__isnull=True).first()


def is_switched_off_pupil_link(token: str) -> bool:
    """Whether this token is one of a school's pupil links that has since been switched off (or replaced). Such a
    token was given out by the school, not guessed, so opening it is not counted as a failed link."""
    if not token or len(token) > 100:
        return False
    digest = hashlib.sha256(token.encode()).hexdigest()
    return PupilReportLink.objects.filter(token_sha256=digest, revoked_at__isnull=False).exists()


def live_pupil_link(school: School) -> PupilReportLink | None:
    return PupilReportLink.objects.select_related("created_by").filter(school=school, revoked_at__isnull=True).first()


def parent_report_prefill(user: Person, school: School) -> dict[str, str]:
    """The name and email the parents' form starts from: a signed-in parent's own (one whose only role at this school
    is parent or carer); nothing for anyone else, a member of staff included, so a staff member's details are never
    put into a parent's report on a shared computer."""
    roles = roles_in(user, school)
    if not isinstance(user, User) or not roles or not roles <= PARENTS:
        return {}
    return {"reporter_name": user.full_name, "reporter_email": user.email}


def school_for_public_report(school_slug: str) -> School:
    """The school whose public report form this is (404 for a slug that is none)."""
    return found(School.objects.filter(slug=school_slug).first(), "No such school.")


def outside_report(incident: Incident) -> OutsideReport | None:
    """What a pupil or a parent told us beyond the case's fields (None for a staff report)."""
    if incident.reporter_kind == ReporterKind.STAFF:
        return None
    return OutsideReport.objects.filter(incident=incident).first()
