"""Every file the product hands out (evidence, policy documents, PDFs it makes, CSV exports) goes through here,
so each carries the same headers: its real content type, a ``Content-Disposition`` with a safe file name,
``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store``. Callers check rights first."""

import re
import unicodedata

from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import content_disposition_header

UNSAFE = re.compile(r"[^\w .()-]+")
LONGEST_NAME = 120


def safe_filename(name: str, extension: str = "") -> str:
    """A file name a browser saves as it is: letters (any script), digits, spaces and ``.()-_``; no path, no
    control characters, at most 120 characters before the extension."""
    name = unicodedata.normalize("NFC", name)
    name = UNSAFE.sub("-", "".join(ch for ch in name if unicodedata.category(ch)[0] != "C"))
    name = re.sub(r"-{2,}", "-", name).strip(" .-")[:LONGEST_NAME].strip(" .-") or "download"
    return f"{name}{extension}"


def with_download_headers(response: HttpResponseBase, filename: str, *, inline: bool = False):
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def file_download(file, *, content_type: str, filename: str, inline: bool = False) -> FileResponse:
    """A stored file, opened by the caller (``field.open("rb")``), streamed in chunks."""
    response = FileResponse(file, content_type=content_type)
    return with_download_headers(response, filename, inline=inline)


def bytes_download(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """A file made for this request (a PDF from WeasyPrint)."""
    return with_download_headers(HttpResponse(content, content_type=content_type), filename, inline=inline)


def streamed_download(lines, *, content_type: str, filename: str) -> StreamingHttpResponse:
    """Text made row by row while it is sent (the CSV exports)."""
    return with_download_headers(StreamingHttpResponse(lines, content_type=content_type), filename)
