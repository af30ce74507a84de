"""Parents answer from an emailed link: token security, once per child, the record and its receipt."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aup import selectors, services
from aup.documents import signed_text
from aup.models import Campaign, CampaignKind, Invitation, Outcome, Signature, SigningLink
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import ParentLink
from onlinesafety.tokens import sha256_of
from tests.aup.helpers import answer_form, tokens_sent_to

pytestmark = pytest.mark.django_db


def sign_url(token, pupil=None):
    return reverse("aup:sign_child", args=[token, pupil.pk]) if pupil else reverse("aup:sign", args=[token])


# ---------------------------------------------------------------- the campaign

def test_it_sends_one_email_per_parent_covering_each_of_their_children(campaign, family, people):
    assert campaign.families == 3 and campaign.pupils == 3
    assert len(tokens_sent_to(family.parent.email)) == 1
    invitation = Invitation.objects.get(campaign=campaign, parent=family.parent)
    assert set(invitation.pupils.all()) == {family.younger, family.older}
    assert set(Invitation.objects.get(campaign=campaign, parent=family.other_carer).pupils.all()) == {family.younger}


def test_it_names_nobody_in_the_email_and_keeps_only_the_hash(campaign, family):
    email = OutboundEmail.objects.get(to=family.parent.email, kind="aup_invitation")
    for name in ("Ada", "Ben", "Lovelock", family.parent.full_name):
        assert name not in email.body and name not in email.subject
    token = tokens_sent_to(family.parent.email)[0]
    assert len(token) >= 32  # 192 random bits, base64url
    assert not SigningLink.objects.filter(token_hash=token).exists()
    assert SigningLink.objects.filter(token_hash=sha256_of(token)).count() == 1


def test_it_sends_no_email_to_parents_without_parental_responsibility(published, family, people):
    ParentLink.objects.filter(parent=family.other_carer).update(has_parental_responsibility=False)
    services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                            cohort=Campaign.Cohort.WHOLE_SCHOOL)
    assert tokens_sent_to(family.other_carer.email) == []


def test_it_reaches_only_the_families_of_a_one_class_cohort(published, family, people):
    campaign = services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                       cohort=Campaign.Cohort.CLASSES, ids=[family.year1.pk])
    assert set(Invitation.objects.filter(campaign=campaign).values_list("parent__email", flat=True)) == {
        family.parent.email, family.other_carer.email}
    assert list(Invitation.objects.get(campaign=campaign, parent=family.parent).pupils.all()) == [family.younger]


def test_it_leaves_families_who_answered_out_of_the_next_campaign(published, family, people, client, token):
    client.post(sign_url(token, family.older), answer_form())
    again = services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                    cohort=Campaign.Cohort.YEAR_GROUPS, ids=[5],
                                    now=timezone.now() + timedelta(days=1))
    assert list(Invitation.objects.filter(campaign=again).values_list("parent__email", flat=True)) == [
        family.neighbour.email]


def test_it_needs_the_agreements_published_for_a_campaign(oakfield, family, people):
    with pytest.raises(RuleBroken):
        services.start_campaign(school=oakfield, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    assert not Campaign.objects.exists()


# ---------------------------------------------------------------- signing

def test_it_lets_a_parent_sign_for_a_child_with_the_hash_of_the_exact_text(client, token, family):
    page = client.get(sign_url(token, family.younger))
    assert page.status_code == 200
    round_ = selectors.current_round(family.younger.school)
    assert round_.versions["pupil_early"].text in page.content.decode()
    response = client.post(sign_url(token, family.younger), answer_form(), HTTP_USER_AGENT="Test phone",
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.pupil, signature.user, signature.outcome) == (family.younger, family.parent, Outcome.SIGNED)
    assert signature.pupil_version == round_.versions["pupil_early"] and signature.version == round_.home
    assert (signature.typed_name, signature.relationship, signature.discussed_with_child) == (
        "Pat Parent", "mother", True)
    assert (signature.ip_address, signature.user_agent, signature.channel) == ("203.0.113.9", "Test phone", "link")
    assert signature.text_sha256 == sha256_of(signed_text(round_.home, round_.versions["pupil_early"]))


def test_it_gives_the_older_child_the_key_stage_2_agreement(client, token, family):
    client.post(sign_url(token, family.older), answer_form())
    assert Signature.objects.get().pupil_version.agreement.audience == "pupil_ks2"


def test_it_confirms_with_a_receipt_and_a_pdf_copy(client, token, family, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sign_url(token, family.younger), answer_form(), follow=True)
    signature = Signature.objects.get()
    page = response.content.decode()
    assert "Thank you" in page and signature.text_sha256 in page
    receipt = OutboundEmail.objects.get(kind="aup_receipt")
    assert receipt.to == family.parent.email and "Ada" not in receipt.subject
    copy = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    assert copy["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(copy.content)).pages).replace("\x00", "")
    assert signature.text_sha256 in text.replace("\n", "")
    assert "Pat Parent" in text and "Ada" in text


def test_it_links_the_receipt_to_the_site_address_not_the_request_host(client, token, family, settings):
    """The copy link is built from SITE_URL, never from the Host header a request happened to arrive with."""
    settings.SITE_URL = "https://school.example"
    client.post(sign_url(token, family.younger), answer_form(), HTTP_HOST="localhost")
    body = OutboundEmail.objects.get(kind="aup_receipt").body
    assert f"https://school.example{reverse('aup:family_copy', args=[Signature.objects.get().pk])}" in body
    assert "localhost" not in body


def test_it_records_one_signature_for_a_second_submit(client, token, family):
    first = client.post(sign_url(token, family.younger), answer_form())
    second = client.post(sign_url(token, family.younger), answer_form())
    assert first.status_code == 302 and second.status_code == 409
    assert Signature.objects.count() == 1


def test_it_lets_the_link_work_once_per_child(client, token, family):
    client.post(sign_url(token, family.younger), answer_form())
    assert "already" in client.get(sign_url(token, family.younger)).content.decode().lower()
    assert client.get(sign_url(token, family.older)).status_code == 200
    client.post(sign_url(token, family.older), answer_form())
    spent = client.get(sign_url(token))
    assert spent.status_code == 410 and "Already answered" in spent.content.decode()
    assert Signature.objects.count() == 2


def test_it_spends_the_other_carers_link_once_one_carer_answered(client, token, family):
    client.post(sign_url(token, family.younger), answer_form())
    their_token = tokens_sent_to(family.other_carer.email)[0]
    response = client.post(sign_url(their_token, family.younger), answer_form(relationship="father"))
    assert response.status_code == 410
    assert Signature.objects.count() == 1
    landing = client.get(sign_url(their_token)).content.decode()
    assert "Already answered" in landing and "copy.pdf" not in landing
    assert client.get(reverse("aup:sign_copy", args=[their_token, family.younger.pk])).status_code == 404


def test_it_keeps_a_next_address_through_a_second_agreement(client, published, people):
    from aup.models import Agreement

    services.add_account_holder(school=published, actor=people.osl, user=people.reporter, accounts="X")
    staff = Agreement.objects.get(school=published, audience="staff").current_version
    client.force_login(people.reporter)
    response = client.post(reverse("aup:sign_mine", args=[staff.pk]),
                           {"has_read": "on", "typed_name": "Rita R", "next": "/pupils/?a=1&b=2"})
    assert response["Location"].endswith("?next=%2Fpupils%2F%3Fa%3D1%26b%3D2")


def test_it_needs_a_reason_to_decline_and_records_it(client, token, family):
    refused = client.post(sign_url(token, family.younger), answer_form(decision="declined"))
    assert refused.status_code == 200 and not Signature.objects.exists()
    assert "tell us why" in refused.content.decode().lower()
    client.post(sign_url(token, family.younger), answer_form(decision="declined", decline_reason="We need to talk"))
    signature = Signature.objects.get()
    assert (signature.outcome, signature.decline_reason) == (Outcome.DECLINED, "We need to talk")


def test_it_needs_the_discussion_ticked_and_a_name_to_sign(client, token, family):
    response = client.post(sign_url(token, family.younger), answer_form(discussed_with_child="", typed_name=" "))
    assert response.status_code == 200 and not Signature.objects.exists()


# ---------------------------------------------------------------- bad links record nothing

def test_it_shows_a_clear_page_for_an_unknown_token(client, campaign, family):
    for url in (reverse("aup:sign", args=["x" * 43]), sign_url("x" * 43, family.younger)):
        response = client.get(url)
        assert response.status_code == 404 and "does not work" in response.content.decode()
    assert client.post(sign_url("x" * 43, family.younger), answer_form()).status_code == 404
    assert not Signature.objects.exists()


def test_it_treats_a_tampered_token_as_unknown(client, token, family):
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(sign_url(tampered, family.younger), answer_form()).status_code == 404
    assert client.get(reverse("aup:sign", args=[token + "x"])).status_code == 404
    assert not Signature.objects.exists()


def test_it_records_nothing_from_an_expired_link(client, token, family):
    SigningLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get(sign_url(token))
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert client.post(sign_url(token, family.younger), answer_form()).status_code == 410
    assert not Signature.objects.exists()


def test_it_keeps_a_link_from_signing_for_another_familys_child(client, token, family):
    response = client.post(sign_url(token, family.neighbours_child), answer_form())
    assert response.status_code == 404
    assert client.get(reverse("aup:sign_copy", args=[token, family.neighbours_child.pk])).status_code == 404
    assert not Signature.objects.exists()


def test_it_stops_a_parent_unlinked_after_the_email_from_signing(client, token, family):
    ParentLink.objects.filter(parent=family.parent, pupil=family.younger).delete()
    assert client.post(sign_url(token, family.younger), answer_form()).status_code == 404
    assert not Signature.objects.exists()


def test_it_refuses_in_the_service_a_child_who_is_not_theirs(published, family):
    with pytest.raises(RuleBroken):
        services.answer_for_child(school=published, parent=family.parent, pupil=family.neighbours_child,
                                  kind=CampaignKind.AGREEMENT, outcome=Outcome.SIGNED, typed_name="Pat Parent",
                                  relationship="mother", discussed_with_child=True)
    assert not Signature.objects.exists()


# ---------------------------------------------------------------- image consent

def test_it_records_each_image_consent_answer(client, published, family, people):
    services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.IMAGES,
                            cohort=Campaign.Cohort.WHOLE_SCHOOL)
    token = tokens_sent_to(family.parent.email)[0]
    incomplete = client.post(sign_url(token, family.older), {"relationship": "mother", "typed_name": "Pat Parent",
                                                              "photos_in_school": "yes"})
    assert incomplete.status_code == 200 and not Signature.objects.exists()
    client.post(sign_url(token, family.older), {
        "relationship": "mother", "typed_name": "Pat Parent", "photos_in_school": "yes",
        "photos_on_website": "no", "photos_on_social_media": "no", "photos_in_press": "yes"})
    signature = Signature.objects.get()
    assert (signature.photos_in_school, signature.photos_on_website, signature.photos_on_social_media,
            signature.photos_in_press) == (True, False, False, True)
    assert "On the school website: No" in signed_text(signature.version, None, {
        "photos_in_school": True, "photos_on_website": False, "photos_on_social_media": False,
        "photos_in_press": True})
    from aup.documents import text_of
    assert signature.text_sha256 == sha256_of(text_of(signature))


# ---------------------------------------------------------------- query counts

def test_it_shows_the_signing_pages_in_a_fixed_number_of_queries(
    client, published, people, django_assert_max_num_queries, settings
):
    from tests.factories import ParentLinkFactory, PupilFactory

    # The per-minute count costs more on a minute's first request: measured in tests/kernel/test_rate_limits.py.
    # The lockout's read (one query) is in the numbers below.
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 0

    for count in (1, 6):
        parent = people.parent if count == 1 else people.other_staff
        for _ in range(count):
            ParentLinkFactory(parent=parent, pupil=PupilFactory(school=published))
        services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
        token = tokens_sent_to(parent.email)[-1]
        child = Invitation.objects.filter(parent=parent).latest("pk").pupils.first()
        with django_assert_max_num_queries(9):
            assert client.get(sign_url(token)).status_code == 200
        with django_assert_max_num_queries(11):
            assert client.get(sign_url(token, child)).status_code == 200


def test_it_does_not_sign_unseen_a_version_published_while_the_parent_reads(client, token, family, people):
    from aup.models import Agreement

    page = client.get(sign_url(token, family.younger)).content.decode()
    shown = re.search(r'name="shown" value="([^"]+)"', page).group(1)
    home = Agreement.objects.get(school=family.younger.school, audience="parent")
    services.save_draft(agreement=home, actor=people.osl, title=home.title, text="A new home agreement.")
    services.publish(agreement=home, actor=people.osl)
    response = client.post(sign_url(token, family.younger), answer_form(shown=shown), follow=True)
    assert not Signature.objects.exists()
    assert "updated while you were reading" in response.content.decode()
    assert "A new home agreement." in response.content.decode()
    fresh = re.search(r'name="shown" value="([^"]+)"', response.content.decode()).group(1)
    client.post(sign_url(token, family.younger), answer_form(shown=fresh))
    assert Signature.objects.get().version == home.versions.get(number=2)


def test_it_says_so_when_a_link_has_no_children_left(client, token, family):
    ParentLink.objects.filter(parent=family.parent).update(has_parental_responsibility=False)
    response = client.get(sign_url(token))
    assert response.status_code == 410 and "Nothing to answer" in response.content.decode()


def test_it_emails_each_parent_once_when_the_same_campaign_starts_twice(published, campaign, family, people):
    with pytest.raises(RuleBroken):
        services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    assert len(tokens_sent_to(family.parent.email)) == 1
    later = services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                    cohort=Campaign.Cohort.WHOLE_SCHOOL, now=timezone.now() + timedelta(hours=1))
    assert later.families == 3


def test_it_hands_the_pdf_copy_out_as_a_download(client, token, family):
    client.post(sign_url(token, family.younger), answer_form())
    signature = Signature.objects.get()
    copy = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    assert copy["Content-Disposition"] == f'attachment; filename="agreement-{signature.pk}.pdf"'
    assert copy["X-Content-Type-Options"] == "nosniff"
    assert copy["Cache-Control"] == "private, no-store"
