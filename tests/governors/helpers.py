"""Governor reports for tests that need one ready, without building the PDF."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from governors.models import TermReport

FAKE_PDF = b"%PDF-1.7\n% a stand-in for a built report\n%%EOF\n"


def ready_report(term, version=1, content=FAKE_PDF):
    """A report marked ready with a small stand-in file (building a real PDF takes a second or two)."""
    report = TermReport(school=term.school, term=term, version=version)
    report.file.save(f"test-{term.pk}-{version}.pdf", ContentFile(content), save=False)
    report.sha256, report.size = hashlib.sha256(content).hexdigest(), len(content)
    report.status, report.progress, report.step, report.finished_at = "ready", 100, "Ready", timezone.now()
    report.save()
    return report
