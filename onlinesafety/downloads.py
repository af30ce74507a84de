"""Every file the product hands out (evidence, policy documents, PDFs it makes, CSV exports) goes through here,
so each carries the same headers: its real content type, a ``Content-Disposition`` with a safe file name,
``X-Content-Type-Options: nosniff`` and ``Cache-Control: private, no-store``. Callers check rights first.

A file shown in the browser (``inline``: a policy's PDF) goes without the Content-Security-Policy: Chromium's PDF
viewer builds its page from an embed and inline styles that the strict policy would block, leaving it blank. It is
a PDF checked by content or made by WeasyPrint, never HTML, and ``nosniff`` keeps it that way."""

import re
import unicodedata
from collections.abc import Iterable
from typing import IO, TypeVar

from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import content_disposition_header

from onlinesafety.headers import PRIVATE

UNSAFE = re.compile(r'[<>:"/\\|?*]+')  # path separators and what Windows refuses in a name
LONGEST_NAME = 120
R = TypeVar("R", bound=HttpResponseBase)


def safe_filename(name: str, extension: str = "") -> str:
    """A file name a browser saves as it is: no path separators, none of the characters Windows refuses, no
    control characters, no leading dot, at most 120 characters before the extension. Letters of any script and
    ordinary punctuation (a typographic apostrophe) stay."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in name)
    name = re.sub(r"-{2,}", "-", re.sub(r"\s+", " ", UNSAFE.sub("-", name)))
    name = name.strip(" .-")[:LONGEST_NAME].strip(" .-") or "download"
    return f"{name}{extension}"


def with_download_headers(response: R, filename: str, *, inline: bool = False) -> R:
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE
    if inline:
        setattr(response, "_csp_exempt", True)  # what django-csp's @csp_exempt sets, for this response only
    return response


def file_download(file: IO[bytes], *, content_type: str, filename: str, inline: bool = False) -> FileResponse:
    """A stored file, opened by the caller (``field.open("rb")``), streamed in chunks."""
    response = FileResponse(file, content_type=content_type)
    return with_download_headers(response, filename, inline=inline)


def bytes_download(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """A file made for this request (a PDF from WeasyPrint)."""
    return with_download_headers(HttpResponse(content, content_type=content_type), filename, inline=inline)


def streamed_download(lines: Iterable[str], *, content_type: str, filename: str) -> StreamingHttpResponse:
    """Text made row by row while it is sent (the CSV exports)."""
    return with_download_headers(StreamingHttpResponse(lines, content_type=content_type), filename)
