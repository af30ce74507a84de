"""Reading an MIS export: the checks on the whole file, its encoding and its header, then its rows, streamed.

Nothing here writes anything or keeps the file: a file refused raises ``ImportRefused`` with a message the school
understands, and the rows are read once, straight from the upload, into the import's normalised rows.
"""

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from onlinesafety.rules import RuleBroken

MAX_BYTES = 10 * 1024 * 1024
# The rows of one file (or one answer of the MIS's API) at most: far above the largest school's pupils or contacts
# (a secondary of 2,000 pupils exports about 3,500 contact rows), and it bounds what a dry run holds in memory.
MAX_ROWS = 20_000
CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t")
# What other programs' files begin with, so the message can say what the file is.
SIGNATURES = (
    (b"PK\x03\x04", "That is an Excel workbook (or another zip file), not a CSV file. In Excel, choose File, "
                    "Save As, \"CSV UTF-8 (Comma delimited)\", and upload that file."),
    (b"\xd0\xcf\x11\xe0", "That is an old Excel (.xls) or Word file, not a CSV file. Save it as CSV and upload "
                          "that file."),
    (b"%PDF", "That is a PDF, not a CSV file. Export the report from the MIS as CSV."),
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# A cell no export would use as a column name: a date, an email address, a UPN; a first row with one is data.
LOOKS_LIKE_DATA = re.compile(r"^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}.*|[^@\s]+@[^@\s]+\.[^@\s]+|[A-Z]\d{11}[0-9A-Z])$")
NUMBER = re.compile(r"^[\d\s.+-]+$")


class ImportRefused(RuleBroken):
    """The file (or the columns chosen) cannot be imported at all; nothing was written. ``field`` says which part
    of the form the message belongs to."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


class MappingNeeded(ImportRefused):
    """The columns chosen do not fit this file: the person chooses them by hand (and uploads the file again, since
    it is never kept)."""

    def __init__(self, message: str, header: list[str], mapping: dict[str, str]) -> None:
        super().__init__(message, field="columns")
        self.header, self.mapping = header, mapping


@dataclass
class CheckedFile:
    """A file that passed the whole-file checks: its encoding, delimiter, header and SHA-256."""

    encoding: str
    delimiter: str
    header: list[str]
    sha256: str
    size: int


@dataclass(frozen=True)
class RawRow:
    """One record of the export: its line in the file (or position in the API's answer) and its values by field
    (a field the mapping leaves out is absent), or why the row could not be read at all."""

    line: int
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""


def check_file(binary: IO[bytes], size: int) -> CheckedFile:
    """Size, what the file is, NUL bytes, encoding (UTF-8 with or without a byte-order mark, else Windows-1252) and
    the header row. Raises ``ImportRefused``."""
    if size > MAX_BYTES:
        raise ImportRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. An export of a school's "
                            "pupils, contacts or staff is far smaller: check that it is the right file.")
    binary.seek(0)
    head = binary.read(8)
    if not head.strip():
        raise ImportRefused("The file is empty.")
    for signature, message in SIGNATURES:
        if head.startswith(signature):
            raise ImportRefused(message)
    encoding, sha256 = _scan(binary)
    delimiter, header = _header(binary, encoding)
    return CheckedFile(encoding=encoding, delimiter=delimiter, header=header, sha256=sha256, size=size)


def _scan(binary: IO[bytes]) -> tuple[str, str]:
    """One pass over the bytes: NUL bytes refuse the file; UTF-8 if every byte decodes as UTF-8, else Windows-1252
    (which reads Latin-1 files too)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    binary.seek(0)
    for chunk in iter(lambda: binary.read(CHUNK), b""):
        if b"\x00" in chunk:
            raise ImportRefused("That is not a CSV file: it holds NUL bytes, which text never does. Export the "
                                "report from the MIS as CSV.")
        digest.update(chunk)
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return ("utf-8-sig" if utf8 else "cp1252"), digest.hexdigest()


def text_of(binary: IO[bytes], encoding: str) -> io.TextIOWrapper:
    binary.seek(0)
    # Bytes Windows-1252 leaves undefined become U+FFFD, which the checks below then refuse.
    return io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


def _header(binary: IO[bytes], encoding: str) -> tuple[str, list[str]]:
    text = text_of(binary, encoding)
    try:
        first = text.readline(64 * 1024).lstrip("\ufeff").removeprefix("\u00ef\u00bb\u00bf")
    finally:
        text.detach()
    delimiter = max(DELIMITERS, key=first.count)
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        header = []
    cells = [cell.strip() for cell in header]
    if not any(cells):
        raise ImportRefused("The file has no header row. Export it from the MIS as CSV with the column names in "
                            "the first row.")
    endless = len(first) >= 64 * 1024 and not first.endswith(("\n", "\r"))
    if endless or any(CONTROL.search(cell) or len(cell) > 100 for cell in cells):
        raise ImportRefused("That does not look like a CSV export: its first row is not a row of column names. "
                            "Export the report from the MIS as CSV and upload that file.")
    if len(cells) < 2:
        raise ImportRefused("The file has only one column. Export it from the MIS as CSV, with a comma between "
                            "columns.")
    named = [cell for cell in cells if cell]
    numbers = sum(bool(NUMBER.match(cell)) for cell in named)
    if any(LOOKS_LIKE_DATA.match(cell) for cell in named) or numbers * 2 >= len(named):
        raise ImportRefused("The first row looks like a pupil's or a person's details, not column names. Export "
                            "the report from the MIS with a header row.")
    folded = [cell.casefold() for cell in named]
    repeated = sorted({cell for cell in named if folded.count(cell.casefold()) > 1})
    if repeated:
        raise ImportRefused(f"Two columns are both called “{repeated[0]}”. Give each column its own name in the "
                            "report and export it again.")
    return delimiter, cells


def csv_rows(binary: IO[bytes], checked: CheckedFile, mapping: dict[str, str]) -> Iterator[RawRow]:
    """The rows after the header, each with its line in the file (a row may span lines), as values by field."""
    index = {column.casefold(): position for position, column in enumerate(checked.header)}
    columns = {name: index[column.casefold()] for name, column in mapping.items()}
    width = len(checked.header)
    text = text_of(binary, checked.encoding)
    try:
        reader = csv.reader(text, delimiter=checked.delimiter)
        next(reader, None)
        while True:
            line = reader.line_num + 1  # where the next row starts
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                yield RawRow(line, error="it cannot be read as CSV (a quote that is never closed, or a cell too "
                                         "long)")
                continue
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: cells[position] if position < len(cells) else "" for name, position in columns.items()}
            if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                # The values go with it, so that the person it is about can still be recognised by their key.
                yield RawRow(line, values, error=f"it has {len(cells)} cells but the header has {width} columns (a "
                                                 "comma inside a cell that is not in quotes?)")
                continue
            yield RawRow(line, values)
    finally:
        try:
            text.detach()  # the upload stays open for its owner
        except ValueError:  # already closed
            pass
