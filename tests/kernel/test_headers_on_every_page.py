"""Every page each demo person reaches, found by following the links from their home page as they would: each
carries the Content-Security-Policy and the Permissions-Policy, and nothing a signed-in person is shown (a page,
a case, the incident log, evidence, a PDF) may be kept in a cache. Likewise the pages opened signed out."""

import html
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from aup import demo as aup_demo
from incidents import services as incident_services
from incidents.models import Incident, Visibility
from onlinesafety.schools.people import demo as people_demo
from onlinesafety.sso.pages import identity_provider_origins
from onlinesafety.uploads import check_upload
from tests.incidents.helpers import png_bytes
from tests.kernel.test_security_headers import CSP, directives, is_private

pytestmark = pytest.mark.django_db

# The demo's people (README.md, "Demo accounts"), each signed in in turn.
DEMO_PEOPLE = ["head", "dsl", "osl", "teacher", "tech", "governor", "chair", "parent", "visitor", "trust-admin",
               "admin"]
OTHER_SCHOOL = ["dsl@riverside.example", "head@riverside.example"]
LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
NOT_FOLLOWED = ("/static/", "/accounts/logout/")
MOST_REQUESTS = 600  # per person: far more than the views there are, so a loop in the links cannot hang the test
# Pages that must have been reached: the ones the finding named, and one of each kind of page.
MUST_REACH = {"home", "incidents:triage", "incidents:case", "incidents:export", "incidents:evidence",
              "incidents:chronology", "policies:register", "policies:compliance", "filtering:changes",
              "filtering:log_csv", "aup:mine", "aup:coverage_csv", "governors:reports", "governors:download",
              "schools:pupil_list", "schools:my_children", "setup:school", "setup:organisation", "people:list",
              "roster:home", "alerts", "admin:index"}
# The pages whose forms lead on to Microsoft or Google: their form-action names those too (onlinesafety.sso.pages).
TO_IDENTITY_PROVIDERS = {"sso:sign_in", "sso:school_sign_in"}


def csp_of(view):
    if view in TO_IDENTITY_PROVIDERS:
        return CSP | {"form-action": " ".join(["'self'", *identity_provider_origins()])}
    return CSP


def local_links(response):
    if "text/html" not in response.get("Content-Type", ""):
        return []
    links = [html.unescape(url) for url in LINK.findall(response.content.decode())]
    if response.status_code in (301, 302) and response["Location"].startswith("/"):
        links.append(response["Location"])
    return links


def view_name(url):
    path = urlsplit(url).path
    if path.startswith(NOT_FOLLOWED) or (path.startswith("/admin/") and path != "/admin/"):
        return None
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def problems_with(response, signed_in, view):
    problems = []
    if "Permissions-Policy" not in response or "camera=()" not in response["Permissions-Policy"]:
        problems.append("no Permissions-Policy")
    inline_file = response.get("Content-Disposition", "").startswith("inline")
    if not inline_file and directives(response.get("Content-Security-Policy", "x y")) != csp_of(view):
        problems.append(f"Content-Security-Policy is {response.get('Content-Security-Policy')!r}")
    if (signed_in or "Content-Disposition" in response) and not is_private(response):
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}")
    return problems


def crawl(client, start, signed_in):
    """GET every page (one of each view) reachable from ``start``; the views reached and the problems found."""
    queue, reached, problems, requests = deque(start), {}, [], 0
    while queue and requests < MOST_REQUESTS:
        url = queue.popleft()
        name = view_name(url)
        if name is None or name in reached:
            continue
        response = client.get(url)
        requests += 1
        reached[name] = response.status_code
        problems += [f"{url} ({response.status_code}): {problem}"
                     for problem in problems_with(response, signed_in, name)]
        queue.extend(local_links(response))
        if response.status_code == 302 and response["Location"].startswith("/"):  # e.g. a token link's next step
            queue.append(response["Location"])
    return reached, problems


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    case = Incident.objects.filter(school__slug="oakfield", visibility=Visibility.DSL_TEAM,
                                   category__accepts_uploads=True).order_by("pk").first()
    dsl = get_user_model().objects.get(email="dsl@oakfield.example")
    upload = SimpleUploadedFile("screenshot.png", png_bytes(), content_type="image/png")
    incident_services.add_evidence(incident=case, actor=dsl,
                                   upload=check_upload(upload, allowed=("image/png",), max_bytes=10**7))
    return case


def test_it_sends_the_headers_on_every_page_each_demo_person_reaches(demo):
    everyone = [f"{name}@oakfield.example" for name in DEMO_PEOPLE] + OTHER_SCHOOL
    start = [reverse("incidents:case", args=[demo.pk]), "/"]  # the case with evidence first: its download too
    reached_by_anyone, problems = set(), []
    for email in everyone:
        client = Client()
        client.force_login(get_user_model().objects.get(email=email))
        reached, found = crawl(client, start, signed_in=True)
        assert len(reached) >= 5, (email, reached)
        reached_by_anyone |= set(reached)
        problems += [f"{email} {problem}" for problem in found]
    assert problems == []
    assert MUST_REACH - reached_by_anyone == set()


def test_it_sends_the_headers_on_the_pages_opened_signed_out(demo):
    links = [line.rsplit(": ", 1)[1] for line in aup_demo.signing_link() + people_demo.invitation_link()]
    start = [urlsplit(link).path for link in links] + [reverse("accounts:login"), reverse("policies:public",
                                                                                       args=["oakfield"])]
    reached, problems = crawl(Client(), start, signed_in=False)
    assert problems == []
    assert {"aup:sign", "accounts:invitation", "accounts:login", "policies:public", "policies:public_file"} <= set(
        reached)
    # The invitation's token address only moves the token into the session, on to the token-less page.
    assert (reached["aup:sign"], reached["accounts:invitation"], reached["accounts:invitation_set_password"]) == (
        200, 302, 200)
