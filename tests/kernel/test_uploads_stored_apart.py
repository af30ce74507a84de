"""Review of issue 19: a failed store must delete only what it wrote itself."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from onlinesafety.uploads import NotStored, store_file
from tests.failing_storage import PARTIAL, fail_storage, files_under


def test_it_keeps_another_upload_of_the_same_name_stored_meanwhile(tmp_path, monkeypatch):
    """Two provider CSVs called export.csv sent at the same moment: the other one is stored between this one's
    choice of a name and its save. Each gets a stored name of its own, so the failing one deletes only its part."""
    storage = FileSystemStorage(location=tmp_path)
    real = FileSystemStorage.get_available_name
    calls = []

    def available(self, name, max_length=None):
        free = real(self, name, max_length=max_length)
        calls.append(free)
        if len(calls) == 1:  # the other upload, stored just after this one chose its name
            path = tmp_path / "provider-logs/export.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"the other technician's export")
        return free

    monkeypatch.setattr(FileSystemStorage, "get_available_name", available)
    tried = fail_storage(monkeypatch)
    with pytest.raises(NotStored):
        store_file(storage, "provider-logs/export.csv", ContentFile(b"a,b\r\n1,2\r\n"))
    other = tmp_path / "provider-logs/export.csv"
    assert tried and tried[0] != "provider-logs/export.csv" and tried[0].endswith("-export.csv")
    assert other.exists() and other.read_bytes() == b"the other technician's export"
    assert not any(p.read_bytes() == PARTIAL for p in files_under(tmp_path))  # no part of this one is left
