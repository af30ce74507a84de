"""Acceptable use agreements in the browser: parents answering from an emailed link (on a phone, one screen at a
time, by keyboard, declining), a teacher asked to sign after signing in, and a visitor signed in at the office kiosk."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from aup import selectors, services
from aup.documents import signed_text
from aup.models import PUPIL_AUDIENCES, Agreement, Audience, Campaign, CampaignKind, Channel, Outcome, Signature
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import ParentLink, YearGroup
from onlinesafety.schools.roles import Role
from onlinesafety.tokens import sha256_of
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, ParentLinkFactory, PupilFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY_AUDIENCES = (Audience.PARENT, *PUPIL_AUDIENCES)
# Not window.innerWidth: in mobile emulation the layout viewport grows to fit a page that is too wide, so
# innerWidth grows with it and the comparison always holds. clientWidth stays at the width of the screen.
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def publish(school, actor, *audiences):
    for audience in audiences:
        services.publish(agreement=Agreement.objects.get(school=school, audience=audience), actor=actor)
    return selectors.current_versions(school)


@pytest.fixture
def osl(oakfield):
    return member_of(oakfield, Role.ONLINE_SAFETY_LEAD, email="osl@aup.example")


@pytest.fixture
def family(oakfield, osl):
    """A parent with parental responsibility for Ada (Year 4, so she reads the Key Stage 2 agreement), the family
    agreements published, and the parent's signing link from the campaign email."""
    publish(oakfield, osl, *FAMILY_AUDIENCES)
    parent = member_of(oakfield, Role.PARENT, email="grace@aup.example")
    parent.full_name = "Grace Hopper"
    parent.save(update_fields=["full_name"])
    pupil = PupilFactory(school=oakfield, first_name="Ada", last_name="Hopper", year_group=YearGroup.Y4)
    ParentLinkFactory(parent=parent, pupil=pupil, relationship=ParentLink.Relationship.OTHER,
                      has_parental_responsibility=True)
    return parent, pupil


def emailed_link(live_server, school, osl, parent) -> str:
    """Start a whole-school campaign and return the link from the parent's email, pointed at the live server.

    The outbox row is written first; with Celery eager, it is delivered (to Django's test mailbox) as soon as the
    campaign commits, and the row's body is then cleared, so the link is read from the delivered message."""
    services.start_campaign(school=school, actor=osl, kind=CampaignKind.AGREEMENT,
                            cohort=Campaign.Cohort.WHOLE_SCHOOL)
    assert OutboundEmail.objects.filter(to=parent.email, kind="aup_invitation").count() == 1
    [message] = [m for m in mail.outbox if m.to == [parent.email]]
    match = re.search(rf"{re.escape(settings.SITE_URL)}(/aup/sign/[A-Za-z0-9_-]+/)", message.body)
    assert match, message.body
    return f"{live_server.url}{match.group(1)}"


def first_line(version) -> str:
    return version.text.splitlines()[0]


def tab_to(page, locator, most=40):
    """Press Tab until ``locator`` has the focus (failing if it never does)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


# One screen at a time on a phone (static/js/answer-steps.js): what of the page the parent sees now.
VISIBLE_HEADINGS = "[...document.querySelectorAll('main h2')].filter(h => h.checkVisibility()).map(h => h.textContent)"
# The script scrolls to the top at once and again on the next frame (a smooth scroll may still be under way).
SCROLLED_AFTER_TWO_FRAMES = ("async () => { await new Promise(done => requestAnimationFrame(() => "
                             "requestAnimationFrame(done))); return window.scrollY; }")


def visible_headings(page) -> list[str]:
    page.wait_for_load_state("load")  # the stepping script is deferred: read the headings once it has run
    return [" ".join(text.split()) for text in page.evaluate(VISIBLE_HEADINGS)]


def continue_with_the_keyboard(page):
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")


def expect_screen(page, heading: str, step: str):
    """Only this screen's heading shows; it says which step it is, has the focus, and the page is at its top."""
    focused = page.locator(":focus")
    expect(focused).to_have_text(re.compile(rf"^\s*{re.escape(step)}\s+{re.escape(heading)}"))
    assert focused.evaluate("element => element.tagName") == "H2"
    assert visible_headings(page) == [f"{step} {heading}"]
    assert page.evaluate(SCROLLED_AFTER_TWO_FRAMES) == 0


def test_it_lets_a_parent_sign_on_a_phone(phone, live_server, oakfield, osl, family):
    parent, pupil = family
    link = emailed_link(live_server, oakfield, osl, parent)
    versions = selectors.current_versions(oakfield)
    home, ks2 = versions[Audience.PARENT], versions[Audience.PUPIL_KS2]

    phone.goto(link)
    expect(phone.locator("main")).to_contain_text("Hello Grace Hopper")
    children = phone.locator("#children")
    expect(children).to_contain_text("Ada")
    expect(children).to_contain_text("Year 4")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    children.get_by_role("link", name="Read and sign for Ada").click()

    # One part per screen on a phone (the keyboard's way through them is tested below).
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ada's online safety agreement")
    expect(phone.get_by_role("heading", name="1. Read this with Ada")).to_be_visible()
    expect(phone.get_by_label(ks2.title)).to_contain_text(first_line(ks2))
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", name="2. The home agreement")).to_be_visible()
    expect(phone.get_by_label(home.title)).to_contain_text(first_line(home))
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_label("I agree and sign").check()
    phone.get_by_label("I have read the pupil agreement with my child").check()
    phone.get_by_label("Your relationship to the child").select_option(label="Grandparent")
    phone.get_by_label("Type your full name to sign").fill("Grace Hopper")
    phone.get_by_role("button", name="Send my answer").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(phone.get_by_role("status").filter(has_text="Your answer for Ada is recorded")).to_be_visible()
    signature = Signature.objects.get()
    assert (signature.pupil, signature.user, signature.outcome) == (pupil, parent, Outcome.SIGNED)
    assert (signature.version, signature.pupil_version) == (home, ks2)
    assert signature.channel == Channel.LINK and signature.invitation is not None
    assert (signature.typed_name, signature.relationship, signature.discussed_with_child) == (
        "Grace Hopper", ParentLink.Relationship.GRANDPARENT, True)
    assert signature.text_sha256 == sha256_of(signed_text(home, ks2))
    fingerprint = phone.locator("#technical-details code")
    expect(fingerprint).to_be_hidden()  # folded away under "Technical details"
    phone.get_by_text("Technical details").click()
    expect(fingerprint).to_have_text(signature.text_sha256)
    expect(phone.locator("#copy-window")).to_contain_text(f"for {settings.AUP_COPY_MINUTES} minutes after you answer")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download a PDF copy").click()
    assert download.value.suggested_filename == f"agreement-{signature.pk}.pdf"
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    receipts = [m for m in mail.outbox if m.to == [parent.email] and m.subject == "Your answer has been recorded"]
    assert len(receipts) == 1 and signature.text_sha256[:16] in receipts[0].body

    # The link is spent: opening it again says so without naming Ada or offering anything through the link, and
    # answering her again is refused.
    answer_page = phone.url.removesuffix("done/")
    for spent in (link, answer_page):
        phone.goto(spent)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Already answered")
        expect(phone.locator("main")).to_contain_text(oakfield.name)
        expect(phone.locator("main")).not_to_contain_text("Ada")
        expect(phone.locator('main a[href*="/aup/sign/"]')).to_have_count(0)
        expect(phone.get_by_role("link", name="sign in and open “Agreements for my children”")).to_be_visible()
        expect(phone.get_by_role("button", name="Send my answer")).to_have_count(0)
    assert Signature.objects.count() == 1


def test_it_shows_a_teacher_the_staff_agreement_after_login_and_lets_them_sign(
    page, live_server, sign_in, oakfield, osl
):
    teacher = member_of(oakfield, Role.STAFF, email="teacher@aup.example")
    staff_version = publish(oakfield, osl, Audience.STAFF)[Audience.STAFF]

    sign_in(page, "teacher@aup.example", TEST_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/aup/mine/?next=%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("My acceptable use agreements")
    expect(page.locator("main")).to_contain_text(staff_version.title)

    # Not now: the teacher is asked only once, and after that a notice on every page reminds them.
    page.get_by_role("link", name="Not now: carry on to the page I asked for").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    notice = page.locator(".notice")
    expect(notice).to_have_text(re.compile(r"You have 1 acceptable use agreement to sign\.\s+Read and sign"))
    page.go_back()

    page.get_by_role("link", name="Read and sign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(staff_version.title)
    expect(page.get_by_label("Agreement text")).to_contain_text(first_line(staff_version))
    page.get_by_label("Type your full name to sign").fill("Tom Teacher")
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.locator("main")).to_contain_text("Tick the box to confirm you have read it.")
    assert not Signature.objects.exists()

    page.get_by_label("I have read this agreement and I will keep to it.").check()
    page.get_by_label("Type your full name to sign").fill("Tom Teacher")
    page.get_by_role("button", name="Sign the agreement").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("main")).to_contain_text(f"Thank you: you signed the {staff_version.title.lower()}.")
    expect(page.locator(".notice")).to_have_count(0)
    signature = Signature.objects.get()
    assert (signature.user, signature.version, signature.audience) == (teacher, staff_version, Audience.STAFF)
    assert (signature.channel, signature.typed_name, signature.pupil) == (Channel.IN_APP, "Tom Teacher", None)
    assert selectors.unsigned_agreements(teacher, oakfield) == []

    page.goto(f"{live_server.url}/aup/mine/")
    expect(page.locator("main")).to_contain_text("Signed")
    expect(page.get_by_role("link", name="Read and sign")).to_have_count(0)


def test_it_lets_a_parent_decline_with_a_reason(page, live_server, oakfield, osl, family):
    parent, pupil = family
    page.goto(emailed_link(live_server, oakfield, osl, parent))
    page.get_by_role("link", name="Read and sign for Ada").click()

    reason = page.get_by_label("If you decline, please tell us why")
    expect(reason).to_be_hidden()
    page.get_by_label("I decline").check()
    expect(reason).to_be_visible()
    page.get_by_label("Your relationship to the child").select_option(label="Other carer")
    page.get_by_label("Type your full name to sign").fill("Grace Hopper")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("main")).to_contain_text("Tell us why, so the school can talk it through with you.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada's online safety agreement")
    assert not Signature.objects.exists()

    expect(page.get_by_label("I decline")).to_be_checked()
    page.get_by_label("If you decline, please tell us why").fill("We would like to talk about group chats first.")
    page.get_by_label("Type your full name to sign").fill("Grace Hopper")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator("main")).to_contain_text("you declined, and the school will be in touch")
    signature = Signature.objects.get()
    assert (signature.pupil, signature.user, signature.outcome) == (pupil, parent, Outcome.DECLINED)
    assert signature.decline_reason == "We would like to talk about group chats first."
    assert signature.discussed_with_child is False
    assert signature.relationship == ParentLink.Relationship.OTHER


def test_it_sends_a_parent_to_their_account_for_the_copy_once_the_link_has_closed(
    page, live_server, oakfield, osl, family, settings
):
    settings.AUP_COPY_MINUTES = 0  # the window has passed as soon as the answer is recorded
    parent, pupil = family
    page.goto(emailed_link(live_server, oakfield, osl, parent))
    page.get_by_role("link", name="Read and sign for Ada").click()
    page.get_by_label("I agree and sign").check()
    page.get_by_label("I have read the pupil agreement with my child").check()
    page.get_by_label("Your relationship to the child").select_option(label="Other carer")
    page.get_by_label("Type your full name to sign").fill("Grace Hopper")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your answer is recorded")
    expect(page.locator("main")).not_to_contain_text("Ada")
    page.get_by_role("link", name="sign in and open “Agreements for my children”").click()
    page.get_by_label("Email address").fill(parent.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements for my children")
    signature = Signature.objects.get(pupil=pupil)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF copy of your acceptable use answer for Ada").click()
    assert download.value.suggested_filename == f"agreement-{signature.pk}.pdf"


def test_it_signs_in_a_visitor_at_the_kiosk(page, live_server, sign_in, oakfield, osl):
    office = member_of(oakfield, Role.STAFF, email="office@aup.example")
    office.full_name = "Olive Office"
    office.save(update_fields=["full_name"])
    versions = publish(oakfield, osl, Audience.STAFF, Audience.VISITOR)
    services.sign_personal(version=versions[Audience.STAFF], user=office, school=oakfield, typed_name="Olive Office")

    sign_in(page, "office@aup.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    go_to(page, "Technology register")
    page.get_by_role("link", name="Visitor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visitor agreement")
    expect(page.get_by_label("Agreement text")).to_contain_text(first_line(versions[Audience.VISITOR]))

    page.get_by_label("Visitor's full name").fill("Alex Turner")
    page.get_by_label("Organisation or agency").fill("County Music Service")
    page.get_by_label("Reason for the visit").fill("Guitar lessons")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("main")).to_contain_text("Tick the box once the visitor has read it.")
    assert not Signature.objects.filter(audience=Audience.VISITOR).exists()

    page.get_by_label("The visitor has read the agreement and agrees to keep to it.").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("main")).to_contain_text("Signed. The form is ready for the next visitor.")
    expect(page.get_by_label("Visitor's full name")).to_have_value("")
    expect(page.get_by_label("The visitor has read the agreement and agrees to keep to it.")).not_to_be_checked()

    signature = Signature.objects.get(audience=Audience.VISITOR)
    assert (signature.typed_name, signature.organisation, signature.visit_reason) == (
        "Alex Turner", "County Music Service", "Guitar lessons")
    assert (signature.channel, signature.witnessed_by, signature.user) == (Channel.KIOSK, office, None)
    assert signature.version == versions[Audience.VISITOR]

    page.get_by_role("link", name="Visitors who signed").click()
    row = page.locator("#visitor-log tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Alex Turner")
    expect(row).to_contain_text("County Music Service")
    expect(row).to_contain_text("Guitar lessons")
    expect(row).to_contain_text("Olive Office")


def sign_the_rest_with_the_keyboard(page):
    """After the answer: tick "read with my child", choose the relationship and type the name, with the keys only."""
    discussed = page.get_by_label("I have read the pupil agreement with my child")
    tab_to(page, discussed)
    page.keyboard.press("Space")
    expect(discussed).to_be_checked()
    relationship = page.get_by_label("Your relationship to the child")
    tab_to(page, relationship)
    page.keyboard.type("Grandparent")
    expect(relationship).to_have_value(ParentLink.Relationship.GRANDPARENT)
    name = page.get_by_label("Type your full name to sign")
    tab_to(page, name)
    page.keyboard.type("Grace Hopper")


def agree_and_sign_with_the_keyboard(page):
    """Choose "I agree and sign", answer the rest and send, with the keys only; the thank-you page follows."""
    agree = page.get_by_label("I agree and sign")
    tab_to(page, agree)
    page.keyboard.press("Space")
    expect(agree).to_be_checked()
    sign_the_rest_with_the_keyboard(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_it_can_be_used_with_the_keyboard(page, live_server, oakfield, osl, family):
    parent, pupil = family
    page.goto(emailed_link(live_server, oakfield, osl, parent))
    tab_to(page, page.get_by_role("link", name="Read and sign for Ada"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada's online safety agreement")

    # The agreement texts are shown whole, so the Tab key goes straight on to the answer; nothing is chosen yet.
    agree_and_sign_with_the_keyboard(page)
    signature = Signature.objects.get()
    assert (signature.pupil, signature.outcome, signature.typed_name) == (pupil, Outcome.SIGNED, "Grace Hopper")
    assert signature.discussed_with_child is True
    assert signature.relationship == ParentLink.Relationship.GRANDPARENT


def test_it_lets_a_parent_answer_on_a_phone_with_the_keyboard_and_chooses_nothing_for_them(
    browser, live_server, oakfield, osl, family,
):
    from tests.browser.conftest import assert_accessible, new_page

    parent, pupil = family
    link = emailed_link(live_server, oakfield, osl, parent)
    context, phone = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(link)
    tab_to(phone, phone.get_by_role("link", name="Read and sign for Ada"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ada's online safety agreement")

    assert phone.evaluate("document.querySelector('input[name=decision]:checked')") is None
    expect(phone.get_by_label("Your relationship to the child")).to_have_value("")
    versions = selectors.current_versions(oakfield)
    for version in (versions[Audience.PUPIL_KS2], versions[Audience.PARENT]):  # a screen each
        text = phone.get_by_label(version.title)
        expect(text).to_be_visible()
        assert text.evaluate("element => element.scrollHeight <= element.clientHeight + 1")  # no inner scroll
        assert phone.evaluate(NO_SIDEWAYS_SCROLL)
        assert_accessible(phone)
        continue_with_the_keyboard(phone)

    # Nothing chosen and sent: the error summary takes the focus and names each missing answer.
    send = phone.get_by_role("button", name="Send my answer")
    tab_to(phone, send)
    phone.keyboard.press("Enter")
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose whether you agree and sign, or decline.")
    expect(summary).to_contain_text("Select your relationship to the child.")
    assert not Signature.objects.exists()
    assert_accessible(phone)

    # The reason appears only once "I decline" is chosen (arrow keys move through a radio group).
    reason = phone.get_by_label("If you decline, please tell us why")
    expect(reason).to_be_hidden()
    agree, decline = phone.get_by_label("I agree and sign"), phone.get_by_label("I decline")
    tab_to(phone, agree)
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowDown")
    expect(decline).to_be_checked()
    expect(reason).to_be_visible()
    phone.keyboard.press("ArrowUp")
    expect(agree).to_be_checked()
    expect(reason).to_be_hidden()

    sign_the_rest_with_the_keyboard(phone)
    tab_to(phone, send)  # the button comes straight after the answer
    phone.keyboard.press("Enter")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    signature = Signature.objects.get()
    assert (signature.pupil, signature.outcome, signature.relationship) == (
        pupil, Outcome.SIGNED, ParentLink.Relationship.GRANDPARENT)
    assert_accessible(phone)
    context.close()


def test_it_shows_a_parent_one_part_at_a_time_on_a_phone_with_the_keyboard(
    browser, live_server, oakfield, osl, family,
):
    from tests.browser.conftest import assert_accessible, new_page

    parent, pupil = family
    versions = selectors.current_versions(oakfield)
    home, ks2 = versions[Audience.PARENT], versions[Audience.PUPIL_KS2]
    link = emailed_link(live_server, oakfield, osl, parent)
    context, phone = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(link)
    tab_to(phone, phone.get_by_role("link", name="Read and sign for Ada"))
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ada's online safety agreement")

    # Step 1: the pupil agreement alone, with "Continue" and no "Back".
    assert visible_headings(phone) == ["Step 1 of 3 1. Read this with Ada"]
    expect(phone.get_by_label(ks2.title)).to_be_visible()
    expect(phone.get_by_label(home.title)).to_be_hidden()
    expect(phone.get_by_role("button", name="Send my answer")).to_be_hidden()
    expect(phone.get_by_role("button", name="Back")).to_have_count(0)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(phone)

    continue_with_the_keyboard(phone)
    expect_screen(phone, "2. The home agreement", "Step 2 of 3")
    expect(phone.get_by_label(home.title)).to_be_visible()
    expect(phone.get_by_label(ks2.title)).to_be_hidden()
    assert_accessible(phone)

    # Back, and on again.
    tab_to(phone, phone.get_by_role("button", name="Back"))
    phone.keyboard.press("Enter")
    expect_screen(phone, "1. Read this with Ada", "Step 1 of 3")
    continue_with_the_keyboard(phone)
    expect_screen(phone, "2. The home agreement", "Step 2 of 3")
    continue_with_the_keyboard(phone)

    # Step 3: the answer, nothing chosen, the button and "Back"; no "Continue".
    expect_screen(phone, "3. Your answer", "Step 3 of 3")
    expect(phone.get_by_label(home.title)).to_be_hidden()
    expect(phone.get_by_role("button", name="Continue")).to_have_count(0)
    expect(phone.get_by_role("button", name="Back")).to_be_visible()
    assert phone.evaluate("document.querySelector('input[name=decision]:checked')") is None
    expect(phone.get_by_label("Your relationship to the child")).to_have_value("")
    assert_accessible(phone)

    agree_and_sign_with_the_keyboard(phone)
    signature = Signature.objects.get()
    assert (signature.pupil, signature.outcome, signature.relationship, signature.discussed_with_child) == (
        pupil, Outcome.SIGNED, ParentLink.Relationship.GRANDPARENT, True)
    assert (signature.version, signature.pupil_version) == (home, ks2)
    context.close()


def test_it_asks_each_photograph_question_on_its_own_screen_on_a_phone(phone, live_server, sign_in, oakfield, osl):
    from tests.browser.conftest import assert_accessible

    versions = publish(oakfield, osl, Audience.IMAGE_CONSENT)
    parent = member_of(oakfield, Role.PARENT, email="grace@aup.example")
    pupil = PupilFactory(school=oakfield, first_name="Ada", last_name="Hopper", year_group=YearGroup.Y4)
    ParentLinkFactory(parent=parent, pupil=pupil, has_parental_responsibility=True)
    sign_in(phone, parent.email, TEST_PASSWORD)
    phone.goto(f"{live_server.url}/aup/family/{pupil.pk}/images/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Photographs of Ada")

    consent = versions[Audience.IMAGE_CONSENT]
    assert visible_headings(phone) == [f"Step 1 of 6 {consent.title}"]
    expect(phone.get_by_label(consent.title)).to_contain_text(first_line(consent))
    expect(phone.locator("main fieldset:visible")).to_have_count(0)
    continue_with_the_keyboard(phone)

    uses = ["Photos and video used inside school", "On the school website",
            "On the school's official social media", "In the press"]
    for number, use in enumerate(uses, start=2):
        step = f"Step {number} of 6"
        expect_screen(phone, f"{use}*", step)
        group = phone.get_by_role("group", name=use)
        expect(group).to_be_visible()
        expect(phone.locator("main fieldset:visible")).to_have_count(1)
        if number == 2:
            # Continue with no answer: the server's message beside the question, the screen kept, nothing chosen,
            # and the focus on the question.
            continue_with_the_keyboard(phone)
            error = group.get_by_text(f"Answer yes or no for “{use}”.")
            expect(error).to_be_visible()
            assert visible_headings(phone) == [f"{step} {use}*"]
            expect(group.get_by_label("Yes", exact=True)).to_be_focused()
            assert phone.evaluate("document.querySelector('input[type=radio]:checked')") is None
            assert group.get_by_label("Yes", exact=True).get_attribute("aria-invalid") == "true"
            assert_accessible(phone)
            phone.keyboard.press("Space")  # yes: the message goes at once
            expect(error).to_have_count(0)
            continue_with_the_keyboard(phone)
        elif number == 3:
            tab_to(phone, group.get_by_label("Yes", exact=True))
            phone.keyboard.press("ArrowDown")  # no
            expect(group.get_by_label("No", exact=True)).to_be_checked()
            phone.keyboard.press("Enter")  # Enter in the form goes on to the next screen, it does not send it
        else:
            tab_to(phone, group.get_by_label("Yes", exact=True))
            phone.keyboard.press("Space" if number == 5 else "ArrowDown")
            continue_with_the_keyboard(phone)

    expect_screen(phone, "Your answer", "Step 6 of 6")
    expect(phone.locator("main fieldset:visible")).to_have_count(0)
    expect(phone.get_by_role("button", name="Send my answer")).to_be_visible()
    assert not Signature.objects.exists()
    assert_accessible(phone)
    relationship = phone.get_by_label("Your relationship to the child")
    tab_to(phone, relationship)
    phone.keyboard.type("Mother")
    tab_to(phone, phone.get_by_label("Type your full name to sign"))
    phone.keyboard.type("Grace Hopper")
    phone.keyboard.press("Enter")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    signature = Signature.objects.get()
    assert (signature.photos_in_school, signature.photos_on_website, signature.photos_on_social_media,
            signature.photos_in_press) == (True, False, False, True)
    assert (signature.relationship, signature.typed_name) == (ParentLink.Relationship.MOTHER, "Grace Hopper")


def test_it_shows_the_whole_answer_page_at_once_on_a_laptop_and_without_javascript(
    browser, page, live_server, oakfield, osl, family,
):
    from tests.browser.conftest import new_page

    parent, pupil = family
    link = emailed_link(live_server, oakfield, osl, parent)
    page.goto(link)
    page.get_by_role("link", name="Read and sign for Ada").click()
    everything = ["1. Read this with Ada", "2. The home agreement", "3. Your answer"]
    expect(page.get_by_role("button", name="Send my answer")).to_be_visible()  # the page has arrived
    page.wait_for_load_state("load")
    assert visible_headings(page) == everything
    expect(page.get_by_role("button", name="Send my answer")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Step 1")
    as_it_was = page.locator("main").inner_html()

    # Narrowed to a phone's width it steps; widened again, it is the same page as before.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert visible_headings(page) == ["Step 1 of 3 1. Read this with Ada"]
    page.get_by_role("button", name="Continue").click()
    assert visible_headings(page) == ["Step 2 of 3 2. The home agreement"]
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)  # the media query's change is an event
    assert visible_headings(page) == everything
    assert page.locator("main").inner_html() == as_it_was

    # A refused answer shows everything at once, even on a phone, so each link in the error summary reaches its field.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert visible_headings(page)[1:] == everything
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    page.get_by_role("link", name="Select your relationship to the child.").click()
    expect(page.get_by_label("Your relationship to the child")).to_be_focused()

    # Without JavaScript, a phone gets the whole page too.
    context, plain = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True,
                              java_script_enabled=False)
    plain.goto(page.url)
    assert [" ".join(h.split()) for h in plain.locator("main h2").all_inner_texts()] == everything
    expect(plain.get_by_role("button", name="Send my answer")).to_be_visible()
    expect(plain.get_by_role("button", name="Continue")).to_have_count(0)
    context.close()
