"""The MIS API boundary, with the Wonde adapter, against a fake Wonde on a free local port answering recorded JSON of
the documented shape (data, meta.pagination.next, includes as {"data": ...}; one school as {"data": {"urn", ...}}).
No network access."""

import json
import threading
import time
from datetime import timedelta
from http.server import ThreadingHTTPServer

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
