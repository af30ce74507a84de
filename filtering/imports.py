"""Importing a provider's CSV of blocked-access events: streamed, so a million rows use little memory."""

import csv
import hashlib
import zoneinfo
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from onlinesafety import csvimport
from onlinesafety.audit.services import record_event
from onlinesafety.csvimport import ImportRefused, detect_encoding, parse_time, read_header, text_of

from .models import BlockedEvent, ProviderImport

BATCH = 5000
MAX_BAD_LINES_KEPT = 100
FIELDS = ("time", "user", "user_group", "url", "category", "action")
REQUIRED = ("time", "user", "url", "category")
__all__ = ["ImportRefused", "check_mapping", "detect_encoding", "parse_time", "read_header", "run_import"]


def check_mapping(mapping: dict[str, Any], header: list[str]) -> dict[str, int]:
    """{field: column index}; every required field mapped to a column that exists."""
    return csvimport.check_mapping(mapping, header, FIELDS, REQUIRED)


Event = tuple[datetime, str, str, str, str, str, str, int, int]
Counts = dict[str, int]
BadLines = list[list[int | str]]  # [line in the file, why]


def _event(row: list[str], columns: dict[str, int], zone: tzinfo, school_id: int, import_id: int) -> Event:
    def cell(field: str) -> str:
        index = columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    if len(row) <= max(columns.values()):
        raise ValueError("the row has fewer columns than the header")
    if any("\x00" in value for value in row):
        raise ValueError("the row holds characters that cannot be stored")
    occurred = parse_time(cell("time"), zone)
    user, url, category = cell("user")[:150], cell("url")[:2000], cell("category")[:100]
    if not user or not url or not category:
        raise ValueError("the user, web address or category is empty")
    group, action = cell("user_group")[:100], cell("action")[:50]
    # The same moment written with or without a zone is the same event.
    key = "\x1f".join([occurred.astimezone(UTC).isoformat(), user, group, url, category, action])
    row_hash = hashlib.sha256(key.encode()).hexdigest()
    return (occurred, user, group, url, category, action, row_hash, school_id, import_id)


# The order of the values ``_event`` returns; a plain tuple costs far less than a model instance per row.
COLUMNS = ("occurred_at", "user_ref", "user_group", "url", "category", "action", "row_hash", "school_id", "source_id")
HASH: Final = 6  # where the row hash is in an event (a literal, so the type checker knows it is a str)
assert COLUMNS[HASH] == "row_hash"


def _save(batch: dict[str, Event], school_id: int) -> tuple[int, int]:
    """Insert the batch; returns (added, duplicates). Rows already imported, from this file or another, add nothing."""
    if connection.vendor == "postgresql":
        return _copy_into_postgresql(batch)
    existing = set(BlockedEvent.objects.filter(school_id=school_id, row_hash__in=list(batch))
                   .values_list("row_hash", flat=True))
    new = [BlockedEvent(**dict(zip(COLUMNS, row))) for key, row in batch.items() if key not in existing]
    with transaction.atomic():
        BlockedEvent.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(batch) - len(new)


def _copy_into_postgresql(batch: dict[str, Event]) -> tuple[int, int]:
    """COPY the batch into a temporary table, then insert what is new: the database tells how many."""
    columns = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS filtering_import_rows (occurred_at timestamptz, user_ref text, "
            "user_group text, url text, category text, action text, row_hash text, school_id bigint, "
            "source_id bigint) ON COMMIT DELETE ROWS"
        )
        with cursor.cursor.copy(f"COPY filtering_import_rows ({columns}) FROM STDIN") as copy:
            for row in batch.values():
                copy.write_row(row)
        cursor.execute(f"INSERT INTO filtering_blockedevent ({columns}) SELECT {columns} FROM filtering_import_rows "
                       "ON CONFLICT (school_id, row_hash) DO NOTHING")
        added = cursor.rowcount
    return added, len(batch) - added


def run_import(provider_import: ProviderImport) -> ProviderImport:
    """Read every row; keep the good ones, count and note the bad ones by their line in the file.

    Rows are saved in batches as they are read, so a failure part-way keeps what was saved (importing the file
    again adds only the rest) and marks the import as failed rather than leaving it running.
    """
    counts = {"rows_read": 0, "rows_added": 0, "rows_duplicate": 0, "rows_bad": 0}
    bad_lines: BadLines = []
    try:
        _read_all(provider_import, counts, bad_lines)
    except Exception as error:
        _finish(provider_import, ProviderImport.State.FAILED, counts, bad_lines, failure=type(error).__name__)
        raise
    return _finish(provider_import, ProviderImport.State.DONE, counts, bad_lines)


def _note_bad(counts: Counts, bad_lines: BadLines, line: int, why: str) -> None:
    counts["rows_bad"] += 1
    if len(bad_lines) < MAX_BAD_LINES_KEPT:
        bad_lines.append([line, why])


def _read_all(provider_import: ProviderImport, counts: Counts, bad_lines: BadLines) -> None:
    school = provider_import.school
    zone = zoneinfo.ZoneInfo(school.timezone)
    columns = check_mapping(provider_import.mapping, provider_import.header)
    batch: dict[str, Event] = {}
    duplicates_in_file = 0
    with provider_import.file.open("rb") as binary:
        text = text_of(binary, provider_import.encoding)
        reader = csv.reader(text)
        next(reader, None)  # the header
        while True:
            line = reader.line_num + 1  # where the next row starts
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:  # the reader carries on with the next row
                counts["rows_read"] += 1
                _note_bad(counts, bad_lines, line, f"not readable as CSV ({error})")
                continue
            if not any(cell.strip() for cell in row):
                continue
            counts["rows_read"] += 1
            try:
                event = _event(row, columns, zone, school.pk, provider_import.pk)
            except ValueError as error:
                _note_bad(counts, bad_lines, line, str(error))
                continue
            if event[HASH] in batch:
                duplicates_in_file += 1
            batch[event[HASH]] = event
            if len(batch) >= BATCH:
                _count_saved(counts, _save(batch, school.pk))
                batch = {}
                # A sign of life: an import whose worker died is known by this stopping (requeue_waiting_imports).
                ProviderImport.objects.filter(pk=provider_import.pk).update(progress_at=timezone.now())
        text.detach()
    if batch:
        _count_saved(counts, _save(batch, school.pk))
    counts["rows_duplicate"] += duplicates_in_file


def _count_saved(counts: Counts, saved: tuple[int, int]) -> None:
    added, duplicate = saved
    counts["rows_added"] += added
    counts["rows_duplicate"] += duplicate


def _finish(provider_import: ProviderImport, state: str, counts: Counts, bad_lines: BadLines,
            failure: str = "") -> ProviderImport:
    ProviderImport.objects.filter(pk=provider_import.pk).update(
        state=state, bad_lines=bad_lines, finished_at=timezone.now(), failure=failure[:100], **counts)
    provider_import.refresh_from_db()
    record_event(verb=f"filtering.provider_log_{'imported' if state == ProviderImport.State.DONE else 'failed'}",
                 actor=provider_import.uploaded_by, school=provider_import.school, target=provider_import,
                 detail=dict(counts))
    return provider_import


WORKER_STOPPED = "The worker stopped"


def give_up(provider_import: ProviderImport) -> None:
    """Mark an import whose workers died part-way too often as failed (the rows already saved stay; importing
    the same file again adds only the rest)."""
    claimed = ProviderImport.objects.filter(pk=provider_import.pk, state=ProviderImport.State.RUNNING).update(
        state=ProviderImport.State.FAILED, finished_at=timezone.now(), failure=WORKER_STOPPED)
    if claimed:
        record_event(verb="filtering.provider_log_failed", actor=provider_import.uploaded_by,
                     school=provider_import.school, target=provider_import,
                     detail={"reason": "stalled", "attempts": provider_import.attempts})

