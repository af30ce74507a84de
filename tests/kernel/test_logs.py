"""Logs carry no personal data: no pupil's name, no query string, no link token, in Django's request, server and
CSRF lines, in gunicorn's access log (its format from onlinesafety/gunicorn_conf.py, applied to the requests of the
main flows) or in any other line written while those flows run."""

import logging
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone
from gunicorn.app.base import Application

from aup import services as aup_services
from aup.models import Campaign, CampaignKind, SigningLink
from onlinesafety import logscrub
from onlinesafety.schools.people import services as people_services
from onlinesafety.schools.roles import Role
from tests.aup.conftest import Family
from tests.aup.helpers import answer_form, publish_all, tokens_sent_to
from tests.factories import PupilFactory
from tests.incidents.helpers import category

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "python:onlinesafety.gunicorn_conf"

# URL parameters that are neither ids (int) nor public names (slug) and carry no secret, each with its reason.
# A new parameter must be added here or to logscrub.SECRET_URL_KWARGS: it is a decision, not an accident.
PUBLIC_TEXT_PARAMETERS = {
    "term_id": "a term's id (the set-up pages take 'new' too)",
    "message_id": "a file name in the development mailbox, off outside DEBUG",
    "object_id": "the Django admin's record id",
    "object_pk": "django-guardian's admin record id",
    "app_label": "the Django admin's application name",
    "url": "the Django admin's catch-all for an unknown address",
    "id": "the Django admin's user id (its password page)",
    "content_type_id": "the Django admin's content type id ('view on site')",
    "group_id": "django-guardian's admin group id",
    "user_id": "django-guardian's admin user id",
    "provider_id": "a sign-in configuration's name in allauth's addresses (school-7-microsoft)",
}
ID_CONVERTERS = {"IntConverter", "SlugConverter"}


def endpoints():
    """(route text, {parameter: converter name}) of every endpoint of the project's URLconf."""
    for chain in logscrub.walk(get_resolver().url_patterns):
        yield "".join(str(pattern) for pattern in chain), logscrub.parameters_of(chain)


def test_it_knows_whether_every_url_parameter_carries_a_secret():
    unclassified = {
        (route, name) for route, parameters in endpoints() for name, converter in parameters.items()
        if converter not in ID_CONVERTERS and name not in logscrub.SECRET_URL_KWARGS | PUBLIC_TEXT_PARAMETERS.keys()
    }
    assert not unclassified, "name each as a secret (logscrub.SECRET_URL_KWARGS) or public text (here)"


def test_it_finds_the_links_that_carry_a_secret_from_the_resolver():
    routes = {route.route for route in logscrub.secret_routes_of(get_resolver())}
    assert routes == {"aup/sign/<str:token>/", "accounts/invitation/<str:token>/",
                      "accounts/password/reset/key/<base36:uidb36>-<str:key>/", "tell/<str:token>/"}


def address_of(route: str, secret: str) -> str:
    values = {"int": "7", "slug": "oak-test", "base36": "7k"}
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                        lambda match: values.get(match[1] or "", secret + match[2]), route)


@pytest.mark.parametrize("route", sorted(
    route for route, parameters in endpoints() if logscrub.SECRET_URL_KWARGS & parameters.keys()))
def test_it_masks_every_secret_of_every_link_that_carries_one(route):
    secret = "S3cretT0ken_-x"
    path = address_of(route, secret)
    assert set(resolve(path).kwargs) & logscrub.SECRET_URL_KWARGS  # a real address of that route
    for line in (f"Gone: {path}", f'"GET {path}?q=Dylan+Roberts HTTP/1.1" 410 12', f'"https://site.example{path}"',
                 f"Not Found: {path}extra/segments/"):
        clean = logscrub.scrub(line)
        assert secret not in clean and "Dylan" not in clean, clean
        assert "[token]" in clean or "[uidb64]" in clean or "[key]" in clean


@pytest.mark.parametrize("line, clean", [
    ('"GET /pupils/?q=Dylan+Roberts HTTP/1.1" 200 4120', '"GET /pupils/ HTTP/1.1" 200 4120'),
    ("Gone: /aup/sign/abcDEF123_-/", "Gone: /aup/sign/[token]/"),
    ("/aup/sign/abc/4/copy.pdf?download=1", "/aup/sign/[token]/4/copy.pdf"),
    ("/accounts/password/reset/key/7k-cd1-0a9f/", "/accounts/password/reset/key/[uidb36]-[key]/"),
    ("/accounts/password/reset/sent/ and /accounts/password/reset/complete/",
     "/accounts/password/reset/sent/ and /accounts/password/reset/complete/"),
    ("Not Found: /incidents/7/", "Not Found: /incidents/7/"),
    ("Sent outbound email 12 (aup_invitation)", "Sent outbound email 12 (aup_invitation)"),
])
def test_it_drops_query_strings_and_tokens_and_leaves_the_rest(line, clean):
    assert logscrub.scrub(line) == clean
    assert logscrub.scrub(clean) == clean


def test_it_keeps_the_line_of_a_failed_template_lookup_but_not_the_context_it_prints(caplog):
    from django.template import Context, Template

    caplog.set_level(logging.DEBUG, logger="django.template")
    Template("{{ pupil.nickname }}").render(Context({"pupil": "Dylan Roberts", "link": "/aup/sign/secret-tok/"}))
    assert "Exception while resolving variable 'nickname'" in caplog.text
    assert "Dylan" not in caplog.text and "secret-tok" not in caplog.text


def test_it_scrubs_the_traceback_of_a_request_line(caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    try:
        raise ValueError("while answering /aup/sign/the-secret-token/4/?q=Dylan")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", "/aup/sign/the-secret-token/4/")
    assert "Internal Server Error: /aup/sign/[token]/4/" in caplog.text
    assert "while answering /aup/sign/[token]/4/" in caplog.text
    assert "the-secret-token" not in caplog.text and "Dylan" not in caplog.text


@pytest.mark.parametrize("name", ["django.request", "django.server", "django.security.csrf"])
def test_it_scrubs_the_record_itself_on_the_request_loggers(caplog, name):
    caplog.set_level(logging.INFO, logger=name)
    logging.getLogger(name).addHandler(caplog.handler)  # django.server does not propagate to the root
    try:
        logging.getLogger(name).warning("%s: %s", "Gone", "/aup/sign/the-secret-token/")
    finally:
        logging.getLogger(name).removeHandler(caplog.handler)
    assert {record.getMessage() for record in caplog.records} == {"Gone: /aup/sign/[token]/"}


# ---------------------------------------------------------------- gunicorn

class ConfiguredGunicorn(Application):
    """Gunicorn's settings read as ``gunicorn -c python:onlinesafety.gunicorn_conf`` reads them."""

    def load_config(self):
        self.load_config_from_module_name_or_filename(CONFIG)

    def load(self):
        return None


def test_it_starts_gunicorn_with_the_scrubbing_config_everywhere():
    assert f'"--config", "{CONFIG}"' in (ROOT / "Dockerfile").read_text()
    assert f"gunicorn --config {CONFIG} " in (ROOT / "docker-compose.yml").read_text()
    assert f"gunicorn --config {CONFIG} " in (ROOT / "docs" / "operations.md").read_text()
    access_format = ConfiguredGunicorn().cfg.access_log_format
    for atom in ("r", "q", "f", "u", "{referer}i", "{cookie}i", "{query_string}e"):
        assert f"%({atom})s" not in access_format


class AccessLogs:
    """Gunicorn's access log (its logger class and format from the config) and runserver's request log, written
    for each request a test client makes, as the servers would write them, with a browser's Referer."""

    def __init__(self, capture: logging.Handler):
        self.capture = capture
        self.gunicorn = ConfiguredGunicorn().cfg.logger_class(ConfiguredGunicorn().cfg)
        self.loggers = [self.gunicorn.access_log, self.gunicorn.error_log, logging.getLogger("django.server")]
        for log in self.loggers:
            log.addHandler(capture)
        self.referer = ""
        self.count = 0

    def close(self):
        for log in self.loggers:
            log.removeHandler(self.capture)
            for handler in [handler for handler in log.handlers if getattr(handler, "_gunicorn", False)]:
                log.removeHandler(handler)

    def write(self, response):
        environ = dict(response.wsgi_request.environ)
        query = environ.get("QUERY_STRING", "")
        environ["RAW_URI"] = environ["PATH_INFO"] + (f"?{query}" if query else "")
        environ.update(HTTP_REFERER=self.referer, HTTP_USER_AGENT="Test browser")
        headers = [(key[5:].replace("_", "-"), value) for key, value in environ.items() if key.startswith("HTTP_")]
        sent = SimpleNamespace(status=f"{response.status_code} {response.reason_phrase}", sent=len(response.content),
                               headers=list(response.items()))
        self.gunicorn.access(sent, SimpleNamespace(headers=headers), environ, timedelta(milliseconds=12))
        if response.status_code >= 400:  # as a worker logs a request it could not handle
            self.gunicorn.error_log.error("Error handling request %s", environ["RAW_URI"])
        runserver = WSGIRequestHandler.__new__(WSGIRequestHandler)
        runserver.request, runserver.requestline = None, f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} HTTP/1.1"
        runserver.log_request(response.status_code, len(response.content))
        self.referer = f"http://testserver{environ['RAW_URI']}"
        self.count += 1


class LoggedClient(Client):
    def __init__(self, logs: AccessLogs, **defaults):
        super().__init__(**defaults)
        self.logs = logs

    def request(self, **request):
        response = super().request(**request)
        self.logs.write(response)
        return response


@pytest.fixture
def every_logger_at_debug(caplog):
    """Every logger that exists, and the root, at DEBUG, captured by caplog; levels put back afterwards."""
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.DEBUG)
    yield caplog
    for log, level in zip(loggers, levels):
        log.setLevel(level)


@pytest.fixture
def access_logs(every_logger_at_debug):
    logs = AccessLogs(every_logger_at_debug.handler)
    yield logs
    logs.close()


def test_it_keeps_names_and_tokens_out_of_every_log_line_of_the_main_flows(
        every_logger_at_debug, access_logs, oakfield, people, django_capture_on_commit_callbacks):
    caplog = every_logger_at_debug
    dylan = PupilFactory(school=oakfield, first_name="Dylan", last_name="Roberts")
    family = Family(oakfield, people.parent)
    secrets = ["Dylan", "Roberts", "Ada", "Ben", "Lovelock", "Ottoline", "Pemberton", people.parent.full_name,
               people.reporter.full_name, people.reporter.email, "ottoline@t.example"]
    flows = []
    caplog.clear()  # the test's own data is made; from here on, only what the product logs

    def flow(name):
        flows.append((name, access_logs.count))

    # Report a concern naming Dylan, found by the search on the form; the DSL opens it.
    flow("report")
    reporter = LoggedClient(access_logs)
    reporter.force_login(people.reporter)
    reporter.get(reverse("incidents:report"))
    assert b"Dylan Roberts" in reporter.post(reverse("incidents:pupil_search"), {"pupil_q": "Dylan Rob"}).content
    with django_capture_on_commit_callbacks(execute=True):
        sent = reporter.post(reverse("incidents:report"), {
            "immediate_risk": "no", "possibly_illegal": "no", "location": "in_school",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "category": category(oakfield).pk, "device": "school", "network": "school", "platform": "Class chat",
            "description": "Dylan Roberts was sent threats in the class chat.", "url": "", "pupils": [dylan.pk],
            f"role_{dylan.pk}": "affected"},
            follow=True)
    assert sent.redirect_chain and b"your concern has been sent" in sent.content
    dsl = LoggedClient(access_logs)
    dsl.force_login(people.dsl)
    assert b"Dylan Roberts" in dsl.get(reverse("incidents:triage")).content

    # Search the pupil list (and an old bookmark with the name in its address).
    flow("pupil list")
    found = dsl.post(reverse("schools:pupil_list"), {"q": "Roberts"}).content
    assert b"Roberts, Dylan" in found and b"Lovelock" not in found
    dsl.get(reverse("schools:pupil_list") + "?q=Dylan+Roberts")
    dsl.get(reverse("schools:pupil_detail", args=[dylan.pk]))

    # A parent's signing link: the landing page, a child's page, an answer, the copy; a bad one, an expired one.
    flow("signing link")
    publish_all(oakfield, people.osl)
    aup_services.start_campaign(school=oakfield, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)  # the outbox keeps the bodies until sent
    token = tokens_sent_to(people.parent.email)[0]
    expired_token = tokens_sent_to(family.neighbour.email)[0]
    secrets += [token, expired_token]
    parent = LoggedClient(access_logs)
    assert parent.get(reverse("aup:sign", args=[token])).status_code == 200
    child_page = reverse("aup:sign_child", args=[token, family.younger.pk])
    assert parent.get(child_page).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert parent.post(child_page, answer_form(), follow=True).status_code == 200
    assert parent.get(reverse("aup:sign_copy", args=[token, family.younger.pk])).status_code == 200
    parent.get(child_page)  # already answered
    assert parent.get(f"/aup/sign/{token}/999999/extra/").status_code == 404
    assert LoggedClient(access_logs, enforce_csrf_checks=True).post(child_page, answer_form()).status_code == 403
    SigningLink.objects.filter(invitation__parent=family.neighbour).update(expires_at=timezone.now())
    assert parent.get(reverse("aup:sign", args=[expired_token])).status_code == 410

    # An invitation link: unknown, a refused password, accepted, then spent.
    flow("invitation")
    with django_capture_on_commit_callbacks(execute=True):
        people_services.add_member(school=oakfield, actor=people.head, full_name="Ottoline Pemberton-Vance",
                                   email="ottoline@t.example", role=Role.STAFF)
    invitation_token = re.search(r"/accounts/invitation/([\w-]+)/", mail.outbox[-1].body)[1]
    secrets.append(invitation_token)
    invitee = LoggedClient(access_logs)
    invitation = reverse("accounts:invitation", args=[invitation_token])
    set_password = reverse("accounts:invitation_set_password")
    assert invitee.get(invitation[:-3] + "zz/", follow=True).status_code == 404
    assert invitee.get(invitation, follow=True).status_code == 200  # the token moves to the session at once
    assert invitee.post(set_password, {"new_password1": "short", "new_password2": "short"}).status_code == 400
    password = "wobbly-lantern-pasture"
    assert invitee.post(set_password, {"new_password1": password, "new_password2": password}).status_code == 302
    assert LoggedClient(access_logs).get(invitation, follow=True).status_code == 410

    # A password reset: asked for, the emailed link, the new password; a link that does not work.
    flow("password reset")
    resetter = LoggedClient(access_logs)
    with django_capture_on_commit_callbacks(execute=True):
        resetter.post(reverse("accounts:password_reset"), {"email": people.reporter.email})
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/password/reset/key/(\w+)-([\w-]+)/)",
                     mail.outbox[-1].body)
    secrets.append(link[3])
    form = resetter.get(link[1], follow=True)
    assert b"Choose a new password" in form.content
    resetter.post(form.redirect_chain[-1][0], {"password1": "a-brand-new-passphrase",
                                               "password2": "a-brand-new-passphrase"})
    resetter.get(link[1])  # spent
    flows.append(("end", access_logs.count))

    lines = [record.getMessage() for record in caplog.records]
    leaks = [(secret, line) for line in lines for secret in secrets if secret in line]
    assert not leaks
    assert not [secret for secret in secrets if secret in caplog.text]  # with every traceback, as printed
    for (name, start), (_, end) in zip(flows, flows[1:]):
        assert end > start, f"the {name} flow made requests"
    access_lines = [record.getMessage() for record in caplog.records if record.name == "gunicorn.access"]
    assert len(access_lines) == access_logs.count
    assert any('"GET /aup/sign/[token]/ HTTP/1.1" 410' in line for line in access_lines)
    assert any('"GET /pupils/ HTTP/1.1" 200' in line for line in access_lines)
    # The token-less page sits under the token route's pattern, so its segment is masked too: safe either way.
    assert "Gone: /aup/sign/[token]/" in lines and "Gone: /accounts/invitation/[token]/" in lines
    assert "Bad Request: /accounts/invitation/[token]/" in lines
    assert any('"GET /accounts/invitation/[token]/ HTTP/1.1" 302' in line for line in access_lines)
    assert any(line.startswith("Forbidden (CSRF cookie not set.): /aup/sign/[token]/") for line in lines)
    assert any(record.name == "django.server" and "/accounts/password/reset/key/[uidb36]-[key]/" in record.getMessage()
               for record in caplog.records)

