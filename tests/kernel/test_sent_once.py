"""Forms sent once (onlinesafety.submissions): the token, the claim in the write's transaction, a second send, two
sends at once, forgetting old tokens; and that every form that writes carries the token and every such view is
sent twice in a test."""

import importlib
import re
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.models import Incident
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import Notification
from onlinesafety.submissions import tasks
from onlinesafety.submissions.decorators import ALREADY_SENT
from onlinesafety.submissions.models import UsedToken
from onlinesafety.submissions.tokens import FIELD, TOKEN_DAYS, new_token
from tests import sent_twice
from tests.incidents.helpers import category

from .test_security_headers import template_files

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REPORT = reverse("incidents:report")


def report_data(school, **changes):
    return {"immediate_risk": "yes", "possibly_illegal": "no", "location": "in_school",
            "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "category": category(school).pk, "device": "school", "network": "school",
            "description": "Unkind messages in the class chat.", "no_pupil": "on", **changes}


def old_token(monkeypatch, days):
    from django.core import signing

    moment = time.time() - days * 86400
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: moment)
        return new_token()


# ---------------------------------------------------------------- the token

@pytest.mark.parametrize("token", ["", "made-up", "x" * 300, f"{'a' * 22}:1abc:forged-signature"],
                         ids=["missing", "made up", "far too long", "forged"])
def test_it_refuses_a_form_without_a_real_token_and_writes_nothing(client, oakfield, people, token):
    client.force_login(people.reporter)
    response = client.post(REPORT, report_data(oakfield, **{FIELD: token}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This form could not be sent" in page and "Nothing was saved" in page
    assert not Incident.objects.exists() and not UsedToken.objects.exists()


def test_it_refuses_a_form_with_no_token_field_at_all(client, oakfield, people):
    from urllib.parse import urlencode

    client.force_login(people.reporter)
    body = urlencode(report_data(oakfield))  # a raw body: the test client's own token is not added
    response = client.generic("POST", REPORT, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and not Incident.objects.exists()


def test_it_refuses_a_token_older_than_a_week(client, oakfield, people, monkeypatch):
    client.force_login(people.reporter)
    stale = old_token(monkeypatch, TOKEN_DAYS + 1)
    assert client.post(REPORT, report_data(oakfield, **{FIELD: stale})).status_code == 400
    fresh_enough = old_token(monkeypatch, TOKEN_DAYS - 1)
    assert client.post(REPORT, report_data(oakfield, **{FIELD: fresh_enough})).status_code == 302
    assert Incident.objects.count() == 1


def test_it_puts_a_fresh_signed_token_in_every_form_shown(client, people):
    client.force_login(people.reporter)
    tokens = [re.search(r'name="form_token" value="([^"]+)"', client.get(REPORT).content.decode()).group(1)
              for _ in range(2)]
    assert tokens[0] != tokens[1]
    assert all(token.count(":") == 2 for token in tokens)  # key, time, signature
    assert not UsedToken.objects.exists()  # showing a form writes nothing


# ---------------------------------------------------------------- the claim

def test_it_sends_a_second_send_where_the_first_went(client, oakfield, people, django_capture_on_commit_callbacks):
    """A report sent twice (an urgent one, which alerts the whole team) is one case and one set of alerts."""
    client.force_login(people.reporter)
    with django_capture_on_commit_callbacks(execute=True):
        first = sent_twice.assert_sent_once(client, REPORT, report_data(oakfield))
    incident = Incident.objects.get()
    assert first["Location"] == reverse("incidents:submitted", args=[incident.pk])
    assert Notification.objects.count() == len(people.dsl_team())
    assert AuditEvent.objects.filter(verb="incident.reported").count() == 1


def test_it_lets_a_form_shown_again_with_its_errors_be_sent_with_the_same_token(client, oakfield, people):
    client.force_login(people.reporter)
    token = new_token()
    wrong = client.post(REPORT, report_data(oakfield, description="", **{FIELD: token}))
    assert wrong.status_code == 200 and not UsedToken.objects.exists()  # the claim was given up
    assert client.post(REPORT, report_data(oakfield, **{FIELD: token})).status_code == 302
    assert Incident.objects.count() == 1 and UsedToken.objects.count() == 1


def test_it_keeps_no_claim_when_the_view_fails(client, oakfield, people, monkeypatch):
    """A send that fails part-way leaves nothing: not its writes, not the claim, so it can be sent again."""
    client.force_login(people.reporter)
    client.raise_request_exception = False
    token = new_token()
    real = incident_services.report_incident

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(incident_services, "report_incident", fails_after_writing)
    assert client.post(REPORT, report_data(oakfield, **{FIELD: token})).status_code == 500
    assert not Incident.objects.exists() and not UsedToken.objects.exists()
    monkeypatch.setattr(incident_services, "report_incident", real)
    assert client.post(REPORT, report_data(oakfield, **{FIELD: token})).status_code == 302
    assert Incident.objects.count() == 1


def test_it_checks_the_page_s_right_before_the_token(client, people):
    client.force_login(people.parent)  # parents do not report concerns here
    assert client.post(REPORT, {FIELD: ""}).status_code in (403, 404)


def test_it_marks_all_alerts_read_once_when_sent_twice(client, oakfield, people):
    from onlinesafety.mail.services import notify

    notify(users=[people.dsl], school=oakfield, message="A new concern", url="/")
    client.force_login(people.dsl)
    first, _, second, _ = sent_twice.send_twice(client, reverse("alerts"), {})
    assert Notification.objects.get().read_at is not None  # marking read writes no row of its own to count
    assert first.status_code == second.status_code == 302 and second["Location"] == first["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]


sent_twice.COVERED.add("alerts")  # the alerts page's one form, sent twice just above


# ---------------------------------------------------------------- two sends at the same moment

@pytest.mark.django_db(transaction=True)
def test_it_makes_one_case_of_a_report_sent_twice_at_the_same_moment(oakfield, people, monkeypatch):
    """Two requests with one token, the first still writing when the second arrives: the database makes the second
    wait for the first's commit, then it shows the first's result (run on PostgreSQL in CI, and on SQLite)."""
    data = report_data(oakfield, **{FIELD: new_token()})
    real = incident_services.report_incident
    both_started = threading.Barrier(2)
    responses, errors = [], []

    def slowly(**kwargs):
        incident = real(**kwargs)
        time.sleep(0.5)  # still in the transaction, claim and all, when the other request arrives
        return incident

    monkeypatch.setattr(incident_services, "report_incident", slowly)

    def send():
        try:
            browser = Client()
            browser.force_login(people.reporter)
            both_started.wait()
            responses.append(browser.post(REPORT, data))
        except Exception as error:  # noqa: BLE001 (shown by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Incident.objects.count() == 1
    assert [response.status_code for response in responses] == [302, 302]
    assert {response["Location"] for response in responses} == {
        reverse("incidents:submitted", args=[Incident.objects.get().pk])}
    assert sum(ALREADY_SENT in [str(m) for m in get_messages(r.wsgi_request)] for r in responses) == 1


# ---------------------------------------------------------------- forgetting

def test_it_forgets_claims_once_their_tokens_are_too_old_to_be_sent(client, oakfield, people, monkeypatch):
    client.force_login(people.reporter)
    old, recent = old_token(monkeypatch, TOKEN_DAYS - 1), new_token()
    for token in (old, recent):
        client.post(REPORT, report_data(oakfield, **{FIELD: token}))
    assert UsedToken.objects.count() == 2
    assert tasks.forget_old_tokens() == 0
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert tasks.forget_old_tokens() == 1
    assert UsedToken.objects.count() == 1
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["submissions-forget-old-tokens"]
    assert entry["task"] == tasks.forget_old_tokens.name


# ---------------------------------------------------------------- every form, every view

# POST forms that carry no token, on purpose: their views write no record (or are Django's own).
NO_TOKEN = {
    "base.html": "switching school (the session) and signing out",
    "accounts/sessions.html": "signing out everywhere: a second send finds the person signed out, and writes nothing",
    "schools/pupil_list.html": "a search (a POST so the name stays out of the address)",
    "sso/sign_in.html": "starting a sign-in with the school's identity provider (allauth's, which writes nothing)",
    "sso/school_sign_in.html": "the same, from the school's own sign-in address",
}
# django-allauth's own pages (signing in, the second factor, passwords), which allauth rate limits: they write no
# record of a school's, and their forms are allauth's.
NO_TOKEN_FOLDERS = ("account/", "mfa/")
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.I | re.S)


def _templates_with_post_forms():
    for path in template_files():
        name = "/".join(path.parts[path.parts.index("templates") + 1:])
        if not name.startswith("admin/"):
            yield name, POST_FORM.findall(path.read_text())


def test_it_puts_a_token_in_every_form_that_writes():
    missing = [name for name, forms in _templates_with_post_forms()
               if name not in NO_TOKEN and not name.startswith(NO_TOKEN_FOLDERS)
               for body in forms if "{% form_token %}" not in body]
    assert missing == []
    assert sum(len(forms) for _, forms in _templates_with_post_forms()) > 80


def test_it_lists_only_templates_that_have_post_forms_as_exempt():
    found = {name for name, forms in _templates_with_post_forms() if forms}
    assert set(NO_TOKEN) <= found


def _endpoints(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _endpoints(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace
                                  else namespace)
        else:
            yield f"{namespace}{entry.name}", entry.callback


def test_it_sends_every_form_sent_once_twice_in_a_test():
    for path in ROOT.glob("tests/*/test_sent_twice.py"):
        importlib.import_module(f"tests.{path.parent.name}.test_sent_twice")
    sent_once = {name for name, view in _endpoints() if getattr(view, "sent_once", False)}
    assert len(sent_once) > 50
    assert sent_once - sent_twice.COVERED == set()
    assert sent_twice.COVERED - sent_once == set()


def test_it_leaves_only_the_listed_views_without_a_token():
    """The views that take a POST and are not sent once: each named here, with why."""
    not_sent_once = {
        "accounts:login", "accounts:logout", "accounts:password_reset", "accounts:password_change",
        "accounts:sessions", "accounts:invitation", "schools:switch", "schools:pupil_list", "incidents:pupil_search",
        "sso:sign_in", "sso:school_sign_in",
    }
    views = dict(_endpoints())
    assert not any(getattr(views[name], "sent_once", False) for name in not_sent_once)


# ---------------------------------------------------------------- every date field

def _form_classes():
    from django import forms as django_forms

    modules = [importlib.import_module(name) for name in (
        "incidents.forms", "policies.forms", "filtering.forms", "aup.forms", "onlinesafety.accounts.forms",
        "onlinesafety.roster.forms", "onlinesafety.schools.setup.forms", "onlinesafety.schools.people.forms")]
    for module in modules:
        for value in vars(module).values():
            ours = isinstance(value, type) and value.__module__ == module.__name__
            # The Django admin builds its own fields (and widgets) for the admin's forms.
            if ours and issubclass(value, django_forms.BaseForm) and not value.__name__.startswith("Admin"):
                yield value


def test_it_bounds_every_date_a_form_takes_to_plausible_years():
    from django import forms as django_forms

    from onlinesafety.forms import PlausibleDateField, PlausibleDateTimeField

    unbounded = [f"{form.__module__}.{form.__name__}.{name}" for form in _form_classes()
                 for name, field in form.base_fields.items()
                 if isinstance(field, (django_forms.DateField, django_forms.DateTimeField))
                 and not isinstance(field, (PlausibleDateField, PlausibleDateTimeField))]
    assert unbounded == []
    dated = [form for form in _form_classes() if any(
        isinstance(field, (PlausibleDateField, PlausibleDateTimeField)) for field in form.base_fields.values())]
    assert len(dated) >= 14
