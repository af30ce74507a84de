import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from filtering import services
from filtering.models import ChangeRequest, ProviderImport
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, member_of
from tests.filtering.test_import import MAPPING, ONE_ROW, csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_teacher_ask_the_dsl_approve_and_the_technician_make_a_change(browser, page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="teacher3@browser.example")
    member_of(oakfield, Role.DSL, email="dsl3@browser.example")
    member_of(oakfield, Role.TECHNICIAN, email="tech3@browser.example")
    today = timezone.localdate()

    sign_in(page, "teacher3@browser.example", TEST_PASSWORD)
    go_to(page, "Change requests")
    page.get_by_role("link", name="Ask for a change").click()
    page.get_by_label("Unblock").check()
    page.get_by_label("What to change").select_option(label="A whole website (domain)")
    page.get_by_label("Web address, website or category").fill("www.racismnomore.example")
    page.get_by_label("For whom").select_option(label="Pupils: KS2")
    page.get_by_label("Educational reason").fill("Year 6 citizenship: how campaigns challenge racism")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("Until").fill((today + timezone.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("main")).to_contain_text("Awaiting approval")
    change = ChangeRequest.objects.get()

    dsl = browser.new_context().new_page()
    sign_in(dsl, "dsl3@browser.example", TEST_PASSWORD)
    dsl.goto(page.url)
    dsl.get_by_label("Educational benefit").fill("Campaign material chosen by the teacher")
    dsl.get_by_label("Risks").fill("Comments may contain hateful language")
    dsl.get_by_label("Supervision in place").fill("Teacher-led on the class screen")
    dsl.get_by_role("button", name="Approve").click()
    expect(dsl.locator("main")).to_contain_text("The technician has been asked to make the change")

    tech = browser.new_context().new_page()
    sign_in(tech, "tech3@browser.example", TEST_PASSWORD)
    tech.goto(page.url)
    tech.get_by_label("The filtering provider's reference").fill("SW-4411")
    tech.get_by_role("button", name="Mark as done").click()
    expect(tech.locator("main")).to_contain_text("In place")
    change.refresh_from_db()
    assert (change.status, change.provider_reference) == (ChangeRequest.Status.ACTIVE, "SW-4411")


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_lets_the_technician_try_a_failed_import_again(device, request, sign_in, live_server, oakfield):
    page = request.getfixturevalue(device)
    technician = member_of(oakfield, Role.TECHNICIAN, email="tech4@browser.example")
    upload = services.start_import(school=oakfield, actor=technician, upload=csv_file(ONE_ROW))
    with mock.patch("filtering.imports._read_all", side_effect=OSError("disk gone")):
        services.choose_columns(provider_import=upload, actor=technician, mapping=MAPPING)  # eager: it fails
    assert ProviderImport.objects.get().state == "failed"

    sign_in(page, "tech4@browser.example", TEST_PASSWORD)
    page.goto(live_server.url + reverse("filtering:import", args=[upload.pk]))
    expect(page.get_by_role("alert")).to_contain_text("Failed: try again.")
    assert_accessible(page)
    button = page.get_by_role("button", name="Try again")
    button.focus()
    page.keyboard.press("Enter")  # with the keyboard alone; the import runs (tasks are inline in the tests)
    expect(page.locator("main")).to_contain_text("Trying the import again")
    expect(page.locator("#import-status")).to_contain_text("1 added")
    assert ProviderImport.objects.get().state == "done"
    assert_accessible(page)


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_lists_the_failed_import_for_the_site_administrator(device, request, sign_in, oakfield):
    from tests.factories import UserFactory

    page = request.getfixturevalue(device)
    technician = member_of(oakfield, Role.TECHNICIAN, email="tech6@browser.example")
    upload = services.start_import(school=oakfield, actor=technician, upload=csv_file(ONE_ROW))
    ProviderImport.objects.filter(pk=upload.pk).update(state="failed", failure="OSError", finished_at=timezone.now())
    UserFactory(email="admin6@browser.example", is_staff=True, is_superuser=True)

    sign_in(page, "admin6@browser.example", TEST_PASSWORD)
    page.get_by_role("link", name="Failed background jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Failed background jobs")
    row = page.get_by_role("row", name=re.compile("Provider log import"))
    expect(row).to_contain_text(oakfield.name)
    expect(row).to_contain_text("OSError")
    expect(row).to_contain_text("on the import's page")
    assert_accessible(page)
