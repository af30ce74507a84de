"""A school goes live in the browser, at desktop and phone width, without the Django admin: the site
administrator creates it and enters a term, imports its pupils and their contacts (each with a dry run and a
confirm) and invites a member of staff, who sets a password from the emailed link and lands on their home."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from onlinesafety.schools.models import Contact, ParentLink, Pupil, School
from tests.browser.conftest import new_page, set_up_authenticator_app
from tests.factories import TEST_PASSWORD, UserFactory
from tests.roster.helpers import CONTACTS_HEADER, PUPILS_HEADER, contact, csv_bytes, pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"viewport": {"width": 1280, "height": 800}},
           "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}}
PUPILS = csv_bytes(PUPILS_HEADER, [pupil(1, first="Alexandra", preferred="Sasha"), pupil(2), pupil(3, year="Year 6",
                                                                                                  klass="Willow")])
CONTACTS = csv_bytes(CONTACTS_HEADER, [contact(5001, 1001, email="carer.one@families.test"),
                                       contact(5001, 1002, email="carer.one@families.test"),
                                       contact(5002, 1003, email="", first="Grace", relationship="Grandparent")])


def import_file(screen, kind_link, name, data):
    """From the roster page: upload, choose the SIMS preset, say it is a full export, read the dry run, confirm."""
    screen.get_by_role("link", name=kind_link).click()
    screen.get_by_label("The CSV export").set_input_files(files=[{"name": name, "mimeType": "text/csv",
                                                                 "buffer": data}])
    screen.get_by_label("Which columns hold what").select_option(label="A SIMS export")
    screen.get_by_label("This file holds everyone (a full export)").check()
    screen.get_by_role("button", name="Check the file").click()
    main = screen.locator("main")
    expect(main).to_contain_text("Dry run: nothing has been saved yet")
    screen.get_by_role("button", name="Confirm and apply").click()
    expect(main).to_contain_text("Applied")
    return main


def invitation_link(live_server, email):
    [message] = [m for m in mail.outbox if m.to == [email]]
    match = re.search(rf"{re.escape(settings.SITE_URL)}(/accounts/invitation/[A-Za-z0-9_-]+/)", message.body)
    assert match, "the invitation email carries a one-time link"
    return f"{live_server.url}{match.group(1)}"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_it_takes_a_new_school_from_nothing_to_a_member_of_staff_signed_in(request, browser, live_server, sign_in,
                                                                         width):
    screen = request.getfixturevalue("page" if width == "desktop" else "phone")
    UserFactory(email="operator@live.example", is_staff=True)
    sign_in(screen, "operator@live.example", TEST_PASSWORD)

    # 1. The school, with nothing preselected but the time zone.
    screen.get_by_role("link", name="Create a school").click()
    screen.get_by_label("Name of the school").fill("Brook Lane Primary")
    screen.get_by_label("URN").fill("345678")
    screen.get_by_role("textbox", name="Local authority").fill("Kirklees")
    screen.get_by_label("Primary", exact=True).check()
    screen.get_by_role("button", name="Create the school").click()
    expect(screen.get_by_role("heading", level=1)).to_have_text("Set up Brook Lane Primary")
    school = School.objects.get(urn="345678")

    # 2. Its autumn term, with the half-term holiday.
    screen.get_by_role("link", name="Terms and half terms").click()
    screen.get_by_label("Name").fill("Autumn 2026")
    screen.get_by_label("First day of term").fill("2026-09-03")
    screen.get_by_label("Last day of term").fill("2026-12-18")
    screen.get_by_label("Half-term holiday: first day").fill("2026-10-26")
    screen.get_by_label("Half-term holiday: last day").fill("2026-10-30")
    screen.get_by_role("button", name="Save the term").click()
    expect(screen.locator("main")).to_contain_text("Autumn 2026 is saved.")

    # 3. Pupils, then their contacts, from the MIS's exports: a dry run, then a confirm, each.
    screen.goto(f"{live_server.url}/schools/{school.slug}/setup/")
    screen.get_by_role("link", name="Import pupils, contacts and staff from the MIS").click()
    main = import_file(screen, "Import pupils", "pupils.csv", PUPILS)
    expect(main.locator(".roster-counts")).to_contain_text("Added3")
    screen.get_by_role("link", name=f"{school.name}: roster").click()
    import_file(screen, "Import parents and carers", "contacts.csv", CONTACTS)
    assert sorted(Pupil.objects.filter(school=school).values_list("mis_id", flat=True)) == ["1001", "1002", "1003"]
    assert Contact.objects.filter(school=school, email="").count() == 1  # Grace has no email: kept on record
    assert ParentLink.objects.filter(pupil__school=school, parent__email="carer.one@families.test").count() == 2

    # 4. A member of staff, invited by email.
    screen.goto(f"{live_server.url}/schools/{school.slug}/setup/")
    screen.get_by_role("link", name="People and roles").click()
    screen.get_by_role("link", name="Add a member of staff").first.click()
    screen.get_by_label("Full name").fill("Tomasz Brook")
    screen.get_by_label("Email address").fill("tomasz@live.example")
    screen.get_by_label("Headteacher").check()
    screen.get_by_role("button", name="Add and send the invitation").click()
    expect(screen.locator("main")).to_contain_text("Invited, not yet accepted")

    # 5. The invitee, on their own device, sets a password and lands on their home page.
    context, invitee = new_page(browser, **SCREENS[width])
    try:
        invitee.goto(invitation_link(live_server, "tomasz@live.example"))
        invitee.get_by_label("Choose a password").fill("kettle-orchard-lantern")
        invitee.get_by_label("Type the password again").fill("kettle-orchard-lantern")
        invitee.get_by_role("button", name="Set my password and sign in").click()
        # A headteacher sets up a second factor before anything else (issue 13).
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Set up a second factor")
        set_up_authenticator_app(invitee, "kettle-orchard-lantern")
        invitee.goto(f"{live_server.url}/")
        expect(invitee.get_by_role("heading", level=1)).to_contain_text("Welcome, Tomasz")
        expect(invitee.locator("main")).to_contain_text("Brook Lane Primary")
        assert invitee.url == f"{live_server.url}/"
        # The new head sees the school's set-up checklist on their home page.
        expect(invitee.locator(".setup-checklist")).to_be_visible()
    finally:
        context.close()
