"""Running acceptable use agreements in the browser: the Online Safety Lead edits and republishes an agreement
and starts a parent campaign; the DSL chases a class from the coverage page; staff keep a pupil off school
technology and read the photograph register; a signed-in parent answers for two children."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aup import selectors, services
from aup.documents import signed_text
from aup.models import (
    PUPIL_AUDIENCES,
    AccessRestriction,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    CampaignKind,
    Channel,
    Outcome,
    Signature,
)
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import ParentLink, YearGroup
from onlinesafety.schools.roles import Role
from onlinesafety.tokens import sha256_of
from tests.browser.menus import go_to
from tests.factories import TEST_PASSWORD, ParentLinkFactory, PupilFactory, SchoolClassFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY_AUDIENCES = (Audience.PARENT, *PUPIL_AUDIENCES)
ALL_YES = {"photos_in_school": True, "photos_on_website": True, "photos_on_social_media": True,
           "photos_in_press": True}


def publish(school, actor, *audiences):
    for audience in audiences:
        services.publish(agreement=Agreement.objects.get(school=school, audience=audience), actor=actor)
    return selectors.current_versions(school)


def menu(page, name):
    go_to(page, name)


def named(school, role, email, full_name):
    user = member_of(school, role, email=email)
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


def child_of(parent, school, first_name, last_name, **pupil):
    child = PupilFactory(school=school, first_name=first_name, last_name=last_name, **pupil)
    ParentLinkFactory(parent=parent, pupil=child, relationship=ParentLink.Relationship.MOTHER,
                      has_parental_responsibility=True)
    return child


def family_in(school, parent_email, first_name, last_name, **pupil):
    parent = named(school, Role.PARENT, parent_email, f"Parent of {first_name}")
    return parent, child_of(parent, school, first_name, last_name, **pupil)


def sign_for(school, parent, pupil, kind=CampaignKind.AGREEMENT, image_answers=None):
    return services.answer_for_child(school=school, parent=parent, pupil=pupil, kind=kind, outcome=Outcome.SIGNED,
                                     typed_name=parent.full_name, relationship=ParentLink.Relationship.MOTHER,
                                     discussed_with_child=True, image_answers=image_answers)


@pytest.fixture
def osl(oakfield):
    return named(oakfield, Role.ONLINE_SAFETY_LEAD, "osl@aup.example", "Olivia Lead")


def test_it_lets_the_online_safety_lead_edit_and_republish_the_staff_agreement(
    page, live_server, sign_in, oakfield, osl
):
    teacher = named(oakfield, Role.STAFF, "teacher@aup.example", "Tom Teacher")
    first = publish(oakfield, osl, Audience.STAFF)[Audience.STAFF]
    for person in (osl, teacher):
        services.sign_personal(version=first, user=person, school=oakfield, typed_name=person.full_name)

    sign_in(page, "osl@aup.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    menu(page, "All agreements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acceptable use agreements")
    row = page.locator("#agreements tbody tr").filter(has_text=first.title)
    expect(row).to_contain_text("Version 1")
    row.get_by_role("link", name=first.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.get_by_role("heading", name="Version 1, in force since")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Publish as version"))).to_have_count(0)
    page.get_by_role("link", name="Edit the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit the draft of “{first.title}”")
    text = page.get_by_label("Agreement text")
    expect(text).to_have_value(first.text)
    new_rule = "- I will lock my screen whenever I leave my computer."
    text.fill(f"{first.text}\n{new_rule}")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.locator("main")).to_contain_text("Draft saved. Publish it when it is ready")
    expect(page.get_by_role("heading", name="Draft waiting to be published")).to_be_visible()
    expect(page.get_by_label("Draft text")).to_contain_text(new_rule)
    expect(page.locator("main")).to_contain_text("by Olivia Lead")
    assert selectors.current_versions(oakfield)[Audience.STAFF] == first  # saving changes nothing in force

    page.get_by_label("What changed (shown to signers)").fill("Lock your screen when you leave it.")
    page.get_by_role("button", name="Publish as version 2").click()

    expect(page.locator("main")).to_contain_text("Version 2 published. Everyone it applies to must answer it")
    expect(page.get_by_role("heading", name="Version 2, in force since")).to_be_visible()
    expect(page.get_by_label("Agreement text")).to_contain_text(new_rule)
    expect(page.get_by_role("heading", name="Draft waiting to be published")).to_have_count(0)
    versions = page.get_by_role("list").filter(has_text="Version 1")
    expect(versions.get_by_role("link", name="Version 2")).to_be_visible()
    expect(versions).to_contain_text("Lock your screen when you leave it.")
    second = AgreementVersion.objects.get(agreement__school=oakfield, agreement__audience=Audience.STAFF, number=2)
    # Compared without the carriage returns the browser sends: see the test that saves an unchanged draft.
    assert second.text == f"{first.text}\n{new_rule}"
    assert (second.change_summary, second.published_by) == ("Lock your screen when you leave it.", osl)
    assert selectors.current_versions(oakfield)[Audience.STAFF] == second
    # The Online Safety Lead signed version 1 too, so is now asked to sign again.
    expect(page.locator(".notice")).to_contain_text("You have 1 acceptable use agreement to sign.")

    page.context.clear_cookies()
    sign_in(page, "teacher@aup.example", TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My acceptable use agreements")
    expect(page.locator("main")).to_contain_text("version 2")
    page.get_by_role("link", name="Not now: carry on to the page I asked for").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    notice = page.locator(".notice")
    expect(notice).to_have_text(re.compile(r"You have 1 acceptable use agreement to sign\.\s+Read and sign"))
    notice.get_by_role("link", name="Read and sign").click()
    page.get_by_role("link", name=re.compile("^Read and sign")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(page.locator("main")).to_contain_text("Version 2 · What changed: Lock your screen when you leave it.")
    expect(page.get_by_label("Agreement text")).to_contain_text(new_rule)


def test_it_lets_the_online_safety_lead_ask_the_families_of_one_class_to_sign(
    page, live_server, sign_in, oakfield, osl
):
    publish(oakfield, osl, *FAMILY_AUDIENCES)
    robins = SchoolClassFactory(school=oakfield, name="Robins", year_group=YearGroup.Y4)
    wrens = SchoolClassFactory(school=oakfield, name="Wrens", year_group=YearGroup.Y5)
    grace, _ = family_in(oakfield, "grace@aup.example", "Ada", "Hopper", school_class=robins)
    alan, _ = family_in(oakfield, "alan@aup.example", "Ben", "Turing", school_class=robins)
    ruth, _ = family_in(oakfield, "ruth@aup.example", "Cara", "Wren", school_class=wrens,
                        year_group=YearGroup.Y5)

    sign_in(page, "osl@aup.example", TEST_PASSWORD)
    menu(page, "All agreements")
    page.get_by_role("link", name="Parent campaigns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parent campaigns")
    expect(page.locator("#campaigns")).to_contain_text("No campaign yet.")
    page.get_by_role("link", name="Ask families to sign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ask families to sign")
    page.get_by_label("Acceptable use (pupil agreement and home agreement)").check()
    page.get_by_label("Classes", exact=True).check()
    page.get_by_label("Robins", exact=True).check()
    expect(page.get_by_label("Links work for (days)")).not_to_have_value("")
    page.get_by_label("Links work for (days)").fill("14")
    page.get_by_role("button", name="Send the emails").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(CampaignKind.AGREEMENT.label)
    expect(page.locator("main")).to_contain_text("Emails are on their way to 2 families.")
    details = page.locator("main dl")
    expect(details).to_contain_text("Robins")
    expect(details).to_contain_text("2 families, 2 children; links work for 14 days")
    expect(details).to_contain_text("by Olivia Lead")
    expect(page.locator("#campaign-progress")).to_have_text("0 of 2 children signed")

    campaign = Campaign.objects.get()
    assert (campaign.kind, campaign.cohort, campaign.cohort_ids) == (CampaignKind.AGREEMENT,
                                                                     Campaign.Cohort.CLASSES, [robins.pk])
    assert (campaign.families, campaign.pupils, campaign.started_by) == (2, 2, osl)
    invited = sorted(OutboundEmail.objects.filter(kind="aup_invitation").values_list("to", flat=True))
    assert invited == sorted([grace.email, alan.email])
    [message] = [m for m in mail.outbox if m.to == [grace.email]]
    assert "/aup/sign/" in message.body
    assert not [m for m in mail.outbox if m.to == [ruth.email]]

    page.get_by_role("link", name="Parent campaigns").click()
    row = page.locator("#campaigns tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Robins")
    expect(row).to_contain_text("Olivia Lead")


def test_it_lets_the_dsl_resend_to_the_families_still_to_answer_in_one_class(page, live_server, sign_in, oakfield, osl):
    dsl = named(oakfield, Role.DSL, "dsl@aup.example", "Dee Lead")
    publish(oakfield, osl, *FAMILY_AUDIENCES)
    robins = SchoolClassFactory(school=oakfield, name="Robins", year_group=YearGroup.Y4)
    wrens = SchoolClassFactory(school=oakfield, name="Wrens", year_group=YearGroup.Y5)
    grace, ada = family_in(oakfield, "grace@aup.example", "Ada", "Hopper", school_class=robins)
    alan, ben = family_in(oakfield, "alan@aup.example", "Ben", "Turing", school_class=robins)
    mary, cara = family_in(oakfield, "mary@aup.example", "Cara", "Somerville", school_class=robins)
    family_in(oakfield, "ruth@aup.example", "Dan", "Wren", school_class=wrens, year_group=YearGroup.Y5)
    # The first campaign went out an hour ago; since then Ada's family has signed.
    services.start_campaign(school=oakfield, actor=osl, kind=CampaignKind.AGREEMENT,
                            cohort=Campaign.Cohort.WHOLE_SCHOOL, now=timezone.now() - datetime.timedelta(hours=1))
    sign_for(oakfield, grace, ada)
    mail.outbox.clear()

    sign_in(page, "dsl@aup.example", TEST_PASSWORD)
    menu(page, "Who has signed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has signed")
    row = page.locator("#coverage-classes tbody tr").filter(has_text="Robins")
    expect(row.locator("td").nth(0)).to_have_text("3")
    expect(row.locator("td").nth(1)).to_contain_text("1")
    row.get_by_role("link", name="2 outstanding in Robins").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Still to answer: acceptable use"))
    names = page.locator("#outstanding tbody tr")
    expect(names).to_have_count(2)
    expect(names.locator("td:first-child")).to_have_text(["Cara Somerville", "Ben Turing"])
    expect(page.locator("#outstanding")).not_to_contain_text("Ada Hopper")
    expect(page.locator("#outstanding")).not_to_contain_text("Dan Wren")
    page.get_by_role("button", name="Resend to these families").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(CampaignKind.AGREEMENT.label)
    expect(page.locator("main")).to_contain_text("New links sent to 2 families who have not answered yet.")
    expect(page.locator("main dl")).to_contain_text("Families still to answer in one class")
    expect(page.locator("main dl")).to_contain_text("2 families, 2 children")
    expect(page.locator("main dl")).to_contain_text("by Dee Lead")
    resent = Campaign.objects.order_by("-started_at").first()
    assert page.url == f"{live_server.url}/aup/campaigns/{resent.pk}/"
    assert (resent.cohort, sorted(resent.cohort_ids), resent.started_by) == (
        Campaign.Cohort.OUTSTANDING, sorted([ben.pk, cara.pk]), dsl)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alan.email, mary.email])


def test_it_lets_a_member_of_staff_keep_a_pupil_off_school_technology_and_lift_it(page, live_server, sign_in, oakfield):
    named(oakfield, Role.STAFF, "teacher@aup.example", "Tom Teacher")
    robins = SchoolClassFactory(school=oakfield, name="Robins", year_group=YearGroup.Y4)
    ada = PupilFactory(school=oakfield, first_name="Ada", last_name="Hopper", school_class=robins)
    ben = PupilFactory(school=oakfield, first_name="Ben", last_name="Turing", school_class=robins)
    osl = member_of(oakfield, Role.ONLINE_SAFETY_LEAD)
    services.add_restriction(school=oakfield, actor=osl, pupil=ben, reason="Shared a password")
    until = timezone.localdate() + datetime.timedelta(days=14)

    sign_in(page, "teacher@aup.example", TEST_PASSWORD)
    menu(page, "Pupils")
    page.get_by_role("link", name="Hopper, Ada").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Hopper")
    page.get_by_role("link", name="Keep off school technology").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Keep Ada Hopper off school technology")
    page.get_by_label("Reason").fill("Searched for unsuitable videos in ICT")
    page.get_by_label("Until (optional)").fill(until.isoformat())
    page.get_by_role("button", name="Add to the register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
    expect(page.locator("main")).to_contain_text("Added to the technology access register.")
    rows = page.locator("#technology-register tbody tr")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text="Ada Hopper")
    expect(row).to_contain_text("Robins")
    expect(row).to_contain_text("Searched for unsuitable videos in ICT")
    expect(row).to_contain_text(f"{until.day} {until:%b %Y}")
    restriction = AccessRestriction.objects.get(pupil=ada)
    assert (restriction.reason, restriction.ends_on, restriction.lifted_at) == (
        "Searched for unsuitable videos in ICT", until, None)

    row.get_by_role("button", name=re.compile(r"^Lift\b")).click()
    expect(page.locator("main")).to_contain_text("Restriction lifted.")
    expect(rows).to_have_count(1)
    expect(page.locator("#technology-register")).not_to_contain_text("Ada Hopper")
    expect(rows).to_contain_text("Ben Turing")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and restriction.lifted_by.email == "teacher@aup.example"
    assert AccessRestriction.objects.get(pupil=ben).lifted_at is None


def test_it_lets_a_signed_in_parent_answer_for_two_children(page, live_server, sign_in, oakfield, osl):
    versions = publish(oakfield, osl, *FAMILY_AUDIENCES, Audience.IMAGE_CONSENT)
    grace, ada = family_in(oakfield, "grace@aup.example", "Ada", "Hopper", year_group=YearGroup.Y4)
    grace.full_name = "Grace Hopper"
    grace.save(update_fields=["full_name"])
    ben = child_of(grace, oakfield, "Ben", "Hopper", year_group=YearGroup.Y8, school_class=None)

    sign_in(page, "grace@aup.example", TEST_PASSWORD)
    expect(page.locator(".notice")).to_contain_text("2 of your children need your answer")
    menu(page, "Family agreements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements for my children")
    ada_card = page.locator(".card").filter(has=page.get_by_role("heading", name="Ada Hopper"))
    ben_card = page.locator(".card").filter(has=page.get_by_role("heading", name="Ben Hopper"))

    # Photographs of Ada.
    ada_card.get_by_role("link", name="Answer for Ada", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photographs of Ada")
    expect(page.get_by_label(versions[Audience.IMAGE_CONSENT].title)).to_be_visible()
    for use, answer in (("Photos and video used inside school", "Yes"), ("On the school website", "No"),
                        ("On the school's official social media", "No"), ("In the press", "Yes")):
        page.get_by_role("group", name=use).get_by_label(answer, exact=True).check()
    relationship = page.get_by_label("Your relationship to the child")
    expect(relationship).to_have_value("")  # not even the school's record answers for her
    relationship.select_option(label="Mother")
    page.get_by_label("Type your full name to sign").fill("Grace Hopper")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("status").filter(has_text="Your answer for Ada is recorded")).to_be_visible()
    images = Signature.objects.get(pupil=ada)
    answers = {"photos_in_school": True, "photos_on_website": False, "photos_on_social_media": False,
               "photos_in_press": True}
    assert {name: getattr(images, name) for name in answers} == answers
    assert (images.version, images.user, images.channel) == (versions[Audience.IMAGE_CONSENT], grace,
                                                             Channel.IN_APP)
    assert images.text_sha256 == sha256_of(signed_text(versions[Audience.IMAGE_CONSENT], None, answers))
    expect(page.locator("main code")).to_have_text(images.text_sha256)
    expect(page.locator("main")).to_contain_text("On the school website: No")
    expect(page.locator("main")).to_contain_text("In the press: Yes")
    page.get_by_role("link", name="Back to my children's agreements").click()

    expect(ada_card.locator("dd").nth(1).locator(".badge")).to_have_text("Answered")
    expect(ada_card.get_by_role("link", name="PDF copy of your photograph answer for Ada")).to_have_attribute(
        "href", reverse("aup:family_copy", args=[images.pk]))
    expect(page.locator(".notice")).to_have_count(0)  # quiet on the family page itself

    # Ben's acceptable use agreement (he is in Year 8, so he reads the agreement for older pupils).
    ben_card.get_by_role("link", name="Read and answer for Ben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben's online safety agreement")
    older, home = versions[Audience.PUPIL_OLDER], versions[Audience.PARENT]
    expect(page.get_by_label(older.title)).to_contain_text(older.text.splitlines()[0])
    page.get_by_label("I agree and sign").check()
    page.get_by_label("I have read the pupil agreement with my child").check()
    page.get_by_label("Your relationship to the child").select_option(label="Mother")
    page.get_by_label("Type your full name to sign").fill("Grace Hopper")
    page.get_by_role("button", name="Send my answer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("status").filter(has_text="Your answer for Ben is recorded")).to_be_visible()
    agreement = Signature.objects.get(pupil=ben)
    assert (agreement.version, agreement.pupil_version, agreement.outcome) == (home, older, Outcome.SIGNED)
    assert agreement.text_sha256 == sha256_of(signed_text(home, older))
    expect(page.locator("main code")).to_have_text(agreement.text_sha256)
    page.get_by_role("link", name="Back to my children's agreements").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Agreements for my children")
    expect(ada_card.locator("dd").nth(1).locator(".badge")).to_have_text("Answered")
    expect(ben_card.locator("dd").nth(0).locator(".badge")).to_have_text("Signed")
    with page.expect_download() as download:
        ben_card.get_by_role("link", name="PDF copy of your acceptable use answer for Ben").click()
    assert download.value.suggested_filename == f"agreement-{agreement.pk}.pdf"
    # Each child still has the other form to answer.
    expect(ada_card.get_by_role("link", name="Read and answer for Ada")).to_be_visible()
    expect(ben_card.get_by_role("link", name="Answer for Ben", exact=True)).to_be_visible()


def test_it_lists_a_child_with_no_answer_on_the_photograph_register(page, live_server, sign_in, oakfield, osl):
    publish(oakfield, osl, Audience.IMAGE_CONSENT)
    named(oakfield, Role.STAFF, "teacher@aup.example", "Tom Teacher")
    robins = SchoolClassFactory(school=oakfield, name="Robins", year_group=YearGroup.Y4)
    family_in(oakfield, "grace@aup.example", "Ada", "Hopper", school_class=robins)
    alan, ben = family_in(oakfield, "alan@aup.example", "Ben", "Turing", school_class=robins)
    mary, cara = family_in(oakfield, "mary@aup.example", "Cara", "Somerville", school_class=robins)
    sign_for(oakfield, alan, ben, kind=CampaignKind.IMAGES, image_answers=ALL_YES)
    sign_for(oakfield, mary, cara, kind=CampaignKind.IMAGES, image_answers={**ALL_YES, "photos_on_website": False})

    sign_in(page, "teacher@aup.example", TEST_PASSWORD)
    menu(page, "Technology register")
    page.get_by_role("link", name="Do not photograph or publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registers")
    rows = page.locator("#image-register tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#image-register")).not_to_contain_text("Ben Turing")  # yes to everything

    ada_row = rows.filter(has_text="Ada Hopper")
    expect(ada_row.locator("td")).to_have_text(["Ada Hopper", "Robins", "No answer", "No answer", "No answer",
                                                "No answer"])
    cara_row = rows.filter(has_text="Cara Somerville")
    expect(cara_row.locator("td")).to_have_text(["Cara Somerville", "Robins", "Yes", "No", "Yes", "Yes"])
    ada_row.get_by_role("link", name="Ada Hopper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Hopper")


def test_it_leaves_nothing_to_publish_after_saving_the_draft_unchanged(page, live_server, sign_in, oakfield, osl):
    first = publish(oakfield, osl, Audience.STAFF)[Audience.STAFF]
    services.sign_personal(version=first, user=osl, school=oakfield, typed_name=osl.full_name)

    sign_in(page, "osl@aup.example", TEST_PASSWORD)
    menu(page, "All agreements")
    page.get_by_role("link", name=first.title).click()
    page.get_by_role("link", name="Edit the draft").click()
    expect(page.get_by_label("Agreement text")).to_have_value(first.text)
    page.get_by_role("button", name="Save the draft").click()

    expect(page.locator("main")).to_contain_text("Draft saved.")
    expect(page.get_by_role("heading", name="Draft waiting to be published")).to_have_count(0)
    expect(page.get_by_role("button", name="Publish as version 2")).to_have_count(0)
    menu(page, "All agreements")
    expect(page.locator("#agreements tbody tr").filter(has_text=first.title)).not_to_contain_text(
        "Unpublished changes")
    assert "\r" not in Agreement.objects.get(school=oakfield, audience=Audience.STAFF).draft_text
