import datetime

import pytest

from onlinesafety.schools.roles import Role
from policies import services
from policies.models import ApprovingBody, PolicyKind

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def make_policy(oakfield, people):
    def make(school=None, actor=None, **fields):
        values = {
            "title": f"Policy {make.count}", "kind": PolicyKind.ONLINE_SAFETY, "owner": people.osl,
            "owner_role": Role.ONLINE_SAFETY_LEAD, "approving_body": ApprovingBody.HEADTEACHER,
            "review_cycle_months": 12, "last_approved_on": datetime.date(2026, 1, 10),
        }
        values.update(fields)
        make.count += 1
        return services.create_policy(school=school or oakfield, actor=actor or people.head, **values)

    make.count = 1
    return make
