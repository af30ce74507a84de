"""The headers every response carries: a strict Content-Security-Policy (django-csp), the Permissions-Policy, and
``Cache-Control: private, no-store`` on whatever is private. And the templates hold nothing the policy refuses."""

import re
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from onlinesafety.downloads import bytes_download
from onlinesafety.headers import PrivateCacheMiddleware

ROOT = Path(__file__).resolve().parents[2]
CSP = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
       "object-src": "'none'", "base-uri": "'self'", "frame-ancestors": "'none'", "form-action": "'self'"}
DISABLED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(header):
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_page_headers(response):
    assert directives(response["Content-Security-Policy"]) == CSP
    policy = response["Permissions-Policy"]
    for feature in DISABLED_FEATURES:
        assert f"{feature}=()" in policy


def is_private(response):
    """Ours ("private, no-store") or never_cache's ("max-age=0, no-cache, no-store, must-revalidate, private")."""
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.django_db
def test_it_sends_the_policies_on_a_public_page_and_lets_it_be_cached(client, oakfield):
    response = client.get(reverse("policies:public", args=[oakfield.slug]))
    assert response.status_code == 200
    assert_page_headers(response)
    assert "Cache-Control" not in response


@pytest.mark.django_db
def test_it_sends_the_policies_on_the_sign_in_page(client):
    response = client.get(reverse("accounts:login"))
    assert_page_headers(response)
    assert is_private(response)  # Django's own never_cache, kept


@pytest.mark.django_db
def test_it_keeps_every_page_of_a_signed_in_person_out_of_caches(client, people):
    client.force_login(people.dsl)
    for response in (client.get(reverse("home")), client.get(reverse("incidents:triage")),
                     client.get("/no-such-page/"), client.get(reverse("incidents:case", args=[999999]))):
        assert_page_headers(response)
        assert is_private(response), response


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/aup/sign/not-a-real-token/", "/accounts/invitation/not-a-real-token/",
                                 "/accounts/password/reset/key/1-set-password/"])
def test_it_keeps_a_page_opened_with_a_token_out_of_caches_even_signed_out(client, url):
    response = client.get(url)
    assert_page_headers(response)
    assert is_private(response), response.status_code


def test_it_keeps_a_view_s_own_cache_control():
    def cached_view(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "max-age=60"
        return response

    request = RequestFactory().get("/")
    request.user = type("SignedIn", (), {"is_authenticated": True})()
    assert PrivateCacheMiddleware(cached_view)(request)["Cache-Control"] == "max-age=60"
    assert PrivateCacheMiddleware(lambda request: HttpResponse("ok"))(request)["Cache-Control"] == "private, no-store"


def test_it_keeps_every_download_out_of_caches_even_for_a_signed_out_person():
    def view(request):
        return bytes_download(b"%PDF-1.4", content_type="application/pdf", filename="policy.pdf")

    request = RequestFactory().get("/")
    request.resolver_match = None
    assert is_private(PrivateCacheMiddleware(view)(request))


def test_it_sends_no_csp_with_a_pdf_shown_in_the_browser_and_the_full_policy_with_a_file_saved():
    def shown(request):
        return bytes_download(b"%PDF-1.4", content_type="application/pdf", filename="p.pdf", inline=True)

    def saved(request):
        return bytes_download(b"a,b\n", content_type="text/csv", filename="log.csv")

    request = RequestFactory().get("/")
    assert "Content-Security-Policy" not in CSPMiddleware(shown)(request)
    assert directives(CSPMiddleware(saved)(request)["Content-Security-Policy"]) == CSP


def template_files():
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("onlinesafety/*/templates")]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


# WeasyPrint renders these to PDF on the server; no browser ever loads them, so their <style> is no concern.
PDF_ONLY = re.compile(r"_pdf\.html$")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)


def test_it_finds_the_templates():
    names = {path.name for path in template_files()}
    assert {"base.html", "report.html", "_report.html", "change_periodictask_form.html"} <= names


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JAVASCRIPT_URL],
                         ids=["inline script", "on*= handler", "style attribute", "style element", "javascript: URL"])
def test_it_has_nothing_in_any_template_that_the_policy_refuses(pattern):
    found = [f"{path.relative_to(ROOT)}: {match.group(0)[:80]}"
             for path in template_files() if not PDF_ONLY.search(path.name)
             for match in pattern.finditer(path.read_text())]
    assert found == []


def test_it_would_find_each_thing_the_policy_refuses():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search("<script src=\"/static/x.js\"></script>")
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<button class="b" onclick="go()">')
    assert STYLE_ATTRIBUTE.search('<div class="p" style="width: 5%">')
    assert STYLE_ELEMENT.search("<style>p {}</style>")
