"""In a browser, at desktop and phone width: the head uploads a pupils CSV, reads the dry run, confirms it, and
sees the result."""

import pytest
from playwright.sync_api import expect

from onlinesafety.schools.models import Pupil
from onlinesafety.schools.roles import Role
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, member_of
from tests.roster.helpers import PUPILS_HEADER, csv_bytes, pupil

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPORT = csv_bytes(PUPILS_HEADER, [pupil(1, first="Alexandra", preferred="Sasha"), pupil(2), pupil(3, dob="31/02/2016"),
                                   pupil(4, klass="Willow", year="Year 6")], bom=True)


@pytest.mark.parametrize("width", ["page", "phone"])
def test_it_imports_pupils_with_a_dry_run_and_a_confirm(request, sign_in, live_server, oakfield, width):
    screen = request.getfixturevalue(width)
    member_of(oakfield, Role.HEADTEACHER, email=f"head.{width}@browser.example")
    sign_in(screen, f"head.{width}@browser.example", TEST_PASSWORD)
    go_to(screen, "Roster import")
    expect(screen.get_by_role("heading", level=1)).to_have_text("Pupils, parents and staff from the MIS")
    screen.get_by_role("link", name="Import pupils").click()

    screen.get_by_label("The CSV export").set_input_files(
        files=[{"name": "sims-pupils.csv", "mimeType": "text/csv", "buffer": EXPORT}])
    screen.get_by_label("Which columns hold what").select_option(label="A SIMS export")
    screen.get_by_label("This file holds everyone (a full export)").check()
    screen.get_by_role("button", name="Check the file").click()

    main = screen.locator("main")
    expect(main).to_contain_text("Dry run: nothing has been saved yet")
    expect(main.locator(".roster-counts")).to_contain_text("To add3")
    expect(main).to_contain_text("Sasha Surname1")
    expect(main).to_contain_text("the date of birth 31/02/2016 is not a date that exists")
    assert Pupil.objects.count() == 0

    confirm = screen.get_by_role("button", name="Confirm and apply")
    confirm.focus()
    screen.keyboard.press("Enter")  # the page works from the keyboard
    expect(main).to_contain_text("Applied")
    expect(main.locator(".roster-counts")).to_contain_text("Added3")
    assert sorted(Pupil.objects.values_list("mis_id", flat=True)) == ["1001", "1002", "1004"]
    screen.get_by_role("link", name=f"{oakfield.name}: roster").click()
    expect(main.get_by_role("table")).to_contain_text("3 added")
