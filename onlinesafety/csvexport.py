"""CSV downloads streamed row by row, with cells a spreadsheet will not run as formulas."""

import csv

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def safe_cell(value) -> str:
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(header, rows):
    """``header`` then every row of ``rows``, each as one line of CSV text."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
