import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onlinesafety.schools.roles import Role
from policies import schedule, services
from policies.models import ApprovingBody, Policy, PolicyKind
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_policy(school, owner, **fields):
    return services.create_policy(
        school=school, actor=owner, title="Online Safety Policy", kind=PolicyKind.ONLINE_SAFETY, owner=owner,
        owner_role=Role.ONLINE_SAFETY_LEAD, approving_body=ApprovingBody.HEADTEACHER, review_cycle_months=12,
        last_approved_on=datetime.date(2025, 11, 1), **fields,
    )


def test_it_lets_the_owner_take_a_policy_through_review_to_approval(browser, page, sign_in, oakfield):
    owner = member_of(oakfield, Role.ONLINE_SAFETY_LEAD, email="osl@browser.example")
    member_of(oakfield, Role.HEADTEACHER, email="head@browser.example")
    policy = make_policy(oakfield, owner)

    sign_in(page, "osl@browser.example", TEST_PASSWORD)
    go_to(page, "Policies")
    page.get_by_role("link", name="Online Safety Policy").click()
    page.get_by_label("Why review it now?").select_option(label="Scheduled review")
    page.get_by_role("button", name="Start review").click()
    expect(page.locator("main")).to_contain_text("Review started")
    page.get_by_role("link", name="Write the new version").click()
    page.get_by_label("What changed in this version").fill("Adds generative AI and group chats")
    page.get_by_label("Policy text").fill("Online Safety Policy\n\nEveryone reports concerns at once.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("main")).to_contain_text("awaiting approval")

    head_page = browser.new_context().new_page()
    sign_in(head_page, "head@browser.example", TEST_PASSWORD)
    head_page.goto(page.url)
    head_page.get_by_label("Minute reference").fill("SLT 23/11")
    head_page.get_by_role("button", name="Record approval").click()
    expect(head_page.locator("main")).to_contain_text("Approved and published")
    policy.refresh_from_db()
    assert policy.current_version.number == 1 and policy.current_version.minute_reference == "SLT 23/11"
    assert policy.next_review_on == schedule.add_months(timezone.localdate(), 12)


def test_it_lets_a_teacher_acknowledge_a_policy(page, sign_in, oakfield):
    owner = member_of(oakfield, Role.ONLINE_SAFETY_LEAD, email="osl2@browser.example")
    member_of(oakfield, Role.STAFF, email="teacher@browser.example")
    head = member_of(oakfield, Role.HEADTEACHER, email="head2@browser.example")
    policy = make_policy(oakfield, owner, staff_must_read=True)
    services.start_review(policy=policy, actor=owner)
    services.save_draft(policy=policy, actor=owner, change_summary="First", text="Read me.")
    services.submit_for_approval(policy=policy, actor=owner)
    services.approve(policy=policy, actor=head, approved_on=timezone.localdate())

    sign_in(page, "teacher@browser.example", TEST_PASSWORD)
    go_to(page, "Policies to read")
    page.get_by_role("button", name="I have read it").click()
    expect(page.locator("main")).to_contain_text("you have confirmed you read")
    expect(page.locator("main")).to_contain_text("Read")
    assert Policy.objects.get().current_version.acknowledgements.count() == 1
