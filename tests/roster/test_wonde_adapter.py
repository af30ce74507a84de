"""The MIS API boundary, with the Wonde adapter, against a fake Wonde on a free local port answering recorded JSON of
the documented shape (data, meta.pagination.next, includes as {"data": ...}). No network access."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from onlinesafety.roster import folders, services
from onlinesafety.roster.adapters import ProviderError, adapter_for
from onlinesafety.roster.adapters.wonde import WondeAdapter
from onlinesafety.roster.models import Kind, RosterImport, RosterSettings, Source, Status
from onlinesafety.schools.models import Contact, Membership, ParentLink, Pupil
from onlinesafety.schools.roles import Role
from tests.roster.helpers import apply

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "wonde"
TOKEN = "test-token-7e76896f9aca"
SCHOOL_ID = "A1930499544"


class FakeWonde(BaseHTTPRequestHandler):
    """Answers like Wonde: the right token, the school's resources, pages, and the errors the test asks for."""

    requests: list[tuple[str, dict, str]] = []
    answer_with: int | None = None
    delay = 0.0

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        FakeWonde.requests.append((url.path, query, self.headers.get("Authorization", "")))
        time.sleep(FakeWonde.delay)
        if FakeWonde.answer_with:
            return self._send(FakeWonde.answer_with, {"error": "invalid_request", "error_description": "Nope"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"error": "unauthenticated"})
        base = f"http://127.0.0.1:{self.server.server_port}/v1.0/"
        if url.path == f"/v1.0/schools/{SCHOOL_ID}/students":
            if "contacts" in query.get("include", [""])[0]:
                return self._send(200, self._recorded("contacts.json", base))
            page = query.get("page", ["1"])[0]
            return self._send(200, self._recorded(f"students-page-{page}.json", base))
        if url.path == f"/v1.0/schools/{SCHOOL_ID}/employees":
            return self._send(200, self._recorded("employees.json", base))
        return self._send(404, {"error": "not_found"})

    @staticmethod
    def _recorded(name, base):
        return json.loads((RECORDED / name).read_text().replace("{base}", base))

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def wonde(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWonde)  # port 0: a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeWonde.requests, FakeWonde.answer_with, FakeWonde.delay = [], None, 0.0
    settings.WONDE_API_TOKEN = TOKEN
    settings.WONDE_API_URL = f"http://127.0.0.1:{server.server_port}/v1.0/"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connected(oakfield, wonde):
    RosterSettings.objects.create(school=oakfield, provider_school_id=SCHOOL_ID, api_staff_role=Role.STAFF)
    return oakfield


def adapter(wonde, **options):
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
    assert len(paths) == 2 and all(auth == f"Bearer {TOKEN}" for _, _, auth in paths)
    assert paths[0][1] == ["education_details,year,registration,extended_details"]


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
    assert folders.import_nightly() == {"applied": 3, "held": 0, "refused": 0}
    assert RosterImport.objects.filter(status=Status.APPLIED, source=Source.API).count() == 3
    assert Pupil.objects.count() == 3


@pytest.mark.parametrize(("status", "message"), [(401, r"refused the request \(401\)"),
                                                 (500, r"answered with an error \(500\)")])
def test_it_reports_an_error_answer_in_plain_words_and_writes_nothing(connected, head, status, message):
    FakeWonde.answer_with = status
    with pytest.raises(ProviderError, match=message) as refused:
        services.preview_from_provider(school=connected, actor=head, kind=Kind.PUPILS)
    assert TOKEN not in str(refused.value)
    assert RosterImport.objects.count() == 0 and Pupil.objects.count() == 0


def test_it_gives_up_on_a_slow_answer_after_its_timeout(wonde):
    FakeWonde.delay = 1.0
    with pytest.raises(ProviderError, match="could not be reached"):
        list(adapter(wonde, timeout=0.2).records(Kind.PUPILS))


def test_it_never_sends_the_token_to_another_host(wonde):
    page = json.loads((RECORDED / "students-page-1.json").read_text())
    page["meta"]["pagination"]["next"] = "http://evil.example/steal"
    bad = adapter(wonde)
    bad._get = lambda url, real=bad._get: page if "evil" not in url else real(url)  # type: ignore[method-assign]
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
