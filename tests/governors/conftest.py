"""A school with two finished terms of known figures, so every number in the report can be checked."""

import datetime
import zoneinfo

import pytest

from incidents.models import CategoryCode, Illegal, Incident, IncidentCategory, Referral
from onlinesafety.schools.models import YearGroup
from tests.factories import PupilFactory, TermFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
SPRING = (datetime.date(2026, 1, 5), datetime.date(2026, 3, 27))
SUMMER = (datetime.date(2026, 4, 13), datetime.date(2026, 7, 22))
DESCRIPTIONS = [f"Secret words {n}" for n in range(1, 12)]


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


class KnownTerms:
    def __init__(self, school, people):
        self.school, self.people = school, people
        self.spring = TermFactory(school=school, name="Spring 2026", starts_on=SPRING[0], ends_on=SPRING[1])
        self.summer = TermFactory(school=school, name="Summer 2026", starts_on=SUMMER[0], ends_on=SUMMER[1])
        self.ann = PupilFactory(school=school, first_name="Annabel", last_name="Quimby", year_group=YearGroup.Y1)
        self.bob = PupilFactory(school=school, first_name="Bartholomew", last_name="Zeal", year_group=YearGroup.Y5)
        self.cat = PupilFactory(school=school, first_name="Catriona", last_name="Vex", year_group=YearGroup.Y5)
        self.dan = PupilFactory(school=school, first_name="Dashiell", last_name="Wren",
                                year_group=YearGroup.RECEPTION)
        self.count = 0
        # Summer: five incidents.
        self.incident(CategoryCode.CYBERBULLYING, "in_school", [self.ann], at(datetime.date(2026, 4, 20)), 2, 72)
        self.incident(CategoryCode.CYBERBULLYING, "in_school", [self.ann], at(datetime.date(2026, 5, 11)), 4, 120)
        self.incident(CategoryCode.CYBERBULLYING, "out_of_school", [self.bob, self.cat],
                      at(datetime.date(2026, 5, 20)), 6, None)
        imagery = self.incident(CategoryCode.YOUTH_IMAGERY, "out_of_school", [self.dan],
                                at(datetime.date(2026, 6, 3)), 1, 168, urgent=True, illegal=Illegal.YES)
        Referral.objects.create(incident=imagery, agency="police_101", referred_on=datetime.date(2026, 6, 3),
                                recorded_by=people.dsl)
        self.incident(CategoryCode.OTHER, "online_only", [], at(datetime.date(2026, 7, 1)), 8, 31 * 24,
                      subject=people.other_staff, other_people="A visiting coach")
        # Spring: two, both closed within the term.
        self.incident(CategoryCode.CYBERBULLYING, "in_school", [self.bob], at(datetime.date(2026, 2, 2)), 3, 24)
        self.incident(CategoryCode.OTHER, "online_only", [self.cat], at(datetime.date(2026, 3, 2)), 5, 48)

    def incident(self, code, location, pupils, reported_at, ack_hours, close_hours, urgent=False,
                 illegal=Illegal.NO, subject=None, other_people=""):
        self.count += 1
        incident = Incident.objects.create(
            school=self.school, number=self.count, reported_by=self.people.reporter, occurred_at=reported_at,
            location=location, category=IncidentCategory.objects.get(school=self.school, code=code),
            description=DESCRIPTIONS[self.count - 1], url="https://secret.example/page", is_urgent=urgent,
            immediate_risk=urgent, possibly_illegal=illegal, subject_of_allegation=subject,
            other_people=other_people,
            acknowledged_at=reported_at + datetime.timedelta(hours=ack_hours),
            closed_at=reported_at + datetime.timedelta(hours=close_hours) if close_hours else None,
            status="closed" if close_hours else "open", outcome="resolved" if close_hours else "",
        )
        Incident.objects.filter(pk=incident.pk).update(reported_at=reported_at)
        incident.pupils.set(pupils)
        return incident


@pytest.fixture
def known(oakfield, people):
    return KnownTerms(oakfield, people)


@pytest.fixture
def make_policy_for_report(oakfield, people):
    from onlinesafety.schools.roles import Role
    from policies import services
    from policies.models import ApprovingBody, PolicyKind

    def make(title="Online safety", **fields):
        return services.create_policy(
            school=oakfield, actor=people.head, title=title, kind=PolicyKind.ONLINE_SAFETY, owner=people.osl,
            owner_role=Role.ONLINE_SAFETY_LEAD, approving_body=ApprovingBody.HEADTEACHER, review_cycle_months=12,
            last_approved_on=datetime.date(2025, 7, 1), **fields)

    return make
