"""The change log links each entry to its change request only for someone who may open that request: a governor
reads the log as text, with no link that answers 403 or 404."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["governor", "chair"])
def test_it_gives_a_governor_no_dead_link_in_the_change_log(client, people, make_change, who):
    make_change()
    client.force_login(getattr(people, who))
    log = client.get(reverse("filtering:log"))
    assert log.status_code == 200
    main = log.content.decode().split('id="main"', 1)[1]  # the page's own links, not the bar's menus
    links = sorted(set(re.findall(r'href="(/filtering/[^"#?]*)', main)))
    assert links, "the change log lists the change"
    for href in links:
        status = client.get(href).status_code
        assert status not in (403, 404), f"the change log links a {who} to {href}, which answers {status}"


def test_it_links_each_entry_for_the_filtering_team(client, people, make_change):
    change = make_change()
    client.force_login(people.dsl)
    main = client.get(reverse("filtering:log")).content.decode().split('id="main"', 1)[1]
    assert f'href="{reverse("filtering:change", args=[change.pk])}"' in main
