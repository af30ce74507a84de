"""Review of issue 18 (branch review18). This test FAILS until the fault it shows is fixed.

Issue 18: "an error summary at the top linking to each field". The quick report draws its pupils by hand (each box
``id="pupil-<pk>"``, next to the search box ``id="pupil-search"``), but the shared error summary links a
checkbox list to ``#id_pupils_0``, which the page does not have. A pupil ticked who has left the roll (or is no longer
visible to the reporter) between the search and the send gives an error whose link in the summary goes nowhere, and
form-errors.js finds no field to focus."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db


def test_it_links_a_pupils_error_in_the_summary_to_something_on_the_page(client, oakfield, riverside, people):
    elsewhere = PupilFactory(school=riverside)  # not one the page could offer (as a pupil who left since)
    client.force_login(people.reporter)
    response = client.post(reverse("incidents:report"), {
        "immediate_risk": "no", "possibly_illegal": "no",
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": "Unkind messages in the class chat.", "pupils": [elsewhere.pk]})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="error-summary"' in page
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert targets, "the summary links each error to its field"
    for target in targets:
        assert f'id="{target}"' in page, f"the error summary links to #{target}, which is not on the page"
