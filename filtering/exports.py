"""The filtering change log as CSV: every step of every request, with the request it belongs to."""

import zoneinfo
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from onlinesafety.csvexport import csv_lines

from .models import LogEntry

HEADER = ["When", "Request", "Action", "Target", "For whom", "Step", "By", "Why / note", "Request status"]


def change_log_rows(entries: QuerySet[LogEntry], zone: zoneinfo.ZoneInfo) -> Iterator[str]:
    """CSV lines, times in ``zone`` (the school's zone: the response streams after the request's zone is gone)."""
    return csv_lines(HEADER, (
        (f"{timezone.localtime(entry.at, zone):%d/%m/%Y %H:%M}", entry.change.pk, entry.change.get_action_display(),
         entry.change.target_display, entry.change.get_user_group_display(), entry.step,
         entry.actor.full_name if entry.actor else "(automatic)", entry.note, entry.change.get_status_display())
        for entry in entries.iterator(chunk_size=1000)
    ))
