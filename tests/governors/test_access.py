"""Who reaches the governor reports: the portal, the progress fragment, the download and the generate button,
for each kind of person, in their own school and in another. Downloads are audited; bad requests change nothing."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from governors import services
from governors.models import TermReport
from governors.rights import can_build_reports, can_read_reports
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed
from onlinesafety.schools.roles import Role
from tests.factories import TermFactory
from tests.governors.helpers import FAKE_PDF, ready_report
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

PEOPLE = EVERYONE
PORTAL = {"dsl", "deputy", "osl", "head", "chair", "governor"}
GENERATORS = {"dsl", "osl", "head"}
NOT_READY = "That report is not ready yet."
NOTHING_CHANGED = "Nothing was changed: choose a term that has ended."


def test_it_gives_the_rights_the_roles_the_matrix_names():
    """The matrix below spells out the roles of rights.py, so a change there shows up here."""
    assert can_read_reports.roles == {Role.GOVERNOR, Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL,
                                      Role.ONLINE_SAFETY_LEAD}
    assert can_build_reports.roles == {Role.HEADTEACHER, Role.DSL, Role.ONLINE_SAFETY_LEAD}


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def past_term(school, name, ended_days_ago=30, length=90):
    ends = days_ago(ended_days_ago)
    return TermFactory(school=school, name=name, starts_on=ends - datetime.timedelta(days=length), ends_on=ends)


@pytest.fixture
def oak_term(oakfield):
    return past_term(oakfield, "Oakfield Summer Term")


@pytest.fixture
def oak_report(oak_term):
    return ready_report(oak_term)


@pytest.fixture
def river_report(riverside):
    return ready_report(past_term(riverside, "Riverside Summer Term"),
                        content=b"%PDF-1.7\n% Riverside's report\n%%EOF\n")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def urls_of(report) -> dict[str, str]:
    return {"progress": reverse("governors:progress", args=[report.pk]),
            "download": reverse("governors:download", args=[report.pk])}


# ---------------------------------------------------------------- the matrix


@pytest.mark.parametrize("person", PEOPLE)
def test_it_shows_the_portal_as_the_access_matrix_says(client, people, oak_report, river_report, person):
    client.force_login(getattr(people, person))
    response = client.get(reverse("governors:reports"))
    if person == "riverside_dsl":
        assert response.status_code == 200  # their own school's portal ...
        page = response.content.decode()
        assert "Riverside Summer Term" in page and river_report.sha256 in page
        # ... with nothing of Oakfield's
        assert "Oakfield Summer Term" not in page and oak_report.sha256 not in page
        assert urls_of(oak_report)["download"] not in page
    elif person in PORTAL:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Oakfield Summer Term" in page and oak_report.sha256 in page
        assert urls_of(oak_report)["download"] in page
        assert "Riverside Summer Term" not in page and river_report.sha256 not in page
        assert ("Build again" in page) == (person in GENERATORS)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("person", PEOPLE)
def test_it_serves_the_progress_fragment_and_the_download_as_the_access_matrix_says(client, people, oak_report, person):
    client.force_login(getattr(people, person))
    expected = 404 if person == "riverside_dsl" else 200 if person in PORTAL else 403
    for name, url in urls_of(oak_report).items():
        response = client.get(url)
        assert response.status_code == expected, (person, name)
        if expected == 200 and name == "download":
            assert response["Content-Type"] == "application/pdf"
            assert response["Cache-Control"] == "private, no-store"
            assert "attachment" in response["Content-Disposition"]
            assert b"".join(response.streaming_content) == FAKE_PDF
    downloads = AuditEvent.objects.filter(verb="governors.report_downloaded")
    assert downloads.count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize("person", PEOPLE)
def test_it_lets_only_the_head_dsl_and_osl_generate(client, people, oakfield, oak_term, oak_report, person,
                                            django_capture_on_commit_callbacks):
    client.force_login(getattr(people, person))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("governors:generate"), {"term": oak_term.pk}, follow=True)
    versions = list(TermReport.objects.filter(term=oak_term).order_by("version").values_list("version", flat=True))
    requested = AuditEvent.objects.filter(verb="governors.report_requested")
    if person in GENERATORS:
        assert response.redirect_chain == [(reverse("governors:reports"), 302)]
        assert versions == [1, 2]
        new = TermReport.objects.get(term=oak_term, version=2)
        assert (new.status, new.requested_by, new.school) == ("queued", getattr(people, person), oakfield)
        assert requested.get().actor == getattr(people, person)
        assert len(callbacks) == 1  # the build is queued once the request commits
        assert messages_of(response) == ["Building version 2 of the Oakfield Summer Term report."]
    elif person == "riverside_dsl":  # a generator, but in another school: the term is not one of theirs
        assert response.redirect_chain == [(reverse("governors:reports"), 302)]
        assert versions == [1] and not requested.exists() and not callbacks
        assert messages_of(response) == [NOTHING_CHANGED]
    else:
        assert response.status_code == 403
        assert versions == [1] and not requested.exists() and not callbacks


def test_it_sends_anonymous_visitors_to_sign_in(client, oak_term, oak_report):
    login = reverse("accounts:login")
    for url in [reverse("governors:reports"), *urls_of(oak_report).values()]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(f"{login}?next="), url
    response = client.post(reverse("governors:generate"), {"term": oak_term.pk})
    assert response.status_code == 302 and response.url.startswith(f"{login}?next=")
    assert TermReport.objects.count() == 1
    assert not AuditEvent.objects.filter(verb__startswith="governors.").exists()


def test_it_answers_generate_only_for_a_post(client, people, oak_term):
    client.force_login(people.head)
    assert client.get(reverse("governors:generate"), {"term": oak_term.pk}).status_code == 405
    assert not TermReport.objects.exists()


# ---------------------------------------------------------------- downloads are audited


def test_it_writes_an_audit_event_for_every_download(client, people, oakfield, oak_report):
    for person in [people.governor, people.chair, people.governor]:
        client.force_login(person)
        response = client.get(urls_of(oak_report)["download"], REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
        b"".join(response.streaming_content)
    events = list(AuditEvent.objects.filter(verb="governors.report_downloaded").order_by("pk"))
    assert [event.actor for event in events] == [people.governor, people.chair, people.governor]
    for event in events:
        assert event.school == oakfield
        assert (event.object_type, event.object_id) == ("governors.termreport", str(oak_report.pk))
        assert event.detail == {"term": oak_report.term_id, "version": 1}
        assert event.ip_address == "10.1.2.3"


def test_it_writes_no_event_for_a_refused_download(client, people, oak_report):
    for person in [people.reporter, people.parent, people.riverside_dsl]:
        client.force_login(person)
        assert client.get(urls_of(oak_report)["download"]).status_code in (403, 404)
    assert not AuditEvent.objects.filter(verb="governors.report_downloaded").exists()


@pytest.mark.parametrize("status", ["queued", "building", "failed"])
def test_it_does_not_download_a_report_not_ready_yet(client, people, oak_term, status):
    report = TermReport.objects.create(school=oak_term.school, term=oak_term, version=1, status=status,
                                       progress=40, step="Counting")
    client.force_login(people.governor)
    response = client.get(urls_of(report)["download"], follow=True)
    assert response.redirect_chain == [(reverse("governors:reports"), 302)]
    assert messages_of(response) == [NOT_READY]
    assert not AuditEvent.objects.filter(verb="governors.report_downloaded").exists()


# ---------------------------------------------------------------- requests that change nothing


@pytest.fixture
def bad_terms(oakfield, riverside):
    today = timezone.localdate()
    return {
        "current": TermFactory(school=oakfield, name="Current", starts_on=today - datetime.timedelta(days=20),
                               ends_on=today + datetime.timedelta(days=20)),
        "ends today": TermFactory(school=oakfield, name="Ends today", starts_on=today - datetime.timedelta(days=60),
                                  ends_on=today),
        "future": TermFactory(school=oakfield, name="Future", starts_on=today + datetime.timedelta(days=30),
                              ends_on=today + datetime.timedelta(days=90)),
        "another school's": past_term(riverside, "Riverside's ended term"),
    }


@pytest.mark.parametrize("value", ["current", "ends today", "future", "another school's", "abc", "", "-1", "1.5",
                                   "0", "99999999", "9223372036854775808", "99999999999999999999999", " ",
                                   "\u0661\u0662", "missing"])
def test_it_changes_nothing_when_generating_for_a_term_that_cannot_have_a_report(client, people, oak_report, bad_terms,
                                                                         value,
                                                                         django_capture_on_commit_callbacks):
    data = {} if value == "missing" else {"term": bad_terms[value].pk if value in bad_terms else value}
    client.force_login(people.head)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("governors:generate"), data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("governors:reports"), 302)]
    assert messages_of(response) == [NOTHING_CHANGED]
    assert NOTHING_CHANGED in response.content.decode()
    assert list(TermReport.objects.values_list("pk", flat=True)) == [oak_report.pk]
    assert not AuditEvent.objects.filter(verb="governors.report_requested").exists()
    assert not callbacks


def test_it_offers_only_terms_that_have_ended_on_the_portal(client, people, oak_term, bad_terms):
    client.force_login(people.head)
    page = client.get(reverse("governors:reports")).content.decode()
    assert "Oakfield Summer Term" in page
    for name in ["Current", "Ends today", "Future", "Riverside&#x27;s ended term"]:
        assert name not in page
    assert f'name="term" value="{oak_term.pk}"' in page
    for term in bad_terms.values():
        assert f'name="term" value="{term.pk}"' not in page


@pytest.mark.parametrize("report_id", ["0", "99999999", "9223372036854775807", "9223372036854775808",
                                       "99999999999999999999999"])
def test_it_answers_not_found_for_a_report_id_that_matches_nothing(client, people, oak_report, report_id):
    client.force_login(people.governor)
    for name in ["progress", "download"]:
        url = reverse(f"governors:{name}", args=[1]).replace("/1/", f"/{report_id}/")
        assert client.get(url).status_code == 404, (name, report_id)


# ---------------------------------------------------------------- the portal itself


def test_it_shows_the_hash_on_the_portal_and_lets_the_head_build_again(client, people, oakfield, oak_term,
                                                             django_capture_on_commit_callbacks):
    first = services.request_report(school=oakfield, term=oak_term)
    assert services.build(first.pk) is True
    first.refresh_from_db()
    with first.file.open("rb") as handle:
        first_pdf = handle.read()
    assert first_pdf.startswith(b"%PDF")
    assert first.sha256 == hashlib.sha256(first_pdf).hexdigest() and first.size == len(first_pdf)

    client.force_login(people.head)
    page = client.get(reverse("governors:reports")).content.decode()
    assert first.sha256 in page
    assert "Version 1" in page and "by the schedule" in page and "Build again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("governors:generate"), {"term": oak_term.pk}, follow=True)
    assert messages_of(response) == ["Building version 2 of the Oakfield Summer Term report."]
    first_again, second = TermReport.objects.filter(term=oak_term).order_by("version")
    assert (second.version, second.status, second.requested_by) == (2, "ready", people.head)
    assert second.file.name != first.file.name
    assert (first_again.status, first_again.file.name, first_again.sha256) == ("ready", first.file.name,
                                                                                first.sha256)
    with first_again.file.open("rb") as handle:
        assert handle.read() == first_pdf  # version 1 is kept as it was

    page = client.get(reverse("governors:reports")).content.decode()
    assert page.index("Version 2") < page.index("Version 1")  # newest first
    assert second.sha256 in page and first.sha256 in page
    assert urls_of(second)["download"] in page and urls_of(first)["download"] in page
    assert escape(people.head.full_name) in page


def test_it_polls_the_progress_fragment_only_while_a_report_is_built(client, people, oak_term):
    report = TermReport.objects.create(school=oak_term.school, term=oak_term, version=1, status="building",
                                       progress=35, step="Counting last term's, for comparison")
    client.force_login(people.governor)
    url = urls_of(report)["progress"]
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="{url}"' in fragment and 'aria-valuenow="35"' in fragment
    assert "Download PDF" not in fragment

    TermReport.objects.filter(pk=report.pk).delete()
    ready = ready_report(oak_term)
    fragment = client.get(urls_of(ready)["progress"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment and "Download PDF" in fragment and ready.sha256 in fragment


def test_it_takes_the_same_queries_for_a_portal_of_one_term_or_six(client, people, oakfield,
                                                                django_assert_max_num_queries):
    ready_report(past_term(oakfield, "Term 0", ended_days_ago=10))
    client.force_login(people.head)
    url = reverse("governors:reports")
    assert client.get(url).status_code == 200  # the session and anything cached once
    with CaptureQueriesContext(connection) as one_term:
        assert client.get(url).status_code == 200

    for n in range(1, 6):
        term = past_term(oakfield, f"Term {n}", ended_days_ago=10 + 100 * n)
        ready_report(term)
        ready_report(term, version=2)
        TermReport.objects.create(school=oakfield, term=term, version=3, requested_by=people.dsl)
    with django_assert_max_num_queries(len(one_term)):
        page = client.get(url).content.decode()
    assert page.count("Download PDF") == 11 and page.count("Term ") >= 6


def test_it_states_the_small_number_rule_in_force_on_the_portal(client, people, oak_report, settings):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 5
    client.force_login(people.governor)
    page = client.get(reverse("governors:reports")).content.decode()
    assert "shown as “fewer than 5”" in page
    assert "fewer than 3" not in page
    assert "more are held back (“withheld” or “not given”) until no small count can be worked out" in page


def test_it_never_protects_fewer_than_three_on_the_portal(client, people, oak_report, settings):
    settings.GOVERNOR_REPORT_SMALL_NUMBER = 2  # below the least allowed: 3 still applies
    client.force_login(people.governor)
    assert "shown as “fewer than 3”" in client.get(reverse("governors:reports")).content.decode()


def test_it_does_not_record_a_download_that_fails_as_made(client, people, oak_report):
    oak_report.file.storage.delete(oak_report.file.name)
    client.raise_request_exception = False
    client.force_login(people.governor)
    response = client.get(urls_of(oak_report)["download"])
    assert response.status_code != 200
    assert not AuditEvent.objects.filter(verb="governors.report_downloaded").exists()


def test_it_refuses_to_record_a_download_for_someone_who_may_not_read_reports(people, oak_report):
    for person in (people.reporter, people.parent, people.riverside_dsl):
        with pytest.raises(NotAllowed):
            services.record_download(report=oak_report, actor=person)
    assert not AuditEvent.objects.filter(verb="governors.report_downloaded").exists()
