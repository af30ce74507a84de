"""Governor reports in the browser: a governor downloads the PDF, and the head watches one being built."""

import datetime
import hashlib
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aup.selectors import unsigned_agreements
from governors import services, tasks
from governors.models import TermReport
from onlinesafety import celery_app
from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.roles import Role
from tests.browser.conftest import assert_accessible
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, TermFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def past_term(school, name="Summer 2026"):
    ends = timezone.localdate() - datetime.timedelta(days=30)
    return TermFactory(school=school, name=name, starts_on=ends - datetime.timedelta(days=90), ends_on=ends)


def open_governor_reports(page):
    go_to(page, "Governor reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Online safety reports for governors")


@pytest.fixture
def no_worker():
    """Tasks go to a queue of this test's own that no worker reads, so a report stays queued until the test
    plays the worker. The message is removed afterwards."""
    queue = f"test-governors-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous
    for message in Path(settings.CELERY_BROKER_DIR, "queue").glob(f"*.{queue}.msg"):
        message.unlink(missing_ok=True)


def test_it_lets_a_governor_download_the_report(page, sign_in, oakfield):
    governor = member_of(oakfield, Role.GOVERNOR, email="governor@browser.example")
    term = past_term(oakfield)
    services.request_report(school=oakfield, term=term)  # committed at once: the eager task builds it
    report = TermReport.objects.get()
    assert report.status == "ready" and SHA256.match(report.sha256)
    assert unsigned_agreements(governor, oakfield) == []  # no agreement in force, so no detour after sign-in

    sign_in(page, "governor@browser.example", TEST_PASSWORD)
    open_governor_reports(page)
    section = page.get_by_role("region", name=re.compile("Summer 2026"))
    expect(section).to_contain_text("Version 1")
    expect(section.get_by_role("button", name=re.compile("Build"))).to_have_count(0)  # governors only read
    shown = section.locator("code").inner_text().strip()
    assert SHA256.match(shown)

    with page.expect_download() as info:
        section.get_by_role("link", name="Download PDF").click()
    download = info.value
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == shown == report.sha256
    assert download.suggested_filename == (
        f"online-safety-report-{oakfield.slug}-{term.starts_on:%Y-%m}-v1.pdf")
    event = AuditEvent.objects.get(verb="governors.report_downloaded")
    assert (event.actor, event.object_id) == (governor, str(report.pk))


def test_it_lets_the_head_watch_a_report_being_built(page, sign_in, live_server, oakfield, no_worker):
    head = member_of(oakfield, Role.HEADTEACHER, email="head@browser.example")
    past_term(oakfield)
    assert unsigned_agreements(head, oakfield) == []

    sign_in(page, "head@browser.example", TEST_PASSWORD)
    open_governor_reports(page)
    section = page.get_by_role("region", name=re.compile("Summer 2026"))
    expect(section).to_contain_text("No report yet.")
    section.get_by_role("button", name="Build the report").click()
    expect(page.locator("main")).to_contain_text("Building version 1 of the Summer 2026 report.")

    report = TermReport.objects.get()
    progress_url = reverse("governors:progress", args=[report.pk])
    item = page.locator(f"#report-{report.pk}")
    expect(item).to_have_attribute("hx-get", progress_url)  # polled while it is not ready
    expect(item.get_by_role("status")).to_contain_text("Waiting for a worker")
    expect(section.get_by_role("button", name="Build again")).to_be_visible()

    polls = []
    page.on("request", lambda request: polls.append(request) if request.url.endswith(progress_url) else None)
    page.evaluate("window.stillTheSamePage = true")  # gone if the page reloads

    # A worker picks it up and reports its progress; the page follows by polling.
    TermReport.objects.filter(pk=report.pk).update(status="building", progress=35, step="Counting last term's")
    expect(item.get_by_role("status")).to_contain_text("Being built · Counting last term's", timeout=10_000)
    expect(item.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "35")

    TermReport.objects.filter(pk=report.pk).update(status="queued")  # (the step above only played the worker)
    assert tasks.build_report(report.pk) is True  # the worker finishes
    download = section.get_by_role("link", name="Download PDF")
    expect(download).to_be_visible(timeout=10_000)
    expect(item).not_to_have_attribute("hx-get", re.compile(".*"))  # polling stops once it is ready
    assert page.evaluate("window.stillTheSamePage") is True
    assert len(polls) >= 2 and all(request.headers.get("hx-request") == "true" for request in polls)

    report.refresh_from_db()
    assert (report.status, report.requested_by) == ("ready", head)
    expect(item.locator("code")).to_have_text(report.sha256)


@pytest.mark.parametrize("device", ["page", "phone"])
def test_it_shows_a_build_that_failed_and_lets_the_head_try_it_again(device, request, sign_in, live_server,
                                                                      oakfield, no_worker):
    page = request.getfixturevalue(device)
    member_of(oakfield, Role.HEADTEACHER, email="head@browser.example")
    term = past_term(oakfield)
    report = services.request_report(school=oakfield, term=term)  # stays queued: no worker reads this queue

    sign_in(page, "head@browser.example", TEST_PASSWORD)
    page.goto(live_server.url + reverse("governors:reports"))
    item = page.locator(f"#report-{report.pk}")
    expect(item.get_by_role("status")).to_contain_text("Waiting for a worker")

    # The worker fails to store the file, three times over; the polling page says so and stops polling.
    TermReport.objects.filter(pk=report.pk).update(status="failed", attempts=3, failure="OSError",
                                                   finished_at=timezone.now())
    expect(item).to_contain_text("Failed: try again.", timeout=10_000)
    expect(item).not_to_have_attribute("hx-get", re.compile(".*"))
    assert_accessible(page)

    try_again = item.get_by_role("button", name=re.compile("Try again"))
    try_again.focus()
    page.keyboard.press("Enter")  # with the keyboard alone
    expect(page.locator("main")).to_contain_text("Trying version 1 of the Summer 2026 report again.")
    report.refresh_from_db()
    assert report.status == "queued"
    assert AuditEvent.objects.filter(verb="governors.report_retried", object_id=str(report.pk)).count() == 1

    assert tasks.build_report(report.pk) is True  # a worker takes it this time
    expect(page.locator(f"#report-{report.pk}").get_by_role("link", name="Download PDF")).to_be_visible(
        timeout=10_000)
