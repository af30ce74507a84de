import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from onlinesafety.uploads import DOCX, check_upload

ALL = ("image/png", "image/jpeg", "application/pdf", DOCX)


def docx(*extra_parts) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra_parts:
            archive.writestr(name, b"\x00")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [docx("word/vbaProject.bin"), b"PK\x03\x04" + b"j" * 100 + docx(), b"%PDF-%%EOF",
     b"%PDF-1.4\n<html><script>x</script></html>\n%%EOF", b"GIF89a not allowed"],
)
def test_it_refuses_files_that_only_look_allowed(content):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("file", content), allowed=ALL, max_bytes=10**7)


def test_it_accepts_a_plain_word_document_and_a_real_pdf():
    assert check_upload(SimpleUploadedFile("a.docx", docx()), allowed=ALL, max_bytes=10**7).content_type == DOCX
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert check_upload(SimpleUploadedFile("a.pdf", pdf), allowed=ALL, max_bytes=10**7).content_type == \
        "application/pdf"


def test_it_deletes_only_its_own_partial_file_when_the_storage_fails(tmp_path, monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from onlinesafety.uploads import NotStored, store_file
    from tests.failing_storage import fail_storage, files_under

    storage = FileSystemStorage(location=tmp_path)
    kept = storage.save("logs/export.csv", ContentFile(b"an earlier upload of the same name"))
    tried = fail_storage(monkeypatch)
    with pytest.raises(NotStored, match="The file was not stored"):
        store_file(storage, "logs/export.csv", ContentFile(b"a,b\r\n1,2\r\n"))
    assert tried and tried[0] != kept  # it wrote under a free name next to the earlier file
    assert files_under(tmp_path) == [tmp_path / kept]  # the earlier file is untouched, the partial one gone
    assert (tmp_path / kept).read_bytes() == b"an earlier upload of the same name"
