"""Under the Content-Security-Policy in a real browser: the shared fixture fails a test on anything the browser
refuses, the pages' own scripts (Bootstrap, htmx, the report form) still work, and something injected is refused."""

import pytest
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from tests.browser.conftest import POLICY_PROBLEMS
from tests.factories import TEST_PASSWORD, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_notices_when_the_browser_refuses_an_inline_script(page):
    page.route("http://csp-probe.test/", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<p>probe</p><script>document.title = 'ran'</script>",
        headers={"Content-Security-Policy": "script-src 'self'"}))
    page.goto("http://csp-probe.test/")
    assert page.title() != "ran"
    assert any("Content Security Policy" in violation for violation in POLICY_PROBLEMS)
    POLICY_PROBLEMS.clear()  # seen: this test is about the fixture noticing it


def test_it_runs_the_pages_own_scripts_and_refuses_an_injected_style_and_script(page, sign_in, live_server,
                                                                                 oakfield):
    member_of(oakfield, Role.STAFF, email="teacher@csp.example")
    PupilFactory(school=oakfield, first_name="Maisie", last_name="Fernsby")
    sign_in(page, "teacher@csp.example", TEST_PASSWORD)
    page.get_by_role("button", name="Signed in as").click()  # Bootstrap's dropdown
    expect(page.get_by_role("link", name="Change password")).to_be_visible()

    page.goto(f"{live_server.url}/incidents/new/")
    page.get_by_role("group", name="Is a child at immediate risk of harm?").get_by_label("Yes").check()
    expect(page.locator("#risk-warning")).to_be_visible()  # the report form's own script
    page.get_by_label("Find a pupil by name").fill("ferns")  # htmx's search
    expect(page.get_by_label("Maisie Fernsby (Year 4")).to_be_visible()
    assert page.locator("style").count() == 0  # htmx added no style element of its own

    page.evaluate("""() => {
        const box = document.createElement("div");
        box.innerHTML = '<p id="injected" style="color: rgb(255, 0, 0)">x</p><img src="x" onerror="window.ran = 1">';
        document.body.append(box);
    }""")
    expect(page.locator("#injected")).not_to_have_css("color", "rgb(255, 0, 0)")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert len(POLICY_PROBLEMS) >= 2, POLICY_PROBLEMS
    POLICY_PROBLEMS.clear()  # refused, as it must be


def test_it_focuses_the_roster_error_summary_without_a_script(page, sign_in, live_server, oakfield):
    member_of(oakfield, Role.HEADTEACHER, email="head@csp.example")
    sign_in(page, "head@csp.example", TEST_PASSWORD)
    page.goto(f"{live_server.url}/schools/{oakfield.slug}/roster/settings/")
    page.get_by_label("DfE number").fill("12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_focused()


def test_it_translates_the_crontab_on_the_admin_s_periodic_task_form(page, sign_in, live_server, db):
    from django_celery_beat.models import CrontabSchedule

    from tests.factories import UserFactory

    UserFactory(email="operator@csp.example", is_staff=True, is_superuser=True)
    schedule = CrontabSchedule.objects.create(minute="30", hour="6")
    sign_in(page, "operator@csp.example", TEST_PASSWORD)
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    page.locator("#id_crontab").select_option(str(schedule.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation: At 06:30")
