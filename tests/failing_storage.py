"""An uploads folder that refuses files the way a full disk does: part of the file written, then ``OSError``."""

import errno
from pathlib import Path

from django.core.files.storage import FileSystemStorage

PARTIAL = b"the first bytes, then the disk was full"


def fail_storage(monkeypatch, times=None):
    """Make every save to the file-system storage fail (or only the first ``times``); returns the names tried."""
    tried: list[str] = []
    real = FileSystemStorage._save

    def save(self, name, content):
        tried.append(name)
        if times is not None and len(tried) > times:
            return real(self, name, content)
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PARTIAL)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return tried


def files_under(folder):
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
