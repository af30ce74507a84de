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
