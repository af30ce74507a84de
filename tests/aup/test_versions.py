"""Agreements per audience, drafts and published versions that never change."""

from pathlib import Path

import pytest
from django.urls import reverse

from aup import selectors, services
from aup.defaults import DEFAULT_AGREEMENTS
from aup.models import Agreement, AgreementVersion, Audience
from onlinesafety.audit.models import AuditEvent, AuditEventIsAppendOnly
from onlinesafety.rules import RuleBroken
from onlinesafety.tokens import sha256_of
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_it_gives_a_new_school_a_draft_for_every_audience_and_nothing_to_sign(people):
    school = SchoolFactory()
    agreements = Agreement.objects.filter(school=school)
    assert set(agreements.values_list("audience", flat=True)) == set(Audience.values)
    assert not agreements.filter(current_version__isnull=False).exists()
    assert agreements.get(audience=Audience.PARENT).draft_text == DEFAULT_AGREEMENTS["parent"]["text"]


def test_it_prints_every_default_text_in_the_pdf_font():
    from fontTools.ttLib import TTFont

    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed here")
    characters = set(TTFont(str(DEJAVU)).getBestCmap())
    for audience, default in DEFAULT_AGREEMENTS.items():
        missing = {ch for ch in default["title"] + default["text"] if ord(ch) not in characters and ch != "\n"}
        assert missing == set(), audience


def test_it_publishes_version_one_with_the_hash_of_its_text(oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.STAFF)
    version = services.publish(agreement=agreement, actor=people.osl, change_summary="First")
    agreement.refresh_from_db()
    assert (version.number, agreement.current_version) == (1, version)
    assert version.sha256 == sha256_of(version.text) and version.text == agreement.draft_text
    assert AuditEvent.objects.filter(verb="aup.published", object_id=str(agreement.pk)).exists()


def test_it_never_changes_a_published_version(oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.STAFF)
    version = services.publish(agreement=agreement, actor=people.osl)
    version.text = "Something else"
    with pytest.raises(AuditEventIsAppendOnly):
        version.save()
    with pytest.raises(AuditEventIsAppendOnly):
        AgreementVersion.objects.filter(pk=version.pk).update(text="Changed")
    services.save_draft(agreement=agreement, actor=people.osl, title=agreement.title, text="A new draft.")
    version.refresh_from_db()
    assert version.text == DEFAULT_AGREEMENTS["staff"]["text"]


def test_it_refuses_to_publish_nothing_new(oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.STAFF)
    services.publish(agreement=agreement, actor=people.osl)
    with pytest.raises(RuleBroken):
        services.publish(agreement=agreement, actor=people.osl)
    assert agreement.versions.count() == 1


def test_it_makes_everyone_unsigned_again_with_a_new_version(published, people):
    staff = Agreement.objects.get(school=published, audience=Audience.STAFF)
    services.sign_personal(version=staff.current_version, user=people.reporter, school=published,
                           typed_name="Rita Reporter")
    assert selectors.unsigned_agreements(people.reporter, published) == []
    services.save_draft(agreement=staff, actor=people.osl, title=staff.title, text=staff.draft_text + "\n\nNew.")
    version = services.publish(agreement=staff, actor=people.osl, change_summary="Added a line")
    assert version.number == 2
    assert [a.pk for a in selectors.unsigned_agreements(people.reporter, published)] == [staff.pk]


def test_it_alerts_the_people_who_must_sign_a_new_version(oakfield, people):
    from onlinesafety.mail.models import Notification

    staff = Agreement.objects.get(school=oakfield, audience=Audience.STAFF)
    services.publish(agreement=staff, actor=people.osl)
    told = set(Notification.objects.filter(school=oakfield).values_list("user__email", flat=True))
    assert people.reporter.email in told and people.governor.email in told
    assert people.parent.email not in told and people.riverside_dsl.email not in told


def test_it_lets_the_manager_edit_and_publish_through_the_pages(client, oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.VISITOR)
    client.force_login(people.osl)
    response = client.post(reverse("aup:edit", args=[agreement.pk]), {"title": "Visitors", "text": "Be kind."})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.draft_text, agreement.current_version) == ("Visitors", "Be kind.", None)
    client.post(reverse("aup:publish", args=[agreement.pk]), {"change_summary": "Shorter"})
    agreement.refresh_from_db()
    assert agreement.current_version.text == "Be kind."
    assert agreement.current_version.change_summary == "Shorter"


def test_it_refuses_an_empty_draft_and_changes_nothing(client, oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.VISITOR)
    client.force_login(people.head)
    response = client.post(reverse("aup:edit", args=[agreement.pk]), {"title": "Visitors", "text": "   "})
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.draft_text == DEFAULT_AGREEMENTS["visitor"]["text"]


def test_it_leaves_a_draft_saved_from_a_browser_with_crlf_unchanged(oakfield, people):
    agreement = Agreement.objects.get(school=oakfield, audience=Audience.STAFF)
    services.publish(agreement=agreement, actor=people.osl)
    services.save_draft(agreement=agreement, actor=people.osl, title=agreement.title,
                        text=agreement.draft_text.replace("\n", "\r\n"))
    agreement.refresh_from_db()
    assert not agreement.has_unpublished_changes
    with pytest.raises(RuleBroken):
        services.publish(agreement=agreement, actor=people.osl)
