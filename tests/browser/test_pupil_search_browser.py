"""Finding a pupil by name, on the report form (htmx) and the pupil list (a plain form, with or without
JavaScript): the name typed is sent in a POST body and never appears in an address the browser asks for."""

import pytest
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from tests.browser.conftest import new_page
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_finds_pupils_without_putting_their_name_in_an_address(page, sign_in, live_server, oakfield):
    member_of(oakfield, Role.STAFF, email="searcher@browser.example")
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")
    PupilFactory(school=oakfield, first_name="Tobias", last_name="Elsewhere")
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    sign_in(page, "searcher@browser.example", TEST_PASSWORD)

    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_label("Find a pupil by name").fill("ferns")
    expect(page.get_by_label("Maisie Fernsby (Year")).to_be_visible()
    page.get_by_label("Find a pupil by name").press("Enter")  # searching, not sending the report
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an online safety concern")

    page.goto(f"{live_server.url}/pupils/")
    page.get_by_label("Name", exact=True).fill("fernsby")
    page.get_by_label("Name", exact=True).press("Enter")
    expect(page.get_by_role("table")).to_contain_text("Fernsby, Maisie")
    expect(page.get_by_role("table")).not_to_contain_text("Elsewhere")
    expect(page.get_by_label("Name", exact=True)).to_have_value("fernsby")

    assert any(address.endswith("/incidents/pupil-search/") for address in addresses)
    assert not [address for address in addresses if "ferns" in address.lower()]


def test_it_searches_the_pupil_list_without_javascript(browser, sign_in, live_server, oakfield):
    member_of(oakfield, Role.STAFF, email="nojs@browser.example")
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")
    PupilFactory(school=oakfield, first_name="Tobias", last_name="Elsewhere")
    context, page = new_page(browser, java_script_enabled=False)
    try:
        sign_in(page, "nojs@browser.example", TEST_PASSWORD)
        page.goto(f"{live_server.url}/pupils/")
        page.get_by_label("Name", exact=True).fill("Fernsby")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("table")).to_contain_text("Fernsby, Maisie")
        expect(page.get_by_role("table")).not_to_contain_text("Elsewhere")
        assert page.url == f"{live_server.url}/pupils/"
    finally:
        context.close()
