import io

from django.utils import timezone
from PIL import Image

from incidents.models import CategoryCode, IncidentCategory


def category(school, code=CategoryCode.CYBERBULLYING):
    return IncidentCategory.objects.get(school=school, code=code)


def incident_fields(school, **overrides):
    fields = {
        "occurred_at": timezone.now() - timezone.timedelta(hours=2), "location": "in_school",
        "category": category(school), "description": "Unkind messages in a class chat.",
        "immediate_risk": False, "possibly_illegal": "no",
    }
    fields.update(overrides)
    return fields


def bulk_incidents(school, reporter, count, *, pupils=(), start_number=1000, **fields):
    """Many incidents fast, for query-count tests (bypasses the service on purpose: no emails)."""
    from incidents.models import Incident

    cat = fields.pop("category", None) or category(school)
    incidents = Incident.objects.bulk_create(
        Incident(school=school, number=start_number + n, reported_by=reporter, category=cat,
                 occurred_at=timezone.now() - timezone.timedelta(days=n % 60, hours=1), location="in_school",
                 description="Generated for a test.", **fields)
        for n in range(count)
    )
    through = Incident.pupils.through
    if pupils:
        through.objects.bulk_create(
            through(incident_id=incident.pk, pupil_id=pupils[n % len(pupils)].pk)
            for n, incident in enumerate(incidents)
        )
    return incidents


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def with_level(incident, level="inappropriate"):
    """The case with a level set (closing needs one), without a timeline entry of its own."""
    from incidents.models import Incident

    Incident.objects.filter(pk=incident.pk).update(level=level)
    incident.refresh_from_db()
    return incident
