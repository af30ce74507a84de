r"""Benchmark: what each main page weighs, as a browser would fetch it from a production set-up.

    VAR_DIR=/tmp/page-weight .venv/bin/python bench/page_weight.py [--json]

Builds a throw-away SQLite database under var/bench/ (or uses DATABASE_URL if set: give it an empty database you
can drop), runs migrate and seed_demo (the demo schools: the figures are those of the pages a demonstration
shows), then switches the static files to what production runs (whitenoise's CompressedManifestStaticFilesStorage,
no finders) and collects them into a temporary folder (gzip and, when the `brotli` module is importable, brotli
copies beside each file, as `collectstatic` makes them on a release). Each page is loaded as its role through
Django's test client, DEBUG off, over https (secure=True), signed in with both factors. For each page:

- HTML: the bytes the app sends (raw: the app does not compress HTML itself; see docs/performance.md) and the
  same gzipped at level 6, as a proxy with gzip on would send it;
- the assets the page references: stylesheets, scripts and icons from its <link>/<script>/<img> tags, and what
  those stylesheets reference with url() or @import (fonts, images; data: URIs are part of the CSS), each
  fetched from whitenoise three times (no Accept-Encoding, gzip, br) and measured by the Content-Length it
  answers. Every asset's Cache-Control is checked: one that is not `immutable` counts on a repeat visit too;
- first visit: HTML as sent + every asset in the best encoding the server offers a current browser (br, else
  gzip, else raw); repeat visit: HTML only (the assets carry a year's `immutable` cache), plus any asset not
  cached so.

Headers and TLS framing are not counted (a few hundred bytes a request).
"""

import argparse
import gzip
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT, set_up_django, signed_in  # bench/ is on the path when a script here runs

sys.path.insert(0, str(ROOT))
from tests.page_assets import css_assets, kind_of, page_assets  # noqa: E402  (the page weight test's own parser)

PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # settings.py, when PRODUCTION


def fetch_asset(client, url: str) -> dict:
    """One asset as whitenoise serves it: its size in each encoding (the Content-Length answered) and caching."""
    sizes, cache_control = {}, ""
    for encoding in ("identity", "gzip", "br"):
        response = client.get(url, secure=True, headers={"Accept-Encoding": encoding})
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code} (a page references a file that is not collected)")
        served = response.get("Content-Encoding", "") or "identity"
        sizes[encoding] = int(response["Content-Length"]) if served == encoding else None
        cache_control = response.get("Cache-Control", "")
        if url.endswith(".css") and encoding == "identity":
            body = b"".join(response.streaming_content) if response.streaming else response.content
            sizes["references"] = css_assets(body.decode("utf-8", "replace"), url)
        elif response.streaming:
            response.close()
    return {"url": url, "kind": kind_of(url), "raw": sizes["identity"], "gzip": sizes["gzip"], "br": sizes["br"],
            "immutable": "immutable" in cache_control, "cache_control": cache_control,
            "references": sizes.get("references", [])}


def measure(client, url: str, asset_cache: dict) -> dict:
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.get('Location', '')}")
    html = response.content
    assert not response.get("Content-Encoding"), "the app compresses HTML now: measure what it sends"
    queue, seen, assets = page_assets(html.decode(), url), set(), []
    while queue:
        asset_url = queue.pop(0)
        if asset_url in seen:
            continue
        seen.add(asset_url)
        if asset_url not in asset_cache:
            asset_cache[asset_url] = fetch_asset(client, asset_url)
        asset = asset_cache[asset_url]
        assets.append(asset)
        queue.extend(asset["references"])
    best = [a["br"] or a["gzip"] or a["raw"] for a in assets]
    uncached = sum(a["br"] or a["gzip"] or a["raw"] for a in assets if not a["immutable"])
    html_gzip = len(gzip.compress(html, compresslevel=6, mtime=0))
    return {
        "url": url, "html_raw": len(html), "html_gzip": html_gzip, "assets": assets,
        "assets_raw": sum(a["raw"] for a in assets),
        "assets_gzip": sum(a["gzip"] or a["raw"] for a in assets),
        "assets_br": sum(a["br"] or a["gzip"] or a["raw"] for a in assets),
        "first_visit": len(html) + sum(best), "first_visit_html_gzip": html_gzip + sum(best),
        "repeat_visit": len(html) + uncached,
        "by_kind": {kind: sum(b for a, b in zip(assets, best) if a["kind"] == kind)
                    for kind in ("css", "js", "font", "image")},
        "uncompressed": len(html) + sum(a["raw"] for a in assets),
    }


def pages_to_measure() -> list[tuple[str, str, str]]:
    """(label, the demo login, url): the main page of each role, on the demo data."""
    from django.db.models import Count

    from aup.models import CampaignKind
    from incidents.models import Incident, Visibility
    from onlinesafety.schools.models import ParentLink, School

    oakfield = School.objects.get(slug="oakfield")
    # The case with the most on it (pupils, actions, notes) that the DSL sees: the heaviest case page of the demo.
    things = Count("pupils", distinct=True) + Count("actions", distinct=True) + Count("timeline", distinct=True)
    case = Incident.objects.filter(school=oakfield, visibility=Visibility.DSL_TEAM).annotate(
        things=things).order_by("-things", "number").first()
    link = ParentLink.objects.filter(parent__email="parent@oakfield.example", pupil__school=oakfield,
                                     has_parental_responsibility=True).order_by("pupil_id").first()
    pages = [
        ("DSL: triage dashboard", "dsl@oakfield.example", "/incidents/triage/"),
        ("DSL: home", "dsl@oakfield.example", "/"),
        ("DSL: case page", "dsl@oakfield.example", f"/incidents/{case.pk}/"),
        ("Teacher: report a concern", "teacher@oakfield.example", "/incidents/new/"),
        ("Teacher: home", "teacher@oakfield.example", "/"),
        ("Parent: family agreements", "parent@oakfield.example", "/aup/family/"),
    ]
    if link is not None:
        pages.append(("Parent: answer page", "parent@oakfield.example",
                      f"/aup/family/{link.pupil_id}/{CampaignKind.AGREEMENT}/"))
    pages += [
        ("Governor: reports", "governor@oakfield.example", "/governors/reports/"),
        ("Head: policies register", "head@oakfield.example", "/policies/"),
    ]
    return pages


def kb(n: int | None) -> str:
    return "–" if n is None else f"{n / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    args = parser.parse_args()

    # DEBUG off (set_up_django) needs a key of its own and the test client's host name.
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    set_up_django("page_weight.sqlite3")
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings
    from whitenoise.compress import brotli_installed

    from onlinesafety.accounts.models import User
    from onlinesafety.schools.models import Pupil, School
    from tests.incidents.helpers import bulk_incidents

    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet_logins=True, verbosity=0, stdout=io.StringIO())
    with tempfile.TemporaryDirectory(prefix="page-weight-static-") as static_root:
        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC}}
        with override_settings(STORAGES=storages, STATIC_ROOT=Path(static_root), WHITENOISE_USE_FINDERS=False,
                               WHITENOISE_AUTOREFRESH=False):
            call_command("collectstatic", interactive=False, verbosity=0)
            print(f"static files collected with {PRODUCTION_STATIC}; brotli copies: "
                  f"{'yes' if brotli_installed else 'no (the brotli module is not installed)'}")
            results, asset_cache = [], {}
            for label, email, url in pages_to_measure():
                result = measure(signed_in(User.objects.get(email=email)), url, asset_cache)
                results.append({"label": label, **result})
            # The demo's queue is short: the dashboard again with a full page (25 of 60 new cases, a pupil each).
            oakfield = School.objects.get(slug="oakfield")
            bulk_incidents(oakfield, User.objects.get(email="teacher@oakfield.example"), 60,
                           pupils=list(Pupil.objects.filter(school=oakfield)[:40]), start_number=90_000)
            result = measure(signed_in(User.objects.get(email="dsl@oakfield.example")), "/incidents/triage/",
                             asset_cache)
            results.append({"label": "DSL: triage, 25 cases shown", **result})
    print()
    header = (f"{'page':<28} {'HTML raw':>8} {'gzip':>6} {'assets raw':>10} {'gzip':>6} {'br':>6} "
              f"{'first visit':>11} {'(HTML gz)':>9} {'repeat':>7} {'uncompr.':>8}")
    print(header + "\n" + "-" * len(header))
    for r in results:
        print(f"{r['label']:<28} {kb(r['html_raw']):>8} {kb(r['html_gzip']):>6} {kb(r['assets_raw']):>10} "
              f"{kb(r['assets_gzip']):>6} {kb(r['assets_br']):>6} {kb(r['first_visit']):>11} "
              f"{kb(r['first_visit_html_gzip']):>9} {kb(r['repeat_visit']):>7} {kb(r['uncompressed']):>8}")
    print("\nKB = 1,024 bytes. first visit: HTML as the app sends it + assets in the best encoding served; "
          "(HTML gz): the same with the HTML gzipped by a proxy; repeat: what is fetched again.")
    print("\nassets in the encoding sent (br, else gzip), by kind, KB:")
    print(f"{'page':<28} {'CSS':>6} {'JS':>6} {'fonts':>6} {'images':>6} {'files':>5}")
    for r in results:
        k = r["by_kind"]
        print(f"{r['label']:<28} {kb(k['css']):>6} {kb(k['js']):>6} {kb(k['font']):>6} {kb(k['image']):>6} "
              f"{len(r['assets']):>5}")
    print("\nassets (each counted once above per page that references it):")
    print(f"{'asset':<60} {'kind':<5} {'raw':>7} {'gzip':>6} {'br':>6}  cache")
    for asset in sorted(asset_cache.values(), key=lambda a: -a["raw"]):
        name = re.sub(r"\.[0-9a-f]{12}\.", ".", urlsplit(asset["url"]).path)
        print(f"{name:<60} {asset['kind']:<5} {kb(asset['raw']):>7} {kb(asset['gzip']):>6} {kb(asset['br']):>6}  "
              f"{'immutable' if asset['immutable'] else asset['cache_control']}")
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
