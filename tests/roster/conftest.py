import pytest


@pytest.fixture
def head(people):
    return people.head


@pytest.fixture
def trusts(trust, other_trust, trust_admin, other_trust_admin):
    """Oakfield belongs to one trust (with an administrator); another trust has its own administrator."""
    return {"ours": trust_admin, "theirs": other_trust_admin}
