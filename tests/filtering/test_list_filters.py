"""The change log's and the request list's filters: a wrong status or a date in no plausible year is an error on
the page and an empty list, never the whole log and never a 500 (``?to=9999-12-31`` once was)."""

import pytest
from django.urls import reverse

from filtering import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("query", "message"), [
    ({"to": "9999-12-31"}, "check the year"), ({"from": "0001-01-01"}, "check the year"),
    ({"from": "not-a-date"}, "Enter a valid date."), ({"status": "everything"}, "Select a valid choice."),
])
def test_it_shows_an_error_and_no_entries_for_a_wrong_log_filter(client, people, make_change, query, message):
    make_change()
    client.force_login(people.governor)
    response = client.get(reverse("filtering:log"), query)
    page = response.content.decode()
    assert response.status_code == 400 and list(response.context["page"]) == []
    assert 'id="error-summary"' in page and message in page and "Export this log" not in page
    export = client.get(reverse("filtering:log_csv"), query)  # the export goes back to the page with the errors
    assert export.status_code == 302 and export["Location"].startswith(reverse("filtering:log"))


def test_it_keeps_a_good_date_filter_and_shows_it_again(client, people, make_change, today):
    make_change()
    client.force_login(people.governor)
    response = client.get(reverse("filtering:log"), {"from": today.isoformat(), "to": today.isoformat()})
    assert response.status_code == 200 and len(response.context["page"]) == 1
    assert f'value="{today.isoformat()}"' in response.content.decode()


def test_it_lists_no_requests_for_a_status_that_does_not_exist(client, people, make_change):
    make_change()
    client.force_login(people.dsl)
    response = client.get(reverse("filtering:changes"), {"status": "everything"})
    assert response.status_code == 400 and list(response.context["page"]) == []
    assert 'href="#id_status"' in response.content.decode()
    assert len(client.get(reverse("filtering:changes"), {"status": services.Status.REQUESTED}).context["page"]) == 1
