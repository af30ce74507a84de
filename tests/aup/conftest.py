import pytest

from aup import services
from aup.models import Campaign, CampaignKind
from onlinesafety.schools.models import YearGroup
from onlinesafety.schools.roles import Role
from tests.aup.helpers import publish_all, tokens_sent_to
from tests.factories import ParentLinkFactory, PupilFactory, SchoolClassFactory, member_of


@pytest.fixture
def published(oakfield, riverside, people):
    """Every default agreement published in both schools (at Riverside by its headteacher: the DSL may not)."""
    publish_all(oakfield, people.osl)
    publish_all(riverside, member_of(riverside, Role.HEADTEACHER, email="head@river.example"))
    return oakfield


class Family:
    """people.parent with two children (Year 1 and Year 5); a second carer for the first; a child of another
    family in the same class."""

    def __init__(self, school, parent):
        self.year1 = SchoolClassFactory(school=school, name="Beech", year_group=YearGroup.Y1)
        self.year5 = SchoolClassFactory(school=school, name="Maple", year_group=YearGroup.Y5)
        self.parent = parent
        self.younger = PupilFactory(school=school, first_name="Ada", last_name="Lovelock", year_group=YearGroup.Y1,
                                    school_class=self.year1)
        self.older = PupilFactory(school=school, first_name="Ben", last_name="Lovelock", year_group=YearGroup.Y5,
                                  school_class=self.year5)
        ParentLinkFactory(parent=parent, pupil=self.younger)
        ParentLinkFactory(parent=parent, pupil=self.older)
        self.other_carer = member_of(school, Role.PARENT, email="carer2@t.example")
        ParentLinkFactory(parent=self.other_carer, pupil=self.younger,
                          relationship="father")
        self.neighbour = member_of(school, Role.PARENT, email="neighbour@t.example")
        self.neighbours_child = PupilFactory(school=school, first_name="Cleo", last_name="Nextdoor",
                                             year_group=YearGroup.Y5, school_class=self.year5)
        ParentLinkFactory(parent=self.neighbour, pupil=self.neighbours_child)


@pytest.fixture
def family(oakfield, people):
    return Family(oakfield, people.parent)


@pytest.fixture
def campaign(published, family, people):
    return services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                   cohort=Campaign.Cohort.WHOLE_SCHOOL)


@pytest.fixture
def token(campaign, family):
    return tokens_sent_to(family.parent.email)[0]

