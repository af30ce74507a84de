import pytest

from onlinesafety.schools.roles import Role
from onlinesafety.sso import services
from tests.factories import member_of
from tests.sso.helpers import DOMAIN, GOOGLE_CLIENT, MICROSOFT, MICROSOFT_CLIENT, SECRET, TENANT


@pytest.fixture
def head(oakfield):
    return member_of(oakfield, Role.HEADTEACHER, email=f"head@{DOMAIN}")


@pytest.fixture
def staff_dsl(oakfield):
    """The DSL, whose school address is in the school's domain."""
    return member_of(oakfield, Role.DSL, email=f"dsl@{DOMAIN}")


@pytest.fixture
def configure(fake_provider, head):
    """Sets up a configuration (through the service, as the head unless ``actor`` says otherwise) that the fake
    provider knows the client of."""

    def configure(owner, kind=MICROSOFT, *, actor=None, domains=(DOMAIN,), tenant=TENANT, enforces_mfa=False,
                  enabled=True):
        client_id = MICROSOFT_CLIENT if kind == MICROSOFT else GOOGLE_CLIENT
        fake_provider.register_client(client_id, SECRET)
        return services.save_identity_provider(
            actor=actor or head, owner=owner, kind=kind, client_id=client_id, client_secret=SECRET,
            tenant_id=tenant if kind == MICROSOFT else "", domains=list(domains), enforces_mfa=enforces_mfa,
            enabled=enabled)

    return configure


@pytest.fixture
def microsoft(configure, oakfield):
    return configure(oakfield)
