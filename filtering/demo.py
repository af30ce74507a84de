"""Oakfield's filtering for the demo: requests in every state, a term of checks, last year's review, and the
sample provider export (docs/samples/) imported with its dates moved up to this week. Created once."""

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from onlinesafety.schools.models import School

from . import imports
from .models import (
    CHECK_CATEGORIES,
    AnnualReview,
    ChangeRequest,
    FilterCheck,
    FilteringSettings,
    LogEntry,
    ProviderImport,
    Result,
)

User = get_user_model()
SAMPLE = Path(settings.BASE_DIR) / "docs" / "samples" / "provider-blocked-log.csv"
Status = ChangeRequest.Status


PROVIDERS = ("A filtering service for schools", "A monitoring service for schools")  # as on the annual review


def seed(*, today=None) -> dict[str, int]:
    school = School.objects.filter(slug="oakfield").first()
    if school is None:
        return {}
    providers = _providers(school)
    if ChangeRequest.objects.filter(school=school).exists():
        return {"filtering providers recorded": providers} if providers else {}
    today = today or timezone.localdate()
    people = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@oakfield.example")}
    changes = _changes(school, people, today)
    checks = _checks(school, people, today)
    _review(school, people, today)
    events = _provider_log(school, people["tech"], today)
    _stalled_import(school, people["tech"])
    return {"filtering requests": changes, "filtering checks": checks, "blocked events": events,
            "filtering providers recorded": providers}


def _stalled_import(school, technician) -> None:
    """A second upload of the same export whose worker kept stopping: failed, with "try again" on its page (trying
    adds nothing new: every row is already imported) and a line in the site administrator's failed jobs."""
    first = ProviderImport.objects.filter(school=school).order_by("pk").first()
    if first is None:
        return
    first.file.open("rb")
    content = first.file.read()
    first.file.close()
    ProviderImport.objects.create(
        school=school, uploaded_by=technician, original_name="provider-blocked-log-again.csv",
        encoding=first.encoding, header=first.header, mapping=first.mapping, state=ProviderImport.State.FAILED,
        attempts=3, failure=imports.WORKER_STOPPED, finished_at=timezone.now() - timedelta(hours=3),
        queued_at=timezone.now() - timedelta(hours=4),
        file=ContentFile(content, name="provider-blocked-log-again.csv"),
    )


def _providers(school) -> int:
    """Oakfield's filtering and monitoring providers (its set-up checklist item), recorded once."""
    settings_row, _ = FilteringSettings.objects.get_or_create(school=school)
    if settings_row.filtering_provider and settings_row.monitoring_provider:
        return 0
    settings_row.filtering_provider, settings_row.monitoring_provider = PROVIDERS
    settings_row.providers_recorded_at = timezone.now()
    settings_row.providers_recorded_by = User.objects.filter(email="dsl@oakfield.example").first()
    settings_row.save()
    return 1


def _change(school, people, today, *, status, target, reason, lesson, group, days_from_start, length, asker,
             action=ChangeRequest.Action.UNBLOCK, target_type=ChangeRequest.TargetType.DOMAIN):
    starts = today + timedelta(days=days_from_start)
    change = ChangeRequest.objects.create(
        school=school, action=action, target_type=target_type, target=target, target_display=target,
        user_group=group, reason=reason, lesson=lesson, is_temporary=action == ChangeRequest.Action.UNBLOCK,
        starts_on=starts if action == ChangeRequest.Action.UNBLOCK else None,
        ends_on=starts + timedelta(days=length - 1) if action == ChangeRequest.Action.UNBLOCK else None,
        status=status, requested_by=people[asker],
    )
    steps = [("requested", people[asker], reason)]
    if status != Status.REQUESTED:
        change.decided_by, change.decided_at = people["dsl"], timezone.now()
        if status == Status.REJECTED:
            change.decision_note = "Pupils can reach the same material through the BBC Bitesize pages already open."
            steps.append(("rejected", people["dsl"], change.decision_note))
        else:
            change.educational_benefit = "Primary sources for the unit, chosen by the teacher in advance."
            change.risks = "Adverts and comments may carry unsuitable material."
            change.supervision = "Used on the class screen only, led by the teacher."
            steps.append(("approved", people["dsl"], "Risk assessed and approved."))
    if status in (Status.ACTIVE, Status.REVERT_DUE):
        change.implemented_by, change.implemented_at = people["tech"], timezone.now()
        change.provider_reference = f"SW-{2200 + change.pk}"
        steps.append(("implemented", people["tech"], f"Provider reference {change.provider_reference}"))
    if status == Status.REVERT_DUE:
        steps.append(("revert_due", None, f"The period ended on {change.ends_on:%d %B %Y}."))
    change.save()
    LogEntry.objects.bulk_create(LogEntry(change=change, school=school, step=step, actor=actor, note=note)
                                 for step, actor, note in steps)


def _changes(school, people, today) -> int:
    specs = [
        dict(status=Status.REQUESTED, target="www.holocaustremembrance.example", group="pupils_ks2",
             reason="Year 6 history: survivors' testimony for the Second World War unit.", lesson="WW2 history",
             days_from_start=2, length=14, asker="teacher"),
        dict(status=Status.APPROVED, target="www.nhs.uk", group="pupils_ks2",
             reason="Year 5 PSHE: the drugs education unit uses the NHS pages on medicines.",
             lesson="PSHE: drugs education", days_from_start=0, length=21, asker="m.nowak"),
        dict(status=Status.ACTIVE, target="www.youtube.com", group="staff",
             reason="Staff training video on the new reading scheme.", lesson="INSET",
             days_from_start=-6, length=8, asker="j.wallace"),
        dict(status=Status.REVERT_DUE, target="www.racismnomore.example", group="pupils_ks2",
             reason="Year 6 citizenship: researching racism and how campaigns challenge it.",
             lesson="Citizenship", days_from_start=-20, length=15, asker="c.bailey"),
        dict(status=Status.REJECTED, target="www.minecraft.example", group="all_pupils",
             reason="Golden time reward for Year 4.", lesson="", days_from_start=1, length=7, asker="teacher"),
        dict(status=Status.ACTIVE, target="proxy-sites", group="everyone",
             target_type=ChangeRequest.TargetType.CATEGORY, action=ChangeRequest.Action.BLOCK,
             reason="Pupils found a new proxy site; block the category for all.", lesson="",
             days_from_start=0, length=1, asker="tech"),
    ]
    for spec in specs:
        _change(school, people, today, **spec)
    return len(specs)


def _checks(school, people, today) -> int:
    checks = []
    for months_ago, failed in ((2, []), (1, ["proxies"])):
        day = today - timedelta(days=30 * months_ago + 5)
        results = {code: Result.PASS for code, _ in CHECK_CATEGORIES}
        for code in failed:
            results[code] = Result.FAIL
        checks.append(FilterCheck(
            school=school, checked_on=day, checked_by=people["tech"], method="Online filtering test and manual "
            "checks by category", devices="Pupil laptops, staff laptops, iPads", user_groups="KS1, KS2, staff",
            results=results, issues="A new proxy site was reachable." if failed else "",
            actions="Asked the provider to block the proxy category." if failed else ""))
    FilterCheck.objects.bulk_create(checks)
    return len(checks)


def _review(school, people, today):
    reviewed = today - timedelta(days=300)
    AnnualReview.objects.create(
        school=school, reviewed_on=reviewed, senior_leader=people["head"], governor=people["governor"],
        filtering_provider="A filtering service for schools", monitoring_provider="A monitoring service for schools",
        categories_blocked="IWF list, terrorism, pornography, self-harm, gambling, proxies, malware.",
        alert_route="Serious alerts are emailed to the DSL and deputy and show on the provider's dashboard.",
        alert_speed="Within 15 minutes in the school day",
        out_of_hours="School laptops are filtered at home. Personal phones are handed in at the office.",
        training="All staff trained in September; governors briefed in October.",
        findings="Filtering meets the standards. Monitoring of iPads is weaker than of laptops.",
        actions="Add iPads to the monitoring service by spring.", recorded_by=people["dsl"],
        signed_off_at=timezone.now() - timedelta(days=290),
    )


def _provider_log(school, technician, today) -> int:
    """Import the sample export with its dates moved so its last day is yesterday."""
    rows = list(csv.reader(SAMPLE.read_text(encoding="utf-8").splitlines()))
    header, body = rows[0], rows[1:]
    times = [datetime.strptime(r[0], "%Y-%m-%d %H:%M:%S") for r in body if r and r[0][:2] == "20"]
    shift = timedelta(days=(today - timedelta(days=1) - max(times).date()).days)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        if row and row[0][:2] == "20":
            row = [(datetime.strptime(row[0], "%Y-%m-%d %H:%M:%S") + shift).strftime("%Y-%m-%d %H:%M:%S"), *row[1:]]
        writer.writerow(row)
    with transaction.atomic():
        provider_import = ProviderImport.objects.create(
            school=school, uploaded_by=technician, original_name=SAMPLE.name, encoding="utf-8-sig", header=header,
            mapping={"time": "Timestamp", "user": "Username", "user_group": "Group", "url": "URL",
                     "category": "Category", "action": "Action"},
            state=ProviderImport.State.RUNNING,
            file=ContentFile(out.getvalue().encode("utf-8"), name="provider-blocked-log.csv"),
        )
    return imports.run_import(provider_import).rows_added
