"""The quick report in a browser: a teacher with an agreement unsigned signs in and reaches the form in one step,
sends the minimum (six inputs or fewer, and one more for each pupil's role) at laptop and phone width, and the
minimum fits one 768 px laptop screen; an empty send moves focus to the error summary, whose links focus their
fields; a pupil added is announced, and their role is asked next."""

import re

import pytest
from playwright.sync_api import expect

from aup import selectors as aup_selectors
from incidents.models import Incident
from onlinesafety.schools.roles import Role
from tests.aup.helpers import publish_all
from tests.browser.conftest import assert_accessible, new_page, sign_in_at
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SEND = "Send to the safeguarding team"


def sign_in_to_report(page, live_server, email):
    """Signing in from a link to the report form (as from a bookmark or an email)."""
    sign_in_at(page, live_server.url, email, TEST_PASSWORD, next_path="/incidents/new/")


def send_button_bottom(page):
    return page.get_by_role("button", name=SEND).evaluate("b => b.getBoundingClientRect().bottom + scrollY")


def form_height(page):
    top = page.get_by_role("heading", level=1).evaluate("h => h.getBoundingClientRect().top + scrollY")
    return send_button_bottom(page) - top


@pytest.fixture
def teacher(oakfield):
    publish_all(oakfield, member_of(oakfield, Role.HEADTEACHER, email="head@quick.example"))
    user = member_of(oakfield, Role.STAFF, email="teacher@quick.example")
    assert aup_selectors.unsigned_agreements(user, oakfield)  # an agreement waits for them
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")
    return user


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_it_lets_a_teacher_send_the_minimum_report_straight_after_signing_in(browser, live_server, teacher,
                                                                              viewport):
    phone = viewport is PHONE
    context, page = new_page(browser, viewport=viewport, is_mobile=phone, has_touch=phone)
    sign_in_to_report(page, live_server, teacher.email)
    assert page.url == f"{live_server.url}/incidents/new/"  # one step, not "My agreements" first
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an online safety concern")
    assert page.get_by_label("When did it happen?").input_value() != ""  # now, to the minute
    for group in ("Is a child at immediate risk of harm?", "Could this be illegal?"):
        assert page.get_by_role("group", name=group).locator("input:checked").count() == 0

    if not phone:
        assert form_height(page) <= 560  # from the heading to the send button's bottom: 554 px when measured
        page.reload()  # the same page without "Successfully signed in" above it
        bottom = send_button_bottom(page)
        assert bottom <= 768, f"the send button ends at {bottom} px"  # under the header and the agreement notice

    inputs = 0
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("Find a pupil by name").fill("ferns")
    page.get_by_label("Maisie Fernsby (Year").check()
    role = page.get_by_label("Role of Maisie Fernsby")
    assert role.input_value() == ""  # nothing chosen for the reporter
    role.select_option("affected")
    page.get_by_label("What happened?").fill("Unkind messages about her in the class chat.")
    inputs += 6
    expect(page.locator("#pupil-added")).to_have_text(re.compile(r"^Added Maisie Fernsby \(Year"))
    assert_accessible(page)
    page.get_by_role("button", name=SEND).click()
    inputs += 1
    assert inputs <= 7  # the six of the minimum, and the pupil's role
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    incident = Incident.objects.get()
    assert list(incident.pupils.values_list("first_name", flat=True)) == ["Maisie"]
    assert incident.pupil_links.get().role == "affected"
    assert_accessible(page)
    context.close()


def test_it_keeps_keyboard_focus_on_a_pupil_ticked_and_announces_it(page, sign_in, live_server, teacher):
    sign_in(page, teacher.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_label("Find a pupil by name").fill("ferns")
    result = page.get_by_label("Maisie Fernsby (Year")
    result.focus()
    page.keyboard.press("Space")
    expect(page.locator("#chosen-pupils")).to_contain_text("Maisie Fernsby")
    assert page.evaluate("document.activeElement.name") == "pupils"
    expect(page.locator("#pupil-added")).to_contain_text("Added Maisie Fernsby")
    assert page.locator("#pupil-added").get_attribute("aria-live") == "polite"


def test_it_asks_each_ticked_pupils_role_by_keyboard_and_links_a_missing_one(page, sign_in, live_server, teacher):
    sign_in(page, teacher.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("What happened?").fill("Unkind messages in the class chat.")
    page.get_by_label("Find a pupil by name").fill("ferns")
    page.get_by_label("Maisie Fernsby (Year").focus()
    page.keyboard.press("Space")
    expect(page.locator("#pupil-added")).to_contain_text("Choose their role next")
    page.keyboard.press("Tab")  # the role question comes straight after the pupil's box
    assert page.evaluate("document.activeElement.name").startswith("role_")
    page.get_by_role("button", name=SEND).click()  # no role chosen: refused, saying whose
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Choose the role of Maisie Fernsby in what happened")
    assert Incident.objects.count() == 0
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("Choose the role of Maisie Fernsby")).click()
    assert page.evaluate("document.activeElement.id").startswith("id_role_")
    page.keyboard.press("End")  # the last choice, "Involved", by keyboard alone (a closed select takes the keys)
    expect(page.get_by_label("Role of Maisie Fernsby")).to_have_value("involved")
    page.get_by_role("button", name=SEND).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    assert Incident.objects.get().pupil_links.get().role == "involved"


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_moves_focus_to_the_error_summary_and_each_link_to_its_field(device, request, sign_in, live_server,
                                                                         teacher):
    page = request.getfixturevalue(device)
    sign_in(page, teacher.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_label("What happened?").fill("Typed before the error.")
    page.get_by_role("button", name=SEND).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Select whether a child is at immediate risk of harm")
    expect(summary).to_contain_text("No pupil involved?")
    expect(summary).not_to_contain_text("This field is required")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    expect(page.get_by_label("What happened?")).to_have_value("Typed before the error.")
    assert_accessible(page)

    summary.get_by_role("link", name="Select whether this could be illegal").click()
    assert page.evaluate("document.activeElement.id") == "id_possibly_illegal_0"
    illegal = page.get_by_role("group", name="Could this be illegal?")
    assert page.locator("[name=possibly_illegal].is-invalid").count() > 0
    illegal.get_by_label("No", exact=True).check()
    assert page.locator("[name=possibly_illegal].is-invalid").count() == 0  # fixed: no error styling

    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_label("No pupil is involved").check()
    page.get_by_role("button", name=SEND).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    assert Incident.objects.get().pupils.count() == 0
