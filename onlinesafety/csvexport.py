"""CSV downloads streamed row by row, with cells a spreadsheet will not run as formulas."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from onlinesafety.downloads import safe_filename, streamed_download

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def safe_cell(value: object) -> str:
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """``header`` then every row of ``rows``, each as one line of CSV text."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    return streamed_download(lines, content_type="text/csv; charset=utf-8", filename=safe_filename(filename))
