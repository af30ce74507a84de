"""Checking uploaded files by what they contain, never by their name or the browser's say-so."""

import contextlib
import hashlib
import logging
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from onlinesafety.rules import RuleBroken

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "application/pdf": b"%PDF-",
    DOCX: b"PK\x03\x04",
}
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf", DOCX: ".docx"}
LABELS = {"image/png": "PNG", "image/jpeg": "JPEG", "application/pdf": "PDF", DOCX: "Word (.docx)"}


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes, allowed: tuple[str, ...]) -> str | None:
    return next((kind for kind in allowed if head.startswith(SIGNATURES[kind])), None)


def _is_word_document(upload: UploadedFile) -> bool:
    """A .docx is a zip holding the Word parts; any other zip is refused."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError,
            KeyError):
        return False
    names = {entry.filename for entry in entries}
    starts_at_zero = bool(entries) and min(entry.header_offset for entry in entries) == 0  # nothing hidden in front
    has_macros = any(name.lower().endswith("vbaproject.bin") for name in names)
    return starts_at_zero and not has_macros and {"[Content_Types].xml", "word/document.xml"} <= names


def _looks_whole(upload: UploadedFile, content_type: str) -> bool:
    upload.seek(0)
    if content_type == DOCX:
        return _is_word_document(upload)
    if content_type.startswith("image/"):
        try:
            with Image.open(upload) as image:
                image.verify()
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            return False
        return True
    # A PDF names its version, holds objects, and ends with an end-of-file marker.
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max((upload.size or 0) - 2048, 0))
    tail = upload.read()
    return bool(re.match(rb"%PDF-\d\.\d", head)) and b" obj" in head + tail and b"%%EOF" in tail


def check_upload(upload: UploadedFile, *, allowed: tuple[str, ...], max_bytes: int) -> CheckedUpload:
    """Accept ``upload`` only if its bytes are one of the ``allowed`` types and it is small enough."""
    labels = [LABELS[kind] for kind in allowed]
    names = " or ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else labels[0]
    size, name = upload.size or 0, upload.name or "The file"
    if size > max_bytes:
        raise ValidationError(f"{name} is larger than {max_bytes // MEGABYTE} MB.")
    upload.seek(0)
    content_type = _sniff(upload.read(16), allowed)
    if content_type is None or not _looks_whole(upload, content_type):
        raise ValidationError(f"{name} is not a {names} file. Only {names} files can be attached.")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file=upload, original_name=name, content_type=content_type, size=size,
                         sha256=digest.hexdigest())


NOT_STORED = ("The file was not stored: the site could not write it to its uploads folder, so nothing else changed. "
              "Try again later, and tell the site admin if it happens again.")


class NotStored(RuleBroken):
    """The storage refused a file (disk full, folder not writable or missing): none of it is kept."""


def store_file(storage: Storage, name: str, content: File, *, max_length: int | None = None) -> str:
    """Save ``content`` under a name of its own beside ``name`` (a random prefix: two uploads sent with one name at
    the same moment can never be given the same stored name) and return it. If the storage fails (an ``OSError``),
    whatever part of the file it wrote is deleted, never another upload's file, and ``NotStored`` is raised. The
    name the person gave is kept by the caller (``original_name``), not in the stored name."""
    folder, _, base = name.rpartition("/")
    unique = f"{folder}/{uuid.uuid4().hex[:12]}-{base}" if folder else f"{uuid.uuid4().hex[:12]}-{base}"
    free = storage.get_available_name(unique, max_length=max_length)
    try:
        return storage.save(free, content, max_length=max_length)
    except OSError as exc:
        with contextlib.suppress(OSError):
            storage.delete(free)  # a partial file, if the storage wrote one (a full disk writes part of it)
        logger.warning("An uploaded file could not be stored (%s, errno %s).", type(exc).__name__, exc.errno)
        raise NotStored(NOT_STORED) from exc
