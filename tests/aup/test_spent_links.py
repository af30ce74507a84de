"""What an emailed link shows once it is used: only the school's name when every child is answered, only the
children still to answer when some are, never an answer or an address carrying the token; the receipt and PDF
copy through the link only for AUP_COPY_MINUTES after answering, then on the parent's own signed-in page."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aup import rights
from aup.models import Signature
from onlinesafety.mail.models import OutboundEmail
from tests.aup.helpers import answer_form, tokens_sent_to

pytestmark = pytest.mark.django_db

# What a spent page must not show: the children's names, the parent's, the typed name, the answer's details.
PRIVATE = ("Ada", "Ben", "Lovelock", "Pat Parent", "203.0.113.9", "Test phone", ": you answered", "PDF copy for")


def sign(client, token, pupil, **overrides):
    response = client.post(reverse("aup:sign_child", args=[token, pupil.pk]), answer_form(**overrides),
                           HTTP_USER_AGENT="Test phone", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    return Signature.objects.filter(pupil=pupil).latest("signed_at")


def link_pages(token, family):
    """Every address of the link: the landing page, and each child's answer, receipt and copy."""
    urls = [reverse("aup:sign", args=[token])]
    for pupil in (family.younger, family.older):
        urls += [reverse(name, args=[token, pupil.pk]) for name in ("aup:sign_child", "aup:sign_done", "aup:sign_copy")]
    return urls


def assert_private(page: str, token: str):
    for private in PRIVATE:
        assert private not in page, private
    assert token not in page and "/aup/sign/" not in page


@pytest.fixture
def later(monkeypatch, settings):
    """Moves the clock past the link's window for opening an answer (the link itself is still in date)."""
    def move():
        moved = timezone.now() + timedelta(minutes=settings.AUP_COPY_MINUTES, seconds=1)
        monkeypatch.setattr(timezone, "now", lambda: moved)
    return move


# ---------------------------------------------------------------- a used link

def test_it_shows_a_used_link_only_the_schools_name(client, token, family):
    sign(client, token, family.younger)
    sign(client, token, family.older)
    response = client.get(reverse("aup:sign", args=[token]))
    page = response.content.decode()
    assert response.status_code == 410 and "Already answered" in page
    assert family.younger.school.name in page and reverse("aup:family") in page
    assert_private(page, token)


def test_it_answers_every_address_of_a_used_link_without_a_name_or_the_token(client, token, family, later):
    sign(client, token, family.younger)
    sign(client, token, family.older)
    later()
    for url in link_pages(token, family):
        response = client.get(url)
        assert response.status_code == 410, url
        assert response["Content-Type"].startswith("text/html"), url
        assert_private(response.content.decode(), token)


def test_it_spends_the_other_carers_link_without_naming_the_child_or_the_answer(client, token, family):
    sign(client, token, family.younger)
    their_token = tokens_sent_to(family.other_carer.email)[0]
    for response in (client.get(reverse("aup:sign", args=[their_token])),
                     client.get(reverse("aup:sign_child", args=[their_token, family.younger.pk])),
                     client.post(reverse("aup:sign_child", args=[their_token, family.younger.pk]),
                                 answer_form(relationship="father"))):
        assert response.status_code == 410 and "Already answered" in response.content.decode()
        assert_private(response.content.decode(), their_token)
    assert client.get(reverse("aup:sign_copy", args=[their_token, family.younger.pk])).status_code == 404
    assert Signature.objects.count() == 1


# ---------------------------------------------------------------- a partly answered link

def test_it_lists_only_the_children_still_to_answer(client, token, family):
    sign(client, token, family.younger)
    response = client.get(reverse("aup:sign", args=[token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ben" in page and reverse("aup:sign_child", args=[token, family.older.pk]) in page
    assert "Ada" not in page and reverse("aup:sign_child", args=[token, family.younger.pk]) not in page
    assert "One other child on this link already has an answer" in page


def test_it_shows_no_answer_for_a_child_already_answered_on_a_partly_answered_link(client, token, family):
    sign(client, token, family.younger)
    response = client.get(reverse("aup:sign_child", args=[token, family.younger.pk]))
    page = response.content.decode()
    assert response.status_code == 409 and "An answer is already recorded" in page
    assert "Ada" not in page and "Pat Parent" not in page and "answer-form" not in page
    assert reverse("aup:sign", args=[token]) in page  # the way back to Ben


def test_it_still_lets_the_outstanding_child_be_answered(client, token, family):
    sign(client, token, family.younger)
    assert client.get(reverse("aup:sign_child", args=[token, family.older.pk])).status_code == 200
    sign(client, token, family.older)
    assert Signature.objects.count() == 2


def test_it_hides_what_another_carer_answered_from_a_partly_answered_link(client, campaign, family):
    their_token = tokens_sent_to(family.other_carer.email)[0]
    sign(client, their_token, family.younger, relationship="father", typed_name="Sam Carer")
    token = tokens_sent_to(family.parent.email)[0]
    landing = client.get(reverse("aup:sign", args=[token])).content.decode()
    assert "Ben" in landing and "Ada" not in landing and "Sam Carer" not in landing
    answered = client.get(reverse("aup:sign_child", args=[token, family.younger.pk])).content.decode()
    assert "Ada" not in answered and "Sam Carer" not in answered
    assert client.get(reverse("aup:sign_done", args=[token, family.younger.pk])).status_code == 404
    assert client.get(reverse("aup:sign_copy", args=[token, family.younger.pk])).status_code == 404


# ---------------------------------------------------------------- the copy through the link

def test_it_hands_out_the_copy_through_the_link_right_after_signing(client, token, family, settings):
    settings.AUP_COPY_MINUTES = 30
    signature = sign(client, token, family.younger)
    done = client.get(reverse("aup:sign_done", args=[token, family.younger.pk])).content.decode()
    assert signature.text_sha256 in done and "for 30 minutes after you answer" in done
    copy = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    assert copy.status_code == 200 and copy["Content-Type"] == "application/pdf"
    assert copy["Cache-Control"] == "private, no-store" and copy["X-Content-Type-Options"] == "nosniff"
    assert copy["Content-Disposition"] == f'attachment; filename="agreement-{signature.pk}.pdf"'


def test_it_closes_the_copy_and_receipt_on_the_link_after_the_window(client, token, family, later):
    sign(client, token, family.younger)
    sign(client, token, family.older)
    later()
    for name in ("aup:sign_copy", "aup:sign_done"):
        response = client.get(reverse(name, args=[token, family.younger.pk]))
        page = response.content.decode()
        assert response.status_code == 410 and response["Content-Type"].startswith("text/html")
        assert "Your answer is recorded" in page and reverse("aup:family") in page
        assert_private(page, token)


def test_it_keeps_the_way_to_the_other_children_when_the_window_closes(client, token, family, later):
    sign(client, token, family.younger)
    later()
    response = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    page = response.content.decode()
    assert response.status_code == 410 and "Ada" not in page and "Pat Parent" not in page
    assert reverse("aup:sign", args=[token]) in page  # Ben is still to answer, so the link is not spent
    assert client.get(reverse("aup:sign_child", args=[token, family.older.pk])).status_code == 200


def test_it_opens_an_answer_on_the_link_until_the_window_ends(settings):
    settings.AUP_COPY_MINUTES = 30
    signed_at = timezone.now()
    assert rights.link_opens_answer(signed_at, signed_at + timedelta(minutes=29, seconds=59))
    assert not rights.link_opens_answer(signed_at, signed_at + timedelta(minutes=30))


def test_it_follows_the_copy_minutes_setting(client, token, family, settings):
    settings.AUP_COPY_MINUTES = 0
    sign(client, token, family.younger)
    assert client.get(reverse("aup:sign_copy", args=[token, family.younger.pk])).status_code == 410


# ---------------------------------------------------------------- the copy signed in

def test_it_emails_a_receipt_that_points_to_the_signed_in_copy(client, token, family, settings):
    settings.SITE_URL = "https://school.example"
    signature = sign(client, token, family.younger)
    body = OutboundEmail.objects.get(kind="aup_receipt").body
    assert f"https://school.example{reverse('aup:family_copy', args=[signature.pk])}" in body
    assert token not in body and "/aup/sign/" not in body


def test_it_lets_the_signed_in_parent_download_the_copy_after_the_window(client, token, family, later):
    signature = sign(client, token, family.younger)
    later()
    client.force_login(family.parent)
    family_page = client.get(reverse("aup:family")).content.decode()
    copy_url = reverse("aup:family_copy", args=[signature.pk])
    assert copy_url in family_page and "PDF copy" in family_page
    copy = client.get(copy_url)
    assert copy.status_code == 200 and copy["Content-Type"] == "application/pdf"
    assert copy["Cache-Control"] == "private, no-store" and copy["X-Content-Type-Options"] == "nosniff"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(copy.content)).pages).replace("\x00", "")
    assert "Pat Parent" in text and signature.text_sha256 in text.replace("\n", "")


def test_it_refuses_the_copy_to_any_other_parent(client, token, family):
    signature = sign(client, token, family.younger)
    for other in (family.other_carer, family.neighbour):  # Ada's other carer too: the copy carries our details
        client.force_login(other)
        assert client.get(reverse("aup:family_copy", args=[signature.pk])).status_code == 404
        assert reverse("aup:family_copy", args=[signature.pk]) not in client.get(reverse("aup:family")).content.decode()


def test_it_offers_no_copy_for_a_child_not_answered_yet(client, family, campaign):
    client.force_login(family.parent)
    assert "PDF copy" not in client.get(reverse("aup:family")).content.decode()
