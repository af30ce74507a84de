"""A policy written as text, downloaded as a tagged PDF."""

import pytest
from django.urls import reverse

from policies import services
from tests.kernel.tagged_pdf import assert_in_order, assert_tagged

pytestmark = pytest.mark.django_db

TEXT = "1. Purpose\nThis policy keeps pupils safe online.\n\n2. Scope\nEvery pupil, member of staff and visitor."


def test_it_tags_a_policy_pdf_with_its_language_title_and_reading_order(client, people, make_policy):
    policy = make_policy(title="Online safety")
    services.start_review(policy=policy, actor=people.osl)
    draft = services.save_draft(policy=policy, actor=people.osl, change_summary="New", text=TEXT)
    client.force_login(people.osl)
    response = client.get(reverse("policies:version", args=[policy.pk, draft.pk]))
    tagged = assert_tagged(response.content, title="Online safety", headings=["Online safety"])
    assert_in_order(tagged.text, [f"{policy.school.name} · version", "DRAFT, not approved", "1. Purpose",
                                  "This policy keeps pupils safe online.", "2. Scope", "Every pupil"])
    assert tagged.blocks()[:3] == ["Document", "H1", "P"]
