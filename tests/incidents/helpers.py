import io

from django.utils import timezone
from PIL import Image

from incidents.models import CategoryCode, IncidentCategory
from onlinesafety.schools.roles import Role
from tests.factories import member_of


class People:
    """Everyone the access rules distinguish, in one school, plus a DSL of another school."""

    def __init__(self, school, other_school):
        self.reporter = member_of(school, Role.STAFF, email="reporter@t.example")
        self.other_staff = member_of(school, Role.STAFF, email="other.staff@t.example")
        self.technician = member_of(school, Role.TECHNICIAN, email="tech@t.example")
        self.dsl = member_of(school, Role.DSL, email="dsl@t.example")
        self.deputy = member_of(school, Role.DEPUTY_DSL, email="deputy@t.example")
        self.osl = member_of(school, Role.ONLINE_SAFETY_LEAD, email="osl@t.example")
        self.head = member_of(school, Role.HEADTEACHER, email="head@t.example")
        self.chair = member_of(school, Role.GOVERNOR, email="chair@t.example", is_chair=True)
        self.governor = member_of(school, Role.GOVERNOR, email="governor@t.example")
        self.parent = member_of(school, Role.PARENT, email="parent@t.example")
        self.visitor = member_of(school, Role.VISITOR, email="visitor@t.example")
        self.riverside_dsl = member_of(other_school, Role.DSL, email="dsl@river.example")

    def dsl_team(self):
        return [self.dsl, self.deputy, self.osl]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


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
