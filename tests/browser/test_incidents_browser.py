import pytest
from playwright.sync_api import expect

from incidents.models import Incident, Status
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_more_detail(page):
    """Where, what kind, device and evidence are under "Add more detail" (the quick report's minimum is above)."""
    page.locator("summary", has_text="Add more detail").click()


def add_pupil(page, school, first_name="Maisie", last_name="Fernsby"):
    PupilFactory(school=school, first_name=first_name, last_name=last_name)
    page.get_by_label("Find a pupil by name").fill(last_name[:5])
    page.get_by_label(f"{first_name} {last_name} (Year").check()
    page.get_by_label(f"Role of {first_name} {last_name}").select_option("involved")


def test_it_lets_a_teacher_report_and_the_dsl_acknowledge(browser, page, sign_in, live_server, oakfield):
    member_of(oakfield, Role.STAFF, email="teacher@browser.example")
    member_of(oakfield, Role.DSL, email="dsl@browser.example")
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")

    sign_in(page, "teacher@browser.example", TEST_PASSWORD)
    go_to(page, "Report a concern")
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("When did it happen?").fill("2026-01-15T10:30")
    open_more_detail(page)
    page.get_by_label("In school").check()
    page.get_by_label("What kind of concern is it?").select_option(label="Cyberbullying")
    page.get_by_label("What happened?").fill("Said \"they keep posting about me\" after lunch.")
    page.get_by_label("Find a pupil by name").fill("ferns")
    page.get_by_label("Maisie Fernsby (Year 4").check()
    expect(page.locator("#chosen-pupils")).to_contain_text("Maisie Fernsby")
    page.get_by_label("Role of Maisie Fernsby").select_option("affected")
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")

    incident = Incident.objects.get()
    assert list(incident.pupils.values_list("first_name", flat=True)) == ["Maisie"]

    dsl_page = browser.new_context().new_page()
    sign_in(dsl_page, "dsl@browser.example", TEST_PASSWORD)
    go_to(dsl_page, "Cases to triage")
    row = dsl_page.locator("#triage-table tbody tr", has_text=incident.reference)
    expect(row).to_contain_text("Maisie Fernsby")
    row.get_by_role("button", name="Acknowledge").click()
    expect(dsl_page.locator("#triage-table")).not_to_contain_text(incident.reference)
    incident.refresh_from_db()
    assert incident.acknowledged_at is not None


def test_it_warns_at_once_and_hides_uploads_for_image_abuse_on_the_form(page, sign_in, oakfield):
    member_of(oakfield, Role.STAFF, email="staff2@browser.example")
    sign_in(page, "staff2@browser.example", TEST_PASSWORD)
    go_to(page, "Report a concern")
    warning = page.locator("#risk-warning")
    expect(warning).to_be_hidden()
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("Yes").check()
    expect(warning).to_be_visible()
    open_more_detail(page)
    expect(page.get_by_label("Evidence (screenshots or documents)")).to_be_visible()
    page.get_by_label("What kind of concern is it?").select_option(label="Indecent images of children")
    expect(page.locator("#evidence-rules")).to_be_visible()
    expect(page.get_by_label("Evidence (screenshots or documents)")).to_be_hidden()


def test_it_makes_one_case_when_the_report_is_double_clicked(page, sign_in, live_server, oakfield, monkeypatch):
    """On a slow day both clicks send the form (the browser drops the first answer for the second); the second send
    carries the same form token, so it shows the first's confirmation instead of making a second case and alerting
    the team twice."""
    import time

    from incidents import services

    real = services.report_incident

    def slowly(**kwargs):
        time.sleep(1)  # the first send is still being written when the second click comes
        return real(**kwargs)

    monkeypatch.setattr(services, "report_incident", slowly)
    member_of(oakfield, Role.STAFF, email="double@browser.example")
    member_of(oakfield, Role.DSL, email="dsl2@browser.example")
    sign_in(page, "double@browser.example", TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("When did it happen?").fill("2026-01-15T10:30")
    open_more_detail(page)
    page.get_by_label("In school").check()
    page.get_by_label("What kind of concern is it?").select_option(label="Cyberbullying")
    page.get_by_label("What happened?").fill("Messages in the class chat.")
    add_pupil(page, oakfield)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    send = page.get_by_role("button", name="Send to the safeguarding team")
    send.scroll_into_view_if_needed()
    box = send.bounding_box()
    for _ in range(2):  # a person's double click, with the mouse: the second comes while the first is on its way
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(250)
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    assert sent.count(f"{live_server.url}/incidents/new/") == 2
    incident = Incident.objects.get()
    assert page.url.endswith(f"/incidents/{incident.pk}/submitted/")
    assert incident.reported_by.email == "double@browser.example"


def test_it_says_before_sending_when_the_evidence_is_more_than_the_site_takes(page, sign_in, live_server, oakfield,
                                                                              settings):
    settings.MAX_REQUEST_BYTES = 2 * 1024 * 1024  # so 1 MB of files at most on the form
    member_of(oakfield, Role.STAFF, email="files@browser.example")
    sign_in(page, "files@browser.example", TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    open_more_detail(page)
    page.get_by_label("Evidence (screenshots or documents)").set_input_files(
        [{"name": "a.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"\0" * 700_000},
         {"name": "b.png", "mimeType": "image/png", "buffer": b"\x89PNG" + b"\0" * 700_000}])
    page.get_by_role("button", name="Send to the safeguarding team").click()
    expect(page.locator("#evidence-too-large")).to_be_visible()
    expect(page.locator("#evidence-too-large")).to_contain_text("more than 1 MB together")
    assert sent == [] and not Incident.objects.exists()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_it_tells_a_teacher_the_report_is_saved_but_a_file_was_not_attached(browser, sign_in, live_server, oakfield,
                                                                           monkeypatch, width):
    """The uploads folder refuses every file (a full disk): the concern is still sent, and the teacher is told which
    file to give the DSL themselves."""
    from tests.browser.conftest import new_page
    from tests.failing_storage import fail_storage
    from tests.incidents.helpers import png_bytes

    fail_storage(monkeypatch)  # the live server runs in this process: the storage fails for it too
    member_of(oakfield, Role.STAFF, email=f"nofile{width}@browser.example")
    member_of(oakfield, Role.DSL, email=f"dslfile{width}@browser.example")
    phone = width < 500
    context, page = new_page(browser, viewport={"width": width, "height": 800}, is_mobile=phone, has_touch=phone)
    sign_in(page, f"nofile{width}@browser.example", TEST_PASSWORD)
    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Could this be illegal?").get_by_label("No", exact=True).check()
    page.get_by_label("When did it happen?").fill("2026-01-15T10:30")
    open_more_detail(page)
    page.get_by_label("In school").check()
    page.get_by_label("What kind of concern is it?").select_option(label="Cyberbullying")
    page.get_by_label("What happened?").fill("Unkind messages in the class chat.")
    add_pupil(page, oakfield)
    page.get_by_label("Evidence (screenshots or documents)").set_input_files(
        [{"name": "class-chat.png", "mimeType": "image/png", "buffer": png_bytes()}])
    page.get_by_role("button", name="Send to the safeguarding team").click()

    notice = page.locator("#files-not-stored")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your report is saved, but a file was NOT attached")
    expect(notice).to_contain_text("class-chat.png")
    expect(notice).to_contain_text("Give the file to the Designated Safeguarding Lead yourself")
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been sent")
    assert_accessible(page)
    if phone:  # nothing runs off a phone's screen
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    incident = Incident.objects.get()
    assert incident.timeline.filter(kind="evidence_not_stored", text="class-chat.png").exists()
    assert not incident.evidence.exists()
    context.close()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_keeps_the_dsls_close_summary_when_the_deputy_changed_the_case_meanwhile(device, request, sign_in,
                                                                                   live_server, oakfield):
    from django.urls import reverse

    from incidents import services
    from incidents.models import IncidentCategory
    from tests.incidents.helpers import incident_fields, with_level

    page = request.getfixturevalue(device)
    teacher = member_of(oakfield, Role.STAFF, email="teacher5@browser.example")
    member_of(oakfield, Role.DSL, email="dsl5@browser.example")
    deputy = member_of(oakfield, Role.DEPUTY_DSL, email="deputy5@browser.example")
    assert IncidentCategory.objects.filter(school=oakfield).exists()
    incident = with_level(services.report_incident(school=oakfield, reporter=teacher, **incident_fields(oakfield)))

    sign_in(page, "dsl5@browser.example", TEST_PASSWORD)
    page.goto(live_server.url + reverse("incidents:case", args=[incident.pk]))
    summary = "Spoke to both families; the messages have stopped."
    page.locator("#id_close-outcome").select_option(index=1)
    page.locator("#id_close-summary").fill(summary)
    page.get_by_label("Close the case with 6 checklist items unanswered").check()  # its cyberbullying checklist
    # Meanwhile the deputy takes the case on.
    incident.refresh_from_db()
    services.assign(incident=incident, actor=deputy, assignee=deputy, expected_version=incident.version)
    page.get_by_role("button", name="Close case").click()

    changed = page.locator("#changed-meanwhile")
    expect(changed).to_contain_text("Changed while you were working on it")
    expect(changed).to_contain_text(deputy.full_name)
    expect(page.locator("#id_close-summary")).to_have_value(summary)  # what the DSL typed is still there
    assert_accessible(page)
    page.get_by_role("button", name="Close case").click()  # checked, and sent again
    expect(page.locator("main")).to_contain_text("Saved.")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert summary in incident.timeline.get(kind="closed").text
