"""From what a provider sends (a CSV row, a webhook's JSON) to saved alerts: the one path every arrival takes.

Each alert is read into a plain tuple (cheap at 100,000 rows), matched to a pupil by the MIS's keys (one query a
batch, through the roster's selectors), and saved in batches with ``ignore_conflicts``: the same provider reference
twice in one school adds nothing (``monitoring_alert_once``). An alert that may show a sexual image of a child keeps
its metadata only: its captured text and screenshot reference are dropped here, before anything is stored.
"""

import hashlib
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from onlinesafety.csvimport import guess_column, parse_time
from onlinesafety.roster.selectors import Matched, pupils_by_identifier
from onlinesafety.schools.models import School

from .models import Arrival, MonitoringAlert, Risk

BATCH = 5000
FIELDS = ("time", "provider_reference", "user", "device", "pupil_identifier", "category", "risk",
          "captured_text", "screenshot_ref", "provider")
REQUIRED = ("time", "category", "risk")
LABELS = {"time": "Time", "provider_reference": "Provider reference", "user": "User", "device": "Device",
          "pupil_identifier": "Pupil identifier (MIS id or UPN)", "category": "Category", "risk": "Risk level",
          "captured_text": "Captured text", "screenshot_ref": "Screenshot reference", "provider": "Provider"}

# Column names providers' exports use, besides the field's own (``csvimport.guess_column``), compared in lower case.
COLUMN_NAMES = {
    "time": ("alert time", "timestamp", "date/time", "date and time", "occurred at", "time"),
    "provider_reference": ("alert id", "alert reference", "reference", "event id", "id"),
    "user": ("username", "user name", "login", "user"),
    "device": ("device name", "computer", "machine", "device"),
    "pupil_identifier": ("pupil id", "student id", "mis id", "upn", "pupil identifier", "pupil"),
    "category": ("category", "alert category", "type"),
    "risk": ("risk level", "severity", "risk", "level"),
    "captured_text": ("captured text", "text", "content", "capture"),
    "screenshot_ref": ("screenshot", "screenshot reference", "screenshot ref", "image"),
    "provider": ("provider", "source", "system"),
}


def guess_mapping(header: list[str]) -> dict[str, str]:
    """For each field, the column it is most likely in (or ""): the field's own name first, then the names
    providers use; a column is guessed for one field at most."""
    lower = {column.strip().lower(): column for column in reversed(header)}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name in FIELDS:
        guess = guess_column(name, header)
        if not guess or guess in taken:
            guess = next((lower[n] for n in COLUMN_NAMES.get(name, ()) if n in lower and lower[n] not in taken), "")
        mapping[name] = guess
        if guess:
            taken.add(guess)
    return mapping


# Categories whose capture may be a sexual image of a child: never stored, never shown (metadata only). Matched as
# words, in any case, so "Essex" is not "sex". A category not in this list keeps its capture: the list errs wide.
SEXUAL_IMAGE_WORDS = ("sex…", "nud…", "naked", "porn…", "adult…", "explicit", "intimate imag…", "indecent",
                      "self-generated", "youth-produced", "child abuse imag…", "CSAM", "CSEA", "IIOC")
_SEXUAL_IMAGE = re.compile(
    r"\b(?:sex\w*|nud\w*|naked|porn\w*|adult\w*|explicit\w*|intimate\s+imag\w*|indecent\w*|self[-\s]?generated"
    r"|youth[-\s]?produced|child\s+(?:sexual\s+)?abuse\s+imag\w*|csam|csea|iioc|iiioc)\b", re.IGNORECASE)
# The times an alert may have: from 2000 (older is a clock that was never set) to a few minutes from now (a
# device's clock a little ahead); both are refused with a message, not stored.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(minutes=5)
_RISK_WORDS = {
    "low": Risk.LOW, "minor": Risk.LOW, "info": Risk.LOW, "informational": Risk.LOW, "1": Risk.LOW, "2": Risk.LOW,
    "medium": Risk.MEDIUM, "moderate": Risk.MEDIUM, "amber": Risk.MEDIUM, "3": Risk.MEDIUM,
    "high": Risk.HIGH, "severe": Risk.HIGH, "critical": Risk.HIGH, "urgent": Risk.HIGH, "red": Risk.HIGH,
    "4": Risk.HIGH, "5": Risk.HIGH,
}


def may_be_sexual_image(category: str) -> bool:
    return bool(_SEXUAL_IMAGE.search(category))


def read_risk(value: str) -> Risk:
    if not value.strip():
        raise ValueError("the risk level is empty")
    word = value.strip().lower().removeprefix("level ").removesuffix(" risk").strip()
    if word not in _RISK_WORDS:
        raise ValueError(f"the risk level {value.strip()[:30]!r} is not one we read (low, medium, high, or 1 to 5)")
    return _RISK_WORDS[word]


# The values of one alert, in the order of ``COLUMNS``; the pupil and the school are added when it is saved.
Alert = tuple[datetime, str, str, str, str, str, str, str, str, str, bool]
COLUMNS = ("occurred_at", "provider_reference", "provider", "user_ref", "device", "pupil_identifier", "category",
           "risk", "captured_text", "screenshot_ref", "content_withheld")


def _clean(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise ValueError("a value holds characters that cannot be stored")
    return text.strip()[:limit]


def _checked_time(occurred: datetime) -> datetime:
    try:
        in_utc = occurred.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 ahead of UTC, year 9999 behind it
        raise ValueError("the time is at the edge of the calendar and cannot be stored: check the date") from None
    if in_utc < EARLIEST:
        raise ValueError("the time is before 2000: check the date")
    if in_utc > timezone.now() + FUTURE_SLACK:
        minutes = int(FUTURE_SLACK.total_seconds() // 60)
        raise ValueError(f"the time is more than {minutes} minutes in the future: check the date and the device's "
                         "clock")
    return occurred


def read_alert(values: Mapping[str, Any], zone: tzinfo) -> Alert:
    """One alert from its fields by name (``FIELDS``). Raises ``ValueError`` saying what is wrong with it."""
    raw_time = values.get("time")
    if isinstance(raw_time, datetime):
        occurred = raw_time if raw_time.tzinfo else raw_time.replace(tzinfo=zone)
    else:
        if not _clean(raw_time, 60):
            raise ValueError("the time is empty")
        occurred = parse_time(_clean(raw_time, 60), zone)
    occurred = _checked_time(occurred)
    category = _clean(values.get("category"), 100)
    if not category:
        raise ValueError("the category is empty")
    risk = read_risk(_clean(values.get("risk"), 40))
    user, device = _clean(values.get("user"), 150), _clean(values.get("device"), 150)
    pupil_identifier = _clean(values.get("pupil_identifier"), 100)
    if not (user or device or pupil_identifier):
        raise ValueError("give the user, the device or the pupil identifier")
    provider = _clean(values.get("provider"), 60)
    text, screenshot = _clean(values.get("captured_text"), 4000), _clean(values.get("screenshot_ref"), 500)
    withheld = may_be_sexual_image(category)
    if withheld:  # metadata only: the capture is never stored
        text = screenshot = ""
    reference = _clean(values.get("provider_reference"), 200)
    if not reference:  # the provider gave none: the same alert sent again is known by what it says
        key = "\x1f".join([occurred.astimezone(UTC).isoformat(), user, device, pupil_identifier, category, risk])
        reference = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return (occurred, reference, provider, user, device, pupil_identifier, category, risk, text, screenshot,
            withheld)


@dataclass
class Saved:
    added: int = 0
    duplicate: int = 0
    high_risk_added: int = 0
    references_added: list[str] = field(default_factory=list)


def save_alerts(school: School, alerts: Iterable[Alert], *, arrival: Arrival, source_id: int | None = None) -> Saved:
    """Save one batch (at most ``BATCH``) in one transaction: the alerts not already known, each matched to a
    pupil where its pupil identifier or user names one. Returns what was added."""
    alerts = list(alerts)
    batch = {alert[1]: alert for alert in alerts}  # the same reference twice in one batch: the last one
    saved = Saved()
    if not batch:
        return saved
    pupils = pupils_by_identifier(school, {alert[5] for alert in batch.values()} |
                                  {alert[3] for alert in batch.values()})
    zone = zoneinfo.ZoneInfo(school.timezone)
    now = timezone.now()
    rows = [(*alert, school.pk, arrival.value, now, source_id, _pupil_of(alert, pupils, zone))
            for alert in batch.values()]
    if connection.vendor == "postgresql":
        added = _copy_into_postgresql(rows)
    else:
        added = _insert(school, rows)
    saved.added = len(added)
    saved.duplicate = len(alerts) - len(added)
    saved.high_risk_added = sum(1 for _, risk in added if risk == Risk.HIGH)
    saved.references_added = [reference for reference, _ in added]
    return saved


def _pupil_of(alert: Alert, pupils: Mapping[str, Matched], zone: tzinfo) -> int | None:
    """The pupil the alert's pupil identifier (else its user) names, if they were still on roll on the alert's day
    (the roster's leaving date): an alert after a pupil left is matched to no one."""
    day = alert[0].astimezone(zone).date()
    for identifier in (alert[5], alert[3]):
        matched = pupils.get(identifier)
        if matched is not None and matched.was_on_roll(day):
            return matched.pk
    return None


# A row as saved: an alert's values, then these.
ROW_COLUMNS = (*COLUMNS, "school_id", "arrival", "received_at", "source_id", "pupil_id")
# What the model's defaults would give a new alert (COPY and a raw INSERT do not apply them).
NEW = {"status": "new", "dismiss_reason": "", "dismiss_note": ""}


def _insert(school: School, rows: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    with transaction.atomic():
        known = set(MonitoringAlert.objects.filter(school=school, provider_reference__in=[row[1] for row in rows])
                    .values_list("provider_reference", flat=True))
        new = [row for row in rows if row[1] not in known]
        MonitoringAlert.objects.bulk_create([MonitoringAlert(**dict(zip(ROW_COLUMNS, row, strict=True)))
                                             for row in new], batch_size=BATCH, ignore_conflicts=True)
    return [(row[1], row[7]) for row in new]


def _copy_into_postgresql(rows: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    """COPY the batch into a temporary table, then insert what is new: the database says which were added."""
    columns = ", ".join(ROW_COLUMNS)
    defaults = ", ".join(NEW)
    values = ", ".join(f"'{value}'" for value in NEW.values())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS monitoring_import_rows (occurred_at timestamptz, provider_reference text, "
            "provider text, user_ref text, device text, pupil_identifier text, category text, risk text, "
            "captured_text text, screenshot_ref text, content_withheld boolean, school_id bigint, arrival text, "
            "received_at timestamptz, source_id bigint, pupil_id bigint) ON COMMIT DELETE ROWS")
        with cursor.cursor.copy(f"COPY monitoring_import_rows ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"INSERT INTO monitoring_monitoringalert ({columns}, {defaults}) "
                       f"SELECT {columns}, {values} FROM monitoring_import_rows "
                       "ON CONFLICT (school_id, provider_reference) DO NOTHING RETURNING provider_reference, risk")
        return [(reference, risk) for reference, risk in cursor.fetchall()]
