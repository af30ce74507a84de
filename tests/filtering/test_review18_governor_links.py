"""Review of issue 18 (branch review18). This test FAILS until the fault it shows is fixed.

Issue 18 took governors off the list of change requests (``can_list_changes``) and sends them to the change log
instead ("Filtering" > "Change log" is now their way in; ``can_open_changes`` says "a governor opens one from the
log"). But every entry of the change log links to the change request's own page, and that page answers a governor
404 (``change_reach`` gives them no request; the access matrix expects the 404). The governor's new way in is a
list of dead links: the same kind of fault as the "provider logs tab that answers 403" the issue set out to remove.
Either the log links only those who can open a request, or a governor can open the requests the log lists."""

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
