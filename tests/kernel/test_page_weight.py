"""The page weight budget (docs/performance.md, "Page weight"): what a browser fetches for each main page, with the
static files compressed as whitenoise's CompressedManifestStaticFilesStorage serves them in production.

No collectstatic: each asset a page references is found by the staticfiles finders and compressed here with
whitenoise's own Compressor (gzip level 9 and brotli, kept only when 5% smaller, as collectstatic does). The
collected files differ from their sources only by the hashed names written into CSS, a few bytes.
tests/kernel/test_static_assets.py checks that production really serves them so; bench/page_weight.py measures
the real thing (collectstatic, whitenoise, the demo data) and prints the table in the docs.
"""

import gzip

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from whitenoise.compress import brotli_installed

from incidents.models import Incident
from tests.factories import PupilFactory
from tests.incidents.helpers import bulk_incidents
from tests.page_assets import KB, best, compressed_sizes, css_assets, page_assets

pytestmark = pytest.mark.django_db

# The budget. Measured (bench/page_weight.py, 2026-12-03): the assets of every page 72.4 KB gzip, 59.9 KB brotli;
# the heaviest first visit 95.5 KB (the triage dashboard showing 25 cases); the heaviest HTML 35.6 KB (the same).
SHARED_ASSETS_GZIP = 85 * KB  # base.html's stylesheets, scripts and icon, gzip (a browser without brotli)
SHARED_ASSETS_BR = 70 * KB  # the same, brotli (what current browsers are sent)
FIRST_VISIT = 120 * KB  # any main page, empty cache: HTML as the app sends it + its assets compressed
REPEAT_VISIT = 48 * KB  # the same page again: the HTML only (assets are cached for a year, immutable)
# The case page holds every form of "Manage this case"; the flowchart's branch and the behaviours (issue 14) took its
# HTML from 26 KB to 49.6 KB (the behaviours' 34 boxes 6.5 KB, the meeting's roles 5.6 KB).
CASE_PAGE_REPEAT_VISIT = 64 * KB
TRIAGE_HTML_GZIP = 8 * KB  # the triage dashboard showing a full page of 25 cases, if a proxy gzips HTML


def static_file(url: str) -> str:
    assert url.startswith(settings.STATIC_URL), f"{url}: every asset is served from our own static files"
    path = finders.find(url.removeprefix(settings.STATIC_URL).split("?")[0])
    assert path, f"{url}: referenced but not in the static files"
    return path


def assets_of(html: str) -> dict[str, dict]:
    """Every file the page makes the browser fetch (and what its stylesheets fetch), with its compressed sizes."""
    queue, found = page_assets(html), {}
    while queue:
        url = queue.pop(0)
        if url in found:
            continue
        path = static_file(url)
        found[url] = compressed_sizes(path)
        if url.endswith(".css"):
            with open(path, encoding="utf-8") as css:
                queue.extend(css_assets(css.read(), url))
    return found


def weigh(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    html = response.content
    assets = assets_of(html.decode())
    return {"html": len(html), "assets": assets, "first_visit": len(html) + sum(best(s) for s in assets.values())}


@pytest.fixture
def cases(oakfield, people):
    """More new cases than the dashboard shows on one page (25), each with a pupil."""
    pupils = [PupilFactory(school=oakfield) for _ in range(10)]
    return bulk_incidents(oakfield, people.reporter, 40, pupils=pupils)


def test_it_keeps_the_assets_every_page_loads_within_the_budget(client, people):
    client.force_login(people.reporter)
    assets = weigh(client, "/")["assets"]
    names = " ".join(assets)
    # The measure sees the big ones (else it would pass on a page it failed to read).
    assert "bootstrap.min.css" in names and "bootstrap.bundle.min.js" in names and "htmx.min.js" in names
    assert all(sizes["gzip"] for url, sizes in assets.items() if url.endswith((".css", ".js")))
    gzip_total = sum(sizes["gzip"] or sizes["raw"] for sizes in assets.values())
    assert gzip_total <= SHARED_ASSETS_GZIP, f"{gzip_total / KB:.1f} KB gzip: {assets}"
    if brotli_installed:  # whitenoise makes .br copies only with the brotli module (pinned in pyproject.toml)
        br_total = sum(best(sizes) for sizes in assets.values())
        assert br_total <= SHARED_ASSETS_BR, f"{br_total / KB:.1f} KB brotli: {assets}"


def test_it_has_the_brotli_module_that_whitenoise_needs_for_br_copies():
    assert brotli_installed


@pytest.mark.parametrize("who, url", [
    ("dsl", "/incidents/triage/"),
    ("dsl", "/"),
    ("dsl", "case"),
    ("reporter", "/incidents/new/"),
    ("reporter", "/"),
    ("parent", "/aup/family/"),
    ("governor", "/governors/reports/"),
    ("head", "/policies/"),
])
def test_it_keeps_each_main_page_within_the_first_and_repeat_visit_budget(client, people, cases, who, url):
    if url == "case":
        url = f"/incidents/{cases[0].pk}/"
    client.force_login(getattr(people, who))
    budget = CASE_PAGE_REPEAT_VISIT if url.startswith("/incidents/") and url[11:-1].isdigit() else REPEAT_VISIT
    weight = weigh(client, url)
    assert weight["first_visit"] <= FIRST_VISIT, f"{url}: {weight['first_visit'] / KB:.1f} KB on a first visit"
    assert weight["html"] <= budget, f"{url}: {weight['html'] / KB:.1f} KB of HTML on a repeat visit"


def test_it_keeps_the_triage_dashboard_html_within_its_bound_with_a_full_page(client, people, cases):
    client.force_login(people.dsl)
    response = client.get("/incidents/triage/")
    assert len(response.context["page"].object_list) == 25 and Incident.objects.count() == 40
    html = response.content
    assert len(html) <= REPEAT_VISIT, f"{len(html) / KB:.1f} KB"
    squeezed = len(gzip.compress(html, compresslevel=6))
    assert squeezed <= TRIAGE_HTML_GZIP, f"{squeezed / KB:.1f} KB gzipped"


def test_it_counts_what_a_stylesheet_fetches_and_ignores_data_uris():
    css = ("@import 'print.css'; .a{background:url(\"../img/a.png\")} .b{background:url(data:image/svg+xml,x)}"
           " @font-face{src:url(../fonts/x.woff2) format('woff2')} .c{fill:url(#gradient)}")
    assert css_assets(css, "/static/css/app.css") == [
        "/static/css/print.css", "/static/img/a.png", "/static/fonts/x.woff2"]
    html = ('<link rel="stylesheet" href="/static/a.css"><link rel="icon" href="/static/i.svg">'
            '<link rel="canonical" href="/x/"><script src="/static/a.js"></script><script>inline()</script>'
            '<img src="data:image/png;base64,xx"><img src="/static/p.png">')
    assert page_assets(html) == ["/static/a.css", "/static/i.svg", "/static/a.js", "/static/p.png"]
