"""Fixtures for the people pages (the trusts, their administrators and the site administrator are shared, in
tests/conftest.py). The browser test is tests/browser/test_people_browser.py, beside the browser fixtures."""

import pytest

from onlinesafety.schools.roles import Role
from tests.factories import member_of


@pytest.fixture
def riverside_head(riverside):
    return member_of(riverside, Role.HEADTEACHER, email="head@river.example")
