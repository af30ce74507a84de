"""Continued infringements count a pupil's cases, not behaviours: one case recording several is a first time."""

import pytest
from django.urls import reverse

from incidents.models import Behaviour as B
from incidents.selectors import continued_infringements

from .test_response_tables import case_page, record

pytestmark = pytest.mark.django_db


def test_it_does_not_call_a_pupils_first_case_continued_infringements_however_many_behaviours_it_records(
        client, people, make_incident, pupil, oakfield):
    """The row is "Continued infringements after a warning or sanction" (the seeds: "continued infringements of the
    above, following previous warnings or sanctions"): it needs the pupil's behaviour to go on across cases. Counting
    the behaviours of one case (``Count("incident__behaviours")`` in ``selectors._counted_links``) puts a pupil in
    their very first case at continued infringements as soon as the DSL ticks three rows that describe it (an
    offensive message, sent from a phone, on social media), and the case then lists the continued row's responses
    (headteacher, parents, further sanction) as required, on the case and as a red badge on the dashboard."""
    only_case = make_incident(pupils=[pupil])
    record(only_case, people, B.P_OFFENSIVE_MESSAGE, B.P_DEVICES, B.P_SOCIAL_MEDIA)
    client.force_login(people.dsl)
    assert continued_infringements(people.dsl, oakfield, only_case) is None
    assert 'id="continued-infringements"' not in case_page(client, only_case)
    triage = client.get(reverse("incidents:triage"), {"queue": "new"}).content.decode()
    assert "Continued infringements</span>" not in triage
