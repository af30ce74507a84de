"""The latest governors' report on a governor's home page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governors.panels import report_panels
from onlinesafety.navigation import home_panels_for
from tests.factories import TermFactory

from .helpers import ready_report

pytestmark = pytest.mark.django_db


def test_it_links_a_governor_to_the_latest_ready_report(client, oakfield, riverside, people,
                                                        django_assert_max_num_queries):
    assert report_panels(people.governor, oakfield) == []
    today = timezone.localdate()
    term = TermFactory(school=oakfield, name="Autumn", starts_on=today - timedelta(days=120),
                       ends_on=today - timedelta(days=30))
    ready_report(term, version=1)
    latest = ready_report(term, version=2)
    ready_report(TermFactory(school=riverside, name="Spring", starts_on=today - timedelta(days=100),
                             ends_on=today - timedelta(days=10)))
    with django_assert_max_num_queries(1):
        [panel] = report_panels(people.governor, oakfield)
    assert panel.links[0].url == reverse("governors:download", args=[latest.pk])
    assert "Latest governors' report" in [p.title for p in home_panels_for(people.governor, oakfield)]
    assert "Latest governors' report" not in [p.title for p in home_panels_for(people.reporter, oakfield)]
    client.force_login(people.governor)
    assert reverse("governors:download", args=[latest.pk]) in client.get(reverse("home")).content.decode()
