import socket
import time
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.test import Client

from onlinesafety import celery_app, ratelimit
from onlinesafety.jobs import reset_publishing
from onlinesafety.schools.roles import Role
from tests.factories import SchoolFactory, UserFactory, administrator_of, member_of, trust_owning
from tests.people import People
from tests.sent_twice import with_form_token
from tests.sso.fake_provider import FakeProvider, start


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """Fast password hashing, and Celery tasks run inline (the worker test switches this off)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


_client_login = Client._login


def login_with_second_factor(self, user, backend=None):
    """The test client's ``login`` and ``force_login`` as a sign-in with both factors: what every signed-in page
    test stands for. The second-factor tests use ``login_password_only`` or sign in through the pages."""
    _client_login(self, user, backend)
    session = self.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def login_password_only(client, user):
    _client_login(client, user, "allauth.account.auth_backends.AuthenticationBackend")


Client._login = login_with_second_factor


class RateLimitClock:
    """The rate limits' clock, stopped at the start of an hour (so a test's requests share each window)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()) // 3600 * 3600 + 1)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def ratelimit_clock(monkeypatch):
    clock = RateLimitClock()
    monkeypatch.setattr(ratelimit, "_now", lambda: clock.now)
    return clock


def _commits(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(request.fixturenames)
                or (marker and marker.kwargs.get("transaction")))


@pytest.fixture(autouse=True)
def _fresh_shared_cache(request, django_db_blocker):
    """The shared cache is a table that Django's flush leaves alone: after a test whose writes were committed (the
    live server's, a transactional test's) it is emptied, so no rate-limit count or lockout outlives its test.
    Every other test's cache writes roll back with its transaction."""
    yield
    if _commits(request):
        with django_db_blocker.unblock():
            caches["default"].clear()


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused


def forget_broker_connections() -> None:
    """Celery's kept connections and producers, and this thread's publishing connection, start afresh."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    reset_publishing()


@contextmanager
def publishing_to(monkeypatch, broker_url):
    """Tasks are published for real, to ``broker_url``."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery reads it before its own setting (CI sets it)
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "broker_transport_options", "task_always_eager")}
    conf.update(broker_url=broker_url, broker_transport_options={"max_retries": 0}, task_always_eager=False)
    forget_broker_connections()
    assert conf.broker_url == broker_url
    try:
        yield
    finally:
        conf.update(**saved)
        forget_broker_connections()


@pytest.fixture
def broker_down(monkeypatch):
    """A broker that refuses every connection (a broker outage)."""
    with publishing_to(monkeypatch, UNREACHABLE_BROKER):
        yield


@pytest.fixture
def broker_silent(monkeypatch):
    """A broker host that takes connections and never answers (a hung server, a full network buffer)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)  # never accepted, never answered: the kernel completes the handshake and nothing more
    try:
        with publishing_to(monkeypatch, f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            yield
    finally:
        listener.close()


@pytest.fixture
def oakfield(db):
    return SchoolFactory(name="Oakfield Test Primary", slug="oak-test", urn="900001")


@pytest.fixture
def riverside(db):
    return SchoolFactory(name="Riverside Test Primary", slug="river-test", urn="900002")


@pytest.fixture
def trust(oakfield):
    """Oakfield's trust."""
    return trust_owning(oakfield, "Oak Learning Trust", "oak-trust")


@pytest.fixture
def other_trust(riverside):
    """Riverside's trust: another trust, whose administrator has nothing to do with Oakfield."""
    return trust_owning(riverside, "River Schools Trust", "river-trust")


@pytest.fixture
def trust_admin(trust):
    return administrator_of(trust, "admin@oak-trust.example")


@pytest.fixture
def other_trust_admin(other_trust):
    return administrator_of(other_trust, "admin@river-trust.example")


@pytest.fixture
def site_admin(db):
    """The installation's operator (``is_staff``), with no role in any school."""
    return UserFactory(email="operator@site.example", is_staff=True)


@pytest.fixture
def make_member(db):
    def make(school, role=Role.STAFF, **kwargs):
        return member_of(school, role, **kwargs)

    return make


@pytest.fixture
def dsl(oakfield):
    return member_of(oakfield, Role.DSL, email="dsl@test.example")


@pytest.fixture
def teacher(oakfield):
    return member_of(oakfield, Role.STAFF, email="teacher@test.example")


@pytest.fixture
def people(oakfield, riverside):
    return People(oakfield, riverside)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploads go to a folder of the test's own."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": tmp_path / "private-media"}}}
    settings.MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture
def fake_provider(settings):
    """A fake OpenID Connect provider on this machine (tests/sso/fake_provider.py), with the site's Microsoft
    authority and Google issuer pointed at it: signing in with Microsoft or Google never leaves the machine."""
    fake = FakeProvider()
    server = start(fake)
    settings.SSO_MICROSOFT_AUTHORITY = f"{fake.url}/ms"
    settings.SSO_GOOGLE_ISSUER = fake.google_issuer
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _form_tokens():
    """Every form the test client posts carries a fresh one-time token, as the page's ``{% form_token %}`` would
    give it, unless the test sends its own ``form_token`` (the same one twice, a forged one, an empty one). Which
    forms carry the tag is checked on the templates themselves (tests/kernel/test_sent_once.py) and, in a browser,
    by every browser test that sends one."""
    with pytest.MonkeyPatch.context() as patch:  # its own, so a test's monkeypatch.undo() leaves it
        patch.setattr(Client, "post", _post_with_token)
        yield


_client_post = Client.post


def _post_with_token(self, path, data=None, *args, **kwargs):
    return _client_post(self, path, with_form_token(data), *args, **kwargs)
