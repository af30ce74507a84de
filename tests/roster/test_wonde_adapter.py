"""The MIS API boundary, with the Wonde adapter, against a fake Wonde on a free local port answering recorded JSON of
the documented shape (data, meta.pagination.next, includes as {"data": ...}; one school as {"data": {"urn", ...}}).
No network access."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from onlinesafety.roster import folders, services
from onlinesafety.roster.adapters import ProviderError, adapter_for
from onlinesafety.roster.adapters.wonde import WondeAdapter
from onlinesafety.roster.models import Kind, RosterImport, RosterSettings, Source, Status
from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil
from onlinesafety.schools.roles import Role
from tests.roster.fake_wonde import RECORDED, SCHOOL_ID, TOKEN, FakeWonde
from tests.roster.helpers import apply

pytestmark = pytest.mark.django_db

def adapter(wonde, **options):
    options.setdefault("urn", "900001")
    return WondeAdapter(base_url=f"http://127.0.0.1:{wonde.server_port}/v1.0/", token=TOKEN, school_id=SCHOOL_ID,
                        **options)


def test_it_turns_wonde_students_into_import_rows_following_every_page(wonde):
    rows = list(adapter(wonde, per_page=2).records(Kind.PUPILS))
    assert [row.line for row in rows] == [1, 2, 3]
    annie = rows[0].values
    assert annie == {"mis_id": "1001", "first_name": "Ann", "last_name": "Smith", "preferred_first_name": "Annie",
                     "preferred_last_name": "Smith", "date_of_birth": "2016-03-14", "year_group": "5",
                     "upn": "A000000000001", "admission_date": "2021-09-04", "leaving_date": "", "school_class": "5A",
                     "has_send": "K"}
    paths = [(path, query.get("include"), auth) for path, query, auth in FakeWonde.requests]
    assert len(paths) == 3 and all(auth == f"Bearer {TOKEN}" for _, _, auth in paths)
    assert paths[0][0] == f"/v1.0/schools/{SCHOOL_ID}"  # the school is checked first
    assert paths[1][1] == ["education_details,year,registration,extended_details"]


def test_it_imports_pupils_contacts_and_staff_from_the_api_like_a_file(connected, head):
    pupils = services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    assert (pupils.source, pupils.is_full_export, pupils.summary["add"]) == (Source.API, True, 3)
    apply(pupils, head)
    annie = Pupil.objects.get(mis_id="1001")
    assert (annie.full_name, annie.legal_name, annie.year_group, annie.has_send) == ("Annie Smith", "Ann Smith", 5,
                                                                                     True)
    assert Pupil.objects.get(mis_id="1002").year_group == 0

    apply(services.preview_from_provider(school=connected, actor=head, kind=Kind.CONTACTS), head)
    jane = Contact.objects.get(mis_id="C1")
    assert jane.user.email == "jane.smith@families.test"
    assert sorted(ParentLink.objects.filter(contact=jane).values_list("relationship", "priority")) == [
        ("mother", 1), ("step_parent", 2)]
    assert Contact.objects.get(mis_id="C2").user is None

    apply(services.preview_from_provider(school=connected, actor=head, kind=Kind.STAFF), head)
    tom = Membership.objects.get(user__email="t.teacher@school.test")
    assert (tom.role, tom.job_title, tom.mis_id, tom.user.full_name) == (Role.STAFF, "Class teacher", "TCH1",
                                                                         "Tom Teacher")
    again = services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    assert again.summary["unchanged"] == 3 and again.summary["add"] == 0


def test_it_syncs_connected_schools_nightly(connected):
    assert folders.import_nightly() == {"applied": 3, "held": 0, "refused": 0, "failed": 0, "waiting": 0}
    assert RosterImport.objects.filter(status=Status.APPLIED, source=Source.API).count() == 3
    assert Pupil.objects.count() == 3


@pytest.mark.parametrize(("status", "message"), [(401, r"refused the request \(401\)"),
                                                 (500, r"answered with an error \(500\)")])
def test_it_reports_an_error_answer_in_plain_words_and_writes_nothing(connected, head, status, message):
    FakeWonde.answer_with = status
    with pytest.raises(ProviderError, match=message) as refused:
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    assert TOKEN not in str(refused.value)
    failed = RosterImport.objects.get()  # the reason is kept on the import, and nothing else is written
    assert failed.status == Status.FAILED and failed.fetch_failed and TOKEN not in failed.failure
    assert Pupil.objects.count() == 0


def test_it_gives_up_on_a_slow_answer_after_its_timeout(wonde):
    FakeWonde.delay = 1.0
    with pytest.raises(ProviderError, match="took too long"):
        list(adapter(wonde, timeout=0.2).records(Kind.PUPILS))


def test_it_never_sends_the_token_to_another_host(wonde):
    page = json.loads((RECORDED / "students-page-1.json").read_text())
    page["meta"]["pagination"]["next"] = "http://evil.example/steal"
    bad = adapter(wonde)
    bad._get = lambda url, real=bad._get: page if "/students" in url else real(url)  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match="another address"):
        list(bad.records(Kind.PUPILS))


def test_it_refuses_an_answer_of_the_wrong_shape(wonde, monkeypatch):
    monkeypatch.setattr(FakeWonde, "_recorded", staticmethod(lambda name, base: {"students": []}))
    with pytest.raises(ProviderError, match="not the list it documents"):
        list(adapter(wonde).records(Kind.PUPILS))


def test_it_has_no_adapter_without_a_token_or_the_schools_id(oakfield, settings):
    settings.WONDE_API_TOKEN = ""
    RosterSettings.objects.create(school=oakfield, provider_school_id=SCHOOL_ID)
    assert adapter_for(oakfield) is None
    settings.WONDE_API_TOKEN = TOKEN
    assert adapter_for(oakfield) is not None


def test_it_never_follows_a_redirect_so_the_token_goes_nowhere_else(wonde):
    elsewhere = ThreadingHTTPServer(("127.0.0.1", 0), FakeWonde)  # a second server: it must hear nothing
    threading.Thread(target=elsewhere.serve_forever, daemon=True).start()
    try:
        FakeWonde.redirect_to = f"http://127.0.0.1:{elsewhere.server_port}/steal"
        with pytest.raises(ProviderError, match="redirect"):
            list(adapter(wonde).records(Kind.PUPILS))
        assert [path for path, _, _ in FakeWonde.requests] == [f"/v1.0/schools/{SCHOOL_ID}"]  # not /steal
    finally:
        elsewhere.shutdown()
        elsewhere.server_close()


def test_it_sends_nothing_to_an_address_that_is_not_https(settings):
    plain = WondeAdapter(base_url="http://api.wonde.example/v1.0/", token=TOKEN, school_id=SCHOOL_ID, urn="900001")
    with pytest.raises(ProviderError, match="not an https"):
        plain.check_school()


def test_it_cuts_off_an_answer_that_trickles_in_slower_than_its_timeout(wonde):
    FakeWonde.trickle = 0.05
    started = time.monotonic()
    with pytest.raises(ProviderError, match="took too long"):
        list(adapter(wonde, timeout=0.5).records(Kind.PUPILS))
    assert time.monotonic() - started < 3


def test_it_stops_when_all_the_pages_together_take_longer_than_the_budget(wonde):
    FakeWonde.delay = 0.3  # each page well inside its timeout, four pages over the budget
    with pytest.raises(ProviderError, match="in all"):
        list(adapter(wonde, per_page=1, timeout=5, budget=0.8).records(Kind.PUPILS))


@pytest.mark.parametrize(("field", "value"), [("forename", {"nested": "x"}), ("date_of_birth", {"date": 5}),
                                               ("education_details", ["not", "an", "object"])])
def test_it_refuses_a_value_of_another_type_than_documented_and_imports_nothing(connected, head, monkeypatch,
                                                                                 field, value):
    real = FakeWonde._recorded

    def altered(name, base):
        page = real(name, base)
        if name.startswith("students"):
            page["data"][0][field] = value
        return page

    monkeypatch.setattr(FakeWonde, "_recorded", staticmethod(altered))
    with pytest.raises(ProviderError, match="not the shape it documents"):
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    assert Pupil.objects.count() == 0


def test_it_reads_the_api_on_a_worker_and_the_page_never_waits_on_it(client, connected, head,
                                                                      django_capture_on_commit_callbacks, monkeypatch):
    from onlinesafety.roster import tasks

    sent = []
    monkeypatch.setattr(tasks.fetch_roster_import, "apply_async", lambda args, **kw: sent.append(args))
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:fetch", args=[connected.slug, "pupils"]))
    fetching = RosterImport.objects.get()
    assert response.status_code == 302 and fetching.status == Status.FETCHING
    assert FakeWonde.requests == [] and sent == [(fetching.pk,)]  # nothing asked of Wonde in the request
    assert "Reading" in client.get(response["Location"]).content.decode()
    services.run_fetch(fetching.pk)
    fetching.refresh_from_db()
    assert fetching.status == Status.PREVIEWED and fetching.summary["add"] == 3
    assert services.run_fetch(fetching.pk) is None  # a second delivery finds nothing to claim


def test_it_retries_a_failed_read_of_the_api_from_its_page(client, connected, head, monkeypatch):
    FakeWonde.answer_with = 500
    with pytest.raises(ProviderError):
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    failed = RosterImport.objects.get()
    FakeWonde.answer_with = None
    monkeypatch.setattr(services, "enqueue_after_commit", lambda task, pk, **kw: services.run_fetch(pk))
    client.force_login(head)
    client.post(reverse("roster:retry", args=[connected.slug, failed.pk]))
    failed.refresh_from_db()
    assert failed.status == Status.PREVIEWED and failed.attempts == 2


def test_it_fails_a_read_of_the_api_whose_worker_died(connected, head):
    fetching = services._new_fetch(connected, head, Kind.PUPILS, None)
    RosterImport.objects.filter(pk=fetching.pk).update(started_at=timezone.now(), last_progress_at=timezone.now()
                                                       - timedelta(minutes=30))
    assert services.look_after_imports()["failed"] == 1
    fetching.refresh_from_db()
    assert fetching.status == Status.FAILED and "Try again" in fetching.failure


class Elsewhere(BaseHTTPRequestHandler):
    """Another server on this machine: whatever reaches it (a token above all) has leaked."""

    heard: list[tuple[str, str]] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Elsewhere.heard.append((self.path, self.headers.get("Authorization", "")))
        body = json.dumps({"data": [], "meta": {"pagination": {"next": None}}}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def elsewhere():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Elsewhere.heard = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_it_never_follows_a_next_page_on_another_host_so_the_other_host_hears_nothing(wonde, elsewhere, monkeypatch):
    real = FakeWonde._recorded

    def pointing_elsewhere(name, base):
        page = real(name, base)
        page["meta"]["pagination"]["next"] = f"{elsewhere}/v1.0/schools/{SCHOOL_ID}/students?page=2"
        return page

    monkeypatch.setattr(FakeWonde, "_recorded", staticmethod(pointing_elsewhere))
    with pytest.raises(ProviderError, match="pointed to another address"):
        list(adapter(wonde).records(Kind.PUPILS))
    assert Elsewhere.heard == []


def test_it_never_follows_a_redirect_to_another_host_with_the_token(wonde, elsewhere):
    FakeWonde.redirect_to = f"{elsewhere}/steal"
    with pytest.raises(ProviderError, match=r"redirect \(302\)") as refused:
        adapter(wonde).check_school()
    assert Elsewhere.heard == [] and TOKEN not in str(refused.value)


@pytest.mark.parametrize(("change", "why"), [
    (lambda page: page.update(data=[1, 2]), "the list is not a list of records"),
    (lambda page: page["meta"]["pagination"].update(next=5), "the next page is not an address"),
    (lambda page: page["data"][0].update(contacts={"data": "nobody"}), "a student's contacts is not a list"),
])
def test_it_refuses_a_list_or_a_link_of_another_type_than_documented(wonde, monkeypatch, change, why):
    real = FakeWonde._recorded

    def altered(name, base):
        page = real(name, base)
        change(page)
        return page

    monkeypatch.setattr(FakeWonde, "_recorded", staticmethod(altered))
    with pytest.raises(ProviderError, match=f"not the shape it documents \\({why}"):
        list(adapter(wonde).records(Kind.CONTACTS))


def test_it_refuses_a_school_record_whose_urn_is_not_a_single_value(wonde):
    FakeWonde.school = {**FakeWonde.school, "urn": {"value": 900001}}
    with pytest.raises(ProviderError, match=r"not the shape it documents \(the URN is not a single value\)"):
        adapter(wonde).check_school()


def test_it_refuses_an_api_answer_of_more_rows_than_the_limit_and_imports_nothing(connected, head, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 2)
    with pytest.raises(ProviderError, match="Wonde's answer has more than 2 rows, so nothing was imported"):
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    failed = RosterImport.objects.get()
    assert failed.status == Status.FAILED and failed.fetch_failed and Pupil.objects.count() == 0


RIVERSIDE_ID = "B2000000001"


@pytest.fixture
def riverside_first(riverside, oakfield, wonde):
    """Two connected schools, Riverside's settings made first (the nightly run takes them in that order)."""
    RosterSettings.objects.create(school=riverside, provider_school_id=RIVERSIDE_ID)
    RosterSettings.objects.create(school=oakfield, provider_school_id=SCHOOL_ID, api_staff_role=Role.STAFF)
    return riverside


def test_it_goes_on_to_the_next_connected_school_when_ones_adapter_fails_unexpectedly(riverside_first, oakfield,
                                                                                      monkeypatch):
    real = WondeAdapter.records

    def broken_for_riverside(self, kind):
        if self.school_id == RIVERSIDE_ID:
            raise RuntimeError("a fault quoting Annie Smith")
        return real(self, kind)

    monkeypatch.setattr(WondeAdapter, "records", broken_for_riverside)
    assert folders.import_nightly() == {"applied": 3, "held": 0, "refused": 1, "failed": 0, "waiting": 0}
    failed = RosterImport.objects.get(school=riverside_first)
    assert (failed.status, failed.source) == (Status.FAILED, Source.API)
    assert "RuntimeError" in failed.failure and "Annie" not in failed.failure
    assert RosterImport.objects.filter(school=oakfield, status=Status.APPLIED).count() == 3
    assert failed.pk < RosterImport.objects.filter(school=oakfield).earliest("pk").pk  # Riverside's came first
    assert Pupil.objects.filter(school=oakfield).count() == 3


def test_it_goes_on_to_the_next_connected_school_when_ones_import_fails_unexpectedly(riverside_first, oakfield,
                                                                                     monkeypatch):
    real = folders.services.import_unattended

    def broken_for_riverside(*, school, **kwargs):
        if school == riverside_first:
            raise ZeroDivisionError("a fault quoting Annie Smith")
        return real(school=school, **kwargs)

    monkeypatch.setattr(folders.services, "import_unattended", broken_for_riverside)
    assert folders.import_nightly() == {"applied": 3, "held": 0, "refused": 0, "failed": 1, "waiting": 0}
    failed = RosterImport.objects.get(school=riverside_first)
    assert (failed.status, failed.source, failed.kind) == (Status.FAILED, Source.API, Kind.PUPILS)
    assert "ZeroDivisionError" in failed.failure and "Annie" not in failed.failure
    assert Pupil.objects.filter(school=oakfield).count() == 3


def test_it_shows_the_read_of_the_api_in_progress_then_refreshes_to_its_dry_run(client, connected, head, monkeypatch,
                                                                                django_capture_on_commit_callbacks):
    from onlinesafety.roster import tasks

    monkeypatch.setattr(tasks.fetch_roster_import, "apply_async", lambda args, **kw: None)
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:fetch", args=[connected.slug, "pupils"]))
    fetching = RosterImport.objects.get()
    url = reverse("roster:import", args=[connected.slug, fetching.pk])
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}?reading=1"' in part and 'hx-trigger="every 2s"' in part and "Reading the MIS" in part
    still = client.get(url, {"reading": "1"}, headers={"HX-Request": "true"})
    assert still.status_code == 200 and "Reading the MIS" in still.content.decode()
    services.run_fetch(fetching.pk)
    ready = client.get(url, {"reading": "1"}, headers={"HX-Request": "true"})
    assert ready.status_code == 204 and ready["HX-Refresh"] == "true"  # the whole page, with its lists
    page = client.get(url).content.decode()
    assert "Dry run: nothing has been saved yet" in page and "hx-trigger" not in page


def test_it_queues_a_failed_read_of_the_api_again_without_reading_it_in_the_request(
        client, connected, head, monkeypatch, django_capture_on_commit_callbacks):
    from onlinesafety.roster import tasks

    FakeWonde.answer_with = 500
    with pytest.raises(ProviderError):
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    failed = RosterImport.objects.get()
    client.force_login(head)
    url = reverse("roster:import", args=[connected.slug, failed.pk])
    page = client.get(url).content.decode()
    assert "The MIS's API could not be read, so nothing was imported" in page
    assert reverse("roster:retry", args=[connected.slug, failed.pk]) in page
    asked = len(FakeWonde.requests)
    sent = []
    monkeypatch.setattr(tasks.fetch_roster_import, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster:retry", args=[connected.slug, failed.pk]))
    failed.refresh_from_db()
    assert (failed.status, failed.failure, failed.started_at) == (Status.FETCHING, "", None)
    assert sent == [(failed.pk,)] and len(FakeWonde.requests) == asked  # queued; Wonde not asked meanwhile
    assert "Reading the MIS" in client.get(url).content.decode()


def test_it_hands_a_read_of_the_api_never_started_to_a_worker_again(connected, head, monkeypatch):
    from onlinesafety.roster import tasks

    sent = []
    monkeypatch.setattr(tasks.fetch_roster_import, "apply_async", lambda args, **kw: sent.append(args))
    waiting = services._new_fetch(connected, head, Kind.PUPILS, None)
    recent = services._new_fetch(connected, head, Kind.CONTACTS, None)
    RosterImport.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - timedelta(minutes=3))
    RosterImport.objects.filter(pk=recent.pk).update(queued_at=timezone.now() - timedelta(minutes=1))
    assert services.look_after_imports()["requeued"] == 1 and sent == [(waiting.pk,)]
