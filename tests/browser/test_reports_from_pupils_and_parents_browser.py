"""Reports from pupils and parents in a browser: a pupil on a classroom tablet (810x1080) tells a trusted adult
through the school's link with the keyboard alone, and sees a calm thank-you page; a parent on a phone (390x844)
sends the public form, is shown their mistakes in the error summary first, then their reference; the DSL makes the
link and copies it. Each page passes axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, ReporterKind
from tests.browser.conftest import assert_accessible, new_page, sign_in_at
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 810, "height": 1080}
PHONE = {"width": 390, "height": 844}


def test_it_lets_a_pupil_tell_a_trusted_adult_on_a_tablet_with_the_keyboard(browser, live_server, oakfield, people):
    link = services.make_pupil_link(school=oakfield, actor=people.dsl)
    token = services.pupil_link_token(link)
    context, page = new_page(browser, viewport=TABLET, has_touch=True)
    page.goto(f"{live_server.url}/tell/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell a trusted adult")
    expect(page.get_by_text("0800 1111").first).to_be_visible()
    assert_accessible(page)

    # The keyboard alone: the text box, then the radio groups (arrow keys choose), then the send button
    page.get_by_label("What happened?").focus()
    page.keyboard.type("A boy in a game keeps asking where I live.")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first choice of "Where did it happen?": In an online game
    expect(page.get_by_label("In an online game")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # "Is someone in danger right now?": from Yes to No, which chooses it
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Maya")  # their name, because they chose to
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send to a trusted adult")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    assert "where I live" not in page.content() and "Maya" not in page.content()
    assert_accessible(page)
    incident = Incident.objects.get()
    assert incident.reporter_kind == ReporterKind.PUPIL and incident.platform == "online game"
    assert incident.outside_report.reporter_name == "Maya" and not incident.is_urgent
    context.close()


def test_it_shows_a_friendly_page_for_a_link_that_no_longer_works(browser, live_server, oakfield):
    context, page = new_page(browser, viewport=TABLET, has_touch=True)
    response = page.goto(f"{live_server.url}/tell/not-a-link/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
    assert_accessible(page)
    context.close()


def test_it_lets_a_parent_report_a_concern_on_a_phone(browser, live_server, oakfield, people):
    context, page = new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/p/{oakfield.slug}/policies/")
    page.get_by_role("link", name="report an online safety concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an online safety concern")
    assert_accessible(page)

    # Sent empty: the error summary takes the focus, and its first link focuses its field
    page.get_by_role("button", name="Send the report").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link", name="Enter your name").click()
    expect(page.locator("#id_reporter_name")).to_be_focused()

    page.keyboard.type("Pat Carer")
    page.get_by_label("Your email address").fill("pat.carer@home.example")
    page.get_by_label("What happened?").fill("Older pupils shared an edited photo of my son in a group chat.")
    page.get_by_label("When did it happen?").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    page.get_by_label("Where did it happen?").select_option("Social media")
    page.get_by_role("group", name="Is a child in danger right now?").get_by_label("No").check()
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your report has been sent")
    receipt = page.locator("#receipt").inner_text()
    assert re.fullmatch(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    assert "edited photo" not in page.content()
    assert_accessible(page)
    incident = Incident.objects.get()
    assert incident.reporter_kind == ReporterKind.PARENT and incident.outside_report.receipt == receipt
    context.close()


def test_it_lets_the_dsl_make_and_copy_the_pupils_link(browser, live_server, oakfield, people):
    context, page = new_page(browser, viewport={"width": 1280, "height": 800},
                             permissions=["clipboard-read", "clipboard-write"])
    sign_in_at(page, live_server.url, people.dsl.email, TEST_PASSWORD, next_path="/incidents/pupil-link/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("tell a trusted adult")
    page.get_by_role("button", name="Make the pupils' link").click()
    link = page.get_by_label("The link").input_value()
    assert re.search(r"/tell/[0-9a-f]{40}/$", link)
    page.get_by_role("button", name="Copy the link").click()
    expect(page.locator("#copy-status")).to_have_text(re.compile("Link copied|The link is selected"))
    assert_accessible(page)
    old = link
    page.get_by_role("button", name="Make a new link").click()
    assert page.get_by_label("The link").input_value() != old
    context.close()
