"""The quick report draws its own pupil boxes (found by search), so a pupil's error in the summary links to the
search box, which says what is wrong."""

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
    assert 'aria-describedby="pupil-search-help pupil-error"' in page and 'id="pupil-error"' in page
