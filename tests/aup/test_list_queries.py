"""The AUP list pages use a fixed number of queries whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aup import services
from aup.models import Campaign, CampaignKind
from tests.factories import ParentLinkFactory, PupilFactory, member_of

pytestmark = pytest.mark.django_db


def grow(school, people, step):
    """Adds ``step`` of everything the lists show: staff still to sign, pupils and families, kiosk visits."""
    for n in range(step):
        member_of(school, "staff", email=f"staff{step}-{n}@t.example")
        ParentLinkFactory(parent=people.parent, pupil=PupilFactory(school=school))
        services.sign_at_kiosk(school=school, witness=people.reporter, full_name=f"Visitor {step} {n}",
                               organisation="Somewhere")
    services.add_account_holder(school=school, actor=people.osl, user=member_of(school, "staff"),
                                accounts="Instagram")


@pytest.mark.parametrize(("url", "query", "person"), [
    ("aup:list", "", "osl"),
    ("aup:campaigns", "", "osl"),
    ("aup:visitor_log", "", "reporter"),
    ("aup:account_holders", "", "osl"),
    ("aup:outstanding", "audience=staff", "dsl"),
    ("aup:outstanding", "kind=agreement", "dsl"),
    ("aup:outstanding", "kind=images", "dsl"),
    ("aup:family", "", "parent"),
])
def test_it_shows_the_list_pages_in_a_fixed_number_of_queries(
    client, published, people, url, query, person, django_assert_max_num_queries
):
    client.force_login(getattr(people, person))
    counts = []
    for step in (2, 12):
        grow(published, people, step)
        services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)  # reaches only the families just added
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(16):
            assert client.get(f"{reverse(url)}?{query}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
