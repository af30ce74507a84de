import pytest

from onlinesafety import celery_app
from onlinesafety.schools.roles import Role
from tests.factories import SchoolFactory, UserFactory, administrator_of, member_of, trust_owning
from tests.people import People
from tests.sso.fake_provider import FakeProvider, start


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    """Fast password hashing, and Celery tasks run inline (the worker test switches this off)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks are published for real, to a broker that refuses every connection (a broker outage)."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery reads it before its own setting (CI sets it)
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "broker_transport_options", "task_always_eager")}
    conf.update(broker_url=UNREACHABLE_BROKER, broker_transport_options={"max_retries": 0}, task_always_eager=False)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    assert conf.broker_url == UNREACHABLE_BROKER
    yield
    conf.update(**saved)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


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
