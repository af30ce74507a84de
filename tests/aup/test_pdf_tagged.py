"""The record of an answer (the parents' copy, and the signer's receipt) as a tagged PDF."""

import pytest
from django.urls import reverse

from aup.models import Signature
from tests.aup.helpers import answer_form
from tests.kernel.tagged_pdf import assert_tagged

pytestmark = pytest.mark.django_db


def test_it_tags_the_copy_of_an_answer_with_its_language_title_and_reading_order(client, token, family):
    client.post(reverse("aup:sign_child", args=[token, family.younger.pk]), answer_form())
    signature = Signature.objects.get()
    copy = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    school = signature.school.name
    tagged = assert_tagged(copy.content, title=f"{school}: record of your answer", headings=[
        f"{school}: record of your answer", "Signature details", f"Answer {signature.get_outcome_display()}",
        "Signed by (typed name) Pat Parent", "Date and time", "SHA-256 of the text below", "The exact text answered"])
    assert tagged.blocks()[:3] == ["Document", "H1", "H2"]
    assert len(tagged.tags("TH")) == len(tagged.tags("TR"))  # each row headed by what it records
