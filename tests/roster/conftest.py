import threading
from http.server import ThreadingHTTPServer

import pytest

from onlinesafety.roster.models import RosterSettings
from onlinesafety.schools.roles import Role
from tests.roster.fake_wonde import SCHOOL_ID, TOKEN, FakeWonde


@pytest.fixture
def head(people):
    return people.head


@pytest.fixture
def trusts(trust, other_trust, trust_admin, other_trust_admin):
    """Oakfield belongs to one trust (with an administrator); another trust has its own administrator."""
    return {"ours": trust_admin, "theirs": other_trust_admin}


@pytest.fixture
def wonde(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWonde)  # port 0: a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeWonde.requests, FakeWonde.answer_with, FakeWonde.delay = [], None, 0.0
    FakeWonde.redirect_to, FakeWonde.trickle = "", 0.0
    FakeWonde.school = {"id": SCHOOL_ID, "name": "Oakfield Test Primary", "urn": 900001, "la_code": "873",
                        "establishment_number": "2345"}
    settings.WONDE_API_TOKEN = TOKEN
    settings.WONDE_API_URL = f"http://127.0.0.1:{server.server_port}/v1.0/"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connected(oakfield, wonde):
    RosterSettings.objects.create(school=oakfield, provider_school_id=SCHOOL_ID, api_staff_role=Role.STAFF)
    return oakfield
