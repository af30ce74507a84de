"""Everyone the access rules tell apart, in one school, and a DSL of another school."""

from onlinesafety.schools.roles import Role
from tests.factories import member_of

# Everyone below by attribute name: the rows of every access matrix in the suite.
EVERYONE = ("reporter", "other_staff", "technician", "dsl", "deputy", "osl", "head", "chair", "governor", "parent",
            "visitor", "riverside_dsl")


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
