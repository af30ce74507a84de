"""The parent's answer page: nothing chosen for them, the texts whole on the page, the decline reason asked for only
when declining, and the fingerprint kept under "Technical details"."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from aup import selectors
from aup.models import Audience, Signature
from tests.aup.helpers import answer_form

pytestmark = pytest.mark.django_db


def answer_url(token, pupil):
    return reverse("aup:sign_child", args=[token, pupil.pk])


def test_it_chooses_nothing_for_the_parent(client, token, family):
    page = client.get(answer_url(token, family.younger)).content.decode()
    decision = re.findall(r'<input[^>]*name="decision"[^>]*>', page)
    assert len(decision) == 2
    assert not [radio for radio in decision if "checked" in radio]
    relationship = re.search(r'<select name="relationship".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', relationship) == [""]
    assert '<option value="" selected>Select your relationship to the child</option>' in relationship


def test_it_says_what_is_missing_for_each_unanswered_question(client, token, family):
    response = client.post(answer_url(token, family.younger), {"typed_name": "Pat Parent"})
    page = response.content.decode()
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert "Choose whether you agree and sign, or decline." in summary
    assert 'href="#id_decision_0"' in summary
    assert "Select your relationship to the child." in summary
    assert 'href="#id_relationship"' in summary
    assert page.index('id="error-summary"') < page.index("<h1")
    assert not Signature.objects.exists()


def test_it_asks_for_the_decline_reason_in_a_box_revealed_only_by_the_script(client, token, family):
    page = client.get(answer_url(token, family.younger)).content.decode()
    box = page[page.index('id="decline-reason-box"'):]
    box = box[:box.index("</textarea>")]
    assert "If you decline, please tell us why" in box
    assert "hidden" not in page[page.index('id="decline-reason-box"') - 20:page.index('id="decline-reason-box"') + 80]
    assert "js/answer-form.js" in page  # which hides it until "I decline" is chosen
    assert page.index('name="decision"') < page.index('id="decline-reason-box"') < page.index("Send my answer")


def test_it_still_records_a_decline_with_its_reason(client, token, family):
    response = client.post(answer_url(token, family.younger), answer_form(
        decision="declined", discussed_with_child="", decline_reason="We want to talk first."))
    assert response.status_code == 302
    assert Signature.objects.get().decline_reason == "We want to talk first."


def test_it_shows_the_whole_of_both_texts_with_no_scroll_box(client, token, family, oakfield):
    versions = selectors.current_versions(oakfield)
    page = client.get(answer_url(token, family.older)).content.decode()
    for audience in (Audience.PARENT, Audience.PUPIL_KS2):
        assert escape(versions[audience].text) in page
    assert "agreement-scroll" not in page
    assert page.count('class="agreement-text') == 2
    assert page.index("The home agreement") < page.index('id="answer-form"')


def test_it_keeps_the_scroll_box_for_the_staff_pages_only():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert re.search(r"\.agreement-text \{[^}]*\}", css).group(0).count("overflow-y") == 0
    assert "overflow-y: auto" in re.search(r"\.agreement-scroll \{[^}]*\}", css).group(0)


def test_it_keeps_the_fingerprint_under_technical_details(client, token, family):
    page = client.get(answer_url(token, family.younger)).content.decode()
    details = page[page.index('id="technical-details"'):page.index("</details>")]
    assert "<summary>Technical details</summary>" in details and "SHA-256" in details
    done = client.post(answer_url(token, family.younger), answer_form(), follow=True).content.decode()
    signature = Signature.objects.get()
    details = done[done.index('id="technical-details"'):done.index("</details>")]
    assert "<summary>Technical details</summary>" in details
    assert signature.text_sha256 in details
    assert done.count(signature.text_sha256) == 1


def test_it_marks_the_screens_a_phone_steps_through(client, token, family):
    """static/js/answer-steps.js shows one screen at a time on a phone: the pupil agreement, the home agreement,
    then the answer (its heading, the form and the technical details). The markup alone changes nothing."""
    page = client.get(answer_url(token, family.younger)).content.decode()
    assert "js/answer-steps.js" in page
    screens = re.findall(r'<(\w+)[^>]*data-answer-screen="([^"]+)"', page)
    assert screens == [("div", "pupil"), ("div", "text"), ("h2", "answer"), ("form", "answer"),
                       ("details", "answer")]
    assert page.index('data-answer-screen="pupil"') < page.index("1. Read this with")
    assert page.index("2. The home agreement") < page.index("3. Your answer")
