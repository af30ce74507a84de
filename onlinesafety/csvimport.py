"""Reading a CSV that a school's provider exports (a filtering log, monitoring alerts): the pieces every such import
shares, so each app writes only what its rows mean.

The file is read as bytes and decoded as it streams (UTF-8 with or without a byte-order mark, else Windows-1252),
its header row is checked, the person maps columns to the app's fields, and times are read in the school's zone.
"""

import codecs
import io
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import IO, Any

from django.db import models

from onlinesafety.rules import RuleBroken


class ImportState(models.TextChoices):
    """Where an uploaded CSV is on its way in (the provider log's import and the monitoring alerts' share it)."""

    UPLOADED = "uploaded", "Uploaded: choose the columns"
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"

TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z",
                "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%SZ")


class ImportRefused(RuleBroken):
    """The file itself is refused: it cannot be imported at all (not CSV, no header, bad mapping, already
    imported). Views show it against the file or the mapping."""


def detect_encoding(binary: IO[bytes]) -> str:
    """UTF-8 (with or without a byte-order mark) if every byte decodes as UTF-8, else Windows-1252 (Latin-1 with
    the printable extras Windows exports use: curly quotes, the euro sign)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    binary.seek(0)
    try:
        for chunk in iter(lambda: binary.read(1 << 20), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def text_of(binary: IO[bytes], encoding: str) -> io.TextIOWrapper:
    """The file as text from its start (``detach()`` it when done, so the binary file stays open)."""
    binary.seek(0)
    # Bytes Windows-1252 leaves undefined become U+FFFD rather than stopping the import.
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


def read_header(binary: IO[bytes], encoding: str) -> list[str]:
    import csv

    text = text_of(binary, encoding)
    try:
        header = next(csv.reader(text), None)
    except csv.Error:
        header = None
    finally:
        text.detach()
    if not header or not any(cell.strip() for cell in header):
        raise ImportRefused("The file has no header row. Export it from the provider as CSV with column names.")
    if any("\x00" in cell for cell in header):
        raise ImportRefused("That is not a CSV file.")
    return [cell.strip() for cell in header]


def check_first_bytes(binary: IO[bytes]) -> None:
    """A file with NUL bytes near its start is not a CSV (a spreadsheet, an image)."""
    binary.seek(0)
    if b"\x00" in binary.read(65536):
        raise ImportRefused("That is not a CSV file.")
    binary.seek(0)


def check_mapping(mapping: dict[str, Any], header: list[str], fields: Iterable[str],
                  required: Iterable[str]) -> dict[str, int]:
    """{field: column index}; every required field mapped to a column that exists."""
    required = set(required)
    columns = {}
    for field in fields:
        chosen = mapping.get(field, "")
        if chosen in ("", None):
            if field in required:
                raise ImportRefused(f"Choose the column that holds the {field.replace('_', ' ')}.")
            continue
        if chosen not in header:
            raise ImportRefused(f"There is no column called {chosen!r}.")
        columns[field] = header.index(chosen)
    return columns


def guess_column(field: str, header: list[str]) -> str:
    """The column whose name looks like ``field`` ("pupil_identifier" finds "Pupil identifier"), or ""."""
    words = field.replace("_", " ")
    return next((c for c in header if c.lower() == field or words in c.lower()), "")


def parse_time(value: str, zone: tzinfo) -> datetime:
    value = value.strip()
    try:  # ISO 8601 in its many spellings: T or space, fractions of a second, Z or an offset
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    except ValueError:
        pass
    for fmt in TIME_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    raise ValueError("the time is not in a format we read (for example 2026-11-23 14:05:00)")
