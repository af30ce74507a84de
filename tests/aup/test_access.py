"""Every aup URL for each kind of person, in their own school and in another; posts refused without the right;
a parent reaches only their own children; the emailed links need no login."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from aup import services
from aup.models import (
    AccessRestriction,
    AccountHolder,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    CampaignKind,
    Invitation,
    Outcome,
    Signature,
)
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import ParentLink
from onlinesafety.schools.roles import Role
from tests.aup.helpers import answer_form
from tests.factories import ParentLinkFactory, PupilFactory, member_of
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

PEOPLE = EVERYONE
# Who holds each right of aup.rights, by name in tests.people.
STAFF = {"reporter", "other_staff", "technician", "dsl", "deputy", "osl", "head"}  # can_use_registers, can_run_kiosk
READERS = STAFF | {"chair", "governor"}  # can_read_agreements
COVERAGE = {"dsl", "deputy", "osl", "head"}  # can_see_coverage
MANAGERS = {"osl", "head"}  # can_manage_agreements
EVERYONE = set(PEOPLE)


def page(person, allowed):
    """A page about the member's own school: riverside_dsl is judged by their own role (a DSL) in riverside."""
    role = "dsl" if person == "riverside_dsl" else person
    return 200 if role in allowed else 403


def oakfield_object(person, allowed):
    """A page about one of Oakfield's records: the role is checked first, then another school's record is a 404."""
    if person == "riverside_dsl":
        return 404 if "dsl" in allowed else 403
    return 200 if person in allowed else 403


def child_page(person):
    """A page about people.parent's child or answer: only that parent; for anyone else the child does not exist."""
    return 200 if person == "parent" else 404


def sign_younger(family):
    return services.answer_for_child(
        school=family.younger.school, parent=family.parent, pupil=family.younger, kind=CampaignKind.AGREEMENT,
        outcome=Outcome.SIGNED, typed_name="Pat Parent", relationship="mother", discussed_with_child=True)


@pytest.fixture
def restriction(published, family, people):
    return services.add_restriction(school=published, actor=people.dsl, pupil=family.older, reason="Misused iPad")


@pytest.fixture
def holder(published, people):
    return services.add_account_holder(school=published, actor=people.osl, user=people.reporter,
                                       accounts="Instagram")


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix(client, people, published, family, campaign, person):
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    signature = sign_younger(family)
    client.force_login(getattr(people, person))
    pages = {
        reverse("aup:list"): page(person, READERS),
        reverse("aup:detail", args=[agreement.pk]): oakfield_object(person, READERS),
        reverse("aup:edit", args=[agreement.pk]): oakfield_object(person, MANAGERS),
        reverse("aup:version", args=[agreement.pk, 1]): oakfield_object(person, READERS),
        reverse("aup:mine"): page(person, EVERYONE),
        reverse("aup:kiosk"): page(person, STAFF),
        reverse("aup:visitor_log"): page(person, STAFF),
        reverse("aup:account_holders"): page(person, MANAGERS),
        reverse("aup:campaigns"): page(person, COVERAGE),
        reverse("aup:campaign_new"): page(person, MANAGERS),
        reverse("aup:campaign", args=[campaign.pk]): oakfield_object(person, COVERAGE),
        reverse("aup:coverage"): page(person, COVERAGE),
        reverse("aup:outstanding") + "?audience=staff": page(person, COVERAGE),
        reverse("aup:outstanding") + "?kind=agreement": page(person, COVERAGE),
        reverse("aup:coverage_csv"): page(person, COVERAGE),
        reverse("aup:technology_register"): page(person, STAFF),
        reverse("aup:add_restriction", args=[family.older.pk]): oakfield_object(person, STAFF),
        reverse("aup:image_register"): page(person, STAFF),
        reverse("aup:family"): page(person, EVERYONE),
        reverse("aup:family_answer", args=[family.older.pk, "agreement"]): child_page(person),
        reverse("aup:family_answer", args=[family.older.pk, "images"]): child_page(person),
        reverse("aup:family_done", args=[signature.pk]): child_page(person),
    }
    for url, status in pages.items():
        assert client.get(url).status_code == status, (person, url)


def test_it_answers_a_404_for_a_version_agreement_or_campaign_that_does_not_exist(client, people, published):
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    client.force_login(people.dsl)
    assert client.get(reverse("aup:version", args=[agreement.pk, 99])).status_code == 404
    assert client.get(reverse("aup:detail", args=[10**6])).status_code == 404
    assert client.get(reverse("aup:campaign", args=[10**6])).status_code == 404


def test_it_shows_a_manager_of_another_school_none_of_this_schools_records(
    client, people, published, family, campaign, riverside
):
    """A riverside Online Safety Lead holds every role the pages ask for, so only the school scoping stops them."""
    river_osl = member_of(riverside, Role.ONLINE_SAFETY_LEAD, email="osl@river.example")
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    client.force_login(river_osl)
    for url in [
        reverse("aup:detail", args=[agreement.pk]),
        reverse("aup:edit", args=[agreement.pk]),
        reverse("aup:version", args=[agreement.pk, 1]),
        reverse("aup:campaign", args=[campaign.pk]),
        reverse("aup:add_restriction", args=[family.older.pk]),
        reverse("aup:family_answer", args=[family.older.pk, "agreement"]),
    ]:
        assert client.get(url).status_code == 404, url
    # Their own school's lists show nothing of Oakfield's.
    response = client.get(reverse("aup:technology_register"))
    assert response.status_code == 200
    assert "Lovelock" not in response.content.decode()
    response = client.get(reverse("aup:outstanding") + "?kind=agreement")
    assert "Lovelock" not in response.content.decode()


def test_it_sends_anonymous_visitors_to_log_in_from_every_signed_in_page(
    client, published, family, campaign, restriction, holder
):
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    signature = sign_younger(family)
    version_id = agreement.current_version_id
    gets = [
        reverse("aup:list"), reverse("aup:detail", args=[agreement.pk]), reverse("aup:edit", args=[agreement.pk]),
        reverse("aup:version", args=[agreement.pk, 1]), reverse("aup:mine"),
        reverse("aup:sign_mine", args=[version_id]), reverse("aup:kiosk"), reverse("aup:visitor_log"),
        reverse("aup:account_holders"), reverse("aup:campaigns"), reverse("aup:campaign_new"),
        reverse("aup:campaign", args=[campaign.pk]), reverse("aup:coverage"), reverse("aup:outstanding"),
        reverse("aup:coverage_csv"), reverse("aup:technology_register"),
        reverse("aup:add_restriction", args=[family.older.pk]), reverse("aup:image_register"),
        reverse("aup:family"), reverse("aup:family_answer", args=[family.older.pk, "agreement"]),
        reverse("aup:family_done", args=[signature.pk]), reverse("aup:family_copy", args=[signature.pk]),
    ]
    login = resolve_url(settings.LOGIN_URL)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    posts = [
        reverse("aup:publish", args=[agreement.pk]), reverse("aup:resend"),
        reverse("aup:lift_restriction", args=[restriction.pk]),
        reverse("aup:remove_account_holder", args=[holder.pk]),
    ]
    for url in posts:
        response = client.post(url, {"kind": "agreement"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    restriction.refresh_from_db()
    assert restriction.lifted_at is None
    assert AccountHolder.objects.filter(pk=holder.pk).exists()
    assert Campaign.objects.count() == 1


def test_it_needs_no_login_for_the_emailed_link(client, family, token):
    assert client.get(reverse("aup:sign", args=[token])).status_code == 200
    assert client.get(reverse("aup:sign_child", args=[token, family.younger.pk])).status_code == 200
    # Nothing answered yet: no receipt page and no copy.
    assert client.get(reverse("aup:sign_done", args=[token, family.younger.pk])).status_code == 404
    assert client.get(reverse("aup:sign_copy", args=[token, family.younger.pk])).status_code == 404
    response = client.post(reverse("aup:sign_child", args=[token, family.younger.pk]), answer_form())
    assert response.status_code == 302
    assert client.get(reverse("aup:sign_done", args=[token, family.younger.pk])).status_code == 200
    copy = client.get(reverse("aup:sign_copy", args=[token, family.younger.pk]))
    assert copy.status_code == 200
    assert copy["Content-Type"] == "application/pdf"


def test_it_lets_a_link_reach_only_the_children_it_was_sent_for(client, family, token):
    pupil = family.neighbours_child
    assert client.get(reverse("aup:sign_child", args=[token, pupil.pk])).status_code == 404
    response = client.post(reverse("aup:sign_child", args=[token, pupil.pk]), answer_form())
    assert response.status_code == 404
    assert not Signature.objects.filter(pupil=pupil).exists()
    assert client.get(reverse("aup:sign", args=["not-a-real-token"])).status_code == 404
    assert client.get(reverse("aup:sign_child", args=["not-a-real-token", family.younger.pk])).status_code == 404


def test_it_leaves_aup_pages_alone_when_checking_agreements_first(client, people, published):
    """force_login sends user_logged_in, so the flag is set: aup pages answer normally and keep the flag; the
    first other page sends the member to sign, once."""
    client.force_login(people.reporter)
    assert client.get(reverse("aup:list")).status_code == 200
    assert client.get(reverse("aup:technology_register")).status_code == 200
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("aup:mine"))
    assert client.get(reverse("home")).status_code == 200


# ---------------------------------------------------------------- a parent sees only their own children

def test_it_keeps_a_parent_from_another_familys_child_or_answer(client, people, published, family):
    neighbours = services.answer_for_child(
        school=published, parent=family.neighbour, pupil=family.neighbours_child, kind=CampaignKind.AGREEMENT,
        outcome=Outcome.SIGNED, typed_name="Nia Neighbour", relationship="mother", discussed_with_child=True)
    own = sign_younger(family)
    client.force_login(people.parent)
    for kind in ("agreement", "images"):
        assert client.get(reverse("aup:family_answer", args=[family.neighbours_child.pk, kind])).status_code == 404
    assert client.get(reverse("aup:family_done", args=[neighbours.pk])).status_code == 404
    assert client.get(reverse("aup:family_copy", args=[neighbours.pk])).status_code == 404
    answers = Signature.objects.count()
    response = client.post(reverse("aup:family_answer", args=[family.neighbours_child.pk, "images"]),
                           answer_form(photos_in_school="yes", photos_on_website="yes",
                                       photos_on_social_media="yes", photos_in_press="yes"))
    assert response.status_code == 404
    assert Signature.objects.count() == answers
    # Their own child's answer and copy are theirs.
    assert client.get(reverse("aup:family_done", args=[own.pk])).status_code == 200
    copy = client.get(reverse("aup:family_copy", args=[own.pk]))
    assert copy.status_code == 200
    assert copy["Content-Type"] == "application/pdf"
    # The family page lists their two children, not the neighbour's.
    body = client.get(reverse("aup:family")).content.decode()
    assert "Ada" in body and "Ben" in body
    assert "Cleo" not in body


def test_it_keeps_a_carer_without_parental_responsibility_from_the_answer(client, published, family):
    ParentLink.objects.filter(parent=family.other_carer).update(has_parental_responsibility=False)
    signature = services.answer_for_child(
        school=published, parent=family.parent, pupil=family.younger, kind=CampaignKind.AGREEMENT,
        outcome=Outcome.DECLINED, typed_name="Pat Parent", relationship="mother",
        decline_reason="A private family matter.")
    client.force_login(family.other_carer)
    # Consistent with the rest: the child is not theirs to answer for ...
    assert client.get(reverse("aup:family_answer", args=[family.younger.pk, "agreement"])).status_code == 404
    assert "Ada" not in client.get(reverse("aup:family")).content.decode()
    # ... so the other carer's answer is not theirs to read either.
    assert client.get(reverse("aup:family_done", args=[signature.pk])).status_code == 404
    assert client.get(reverse("aup:family_copy", args=[signature.pk])).status_code == 404


def test_it_answers_a_404_for_an_unknown_kind(client, people, published, family):
    client.force_login(people.parent)
    assert client.get(reverse("aup:family_answer", args=[family.older.pk, "homework"])).status_code == 404


def test_it_does_not_reach_the_same_parents_child_in_another_school_from_this_one(
    client, people, published, family, riverside
):
    """The parent's current school is Oakfield; a child at Riverside is not found through it."""
    river_child = PupilFactory(school=riverside, first_name="Rory", last_name="Lovelock")
    ParentLinkFactory(parent=people.parent, pupil=river_child)
    client.force_login(people.parent)
    assert client.get(reverse("aup:family_answer", args=[river_child.pk, "agreement"])).status_code == 404


# ---------------------------------------------------------------- posts refused, and nothing changes

@pytest.mark.parametrize("person", sorted(EVERYONE - MANAGERS))
def test_it_lets_only_managers_publish(client, people, published, person):
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    services.save_draft(agreement=agreement, actor=people.osl, title=agreement.title, text="A new text.")
    before = agreement.current_version_id
    client.force_login(getattr(people, person))
    response = client.post(reverse("aup:publish", args=[agreement.pk]), {"change_summary": "New"})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.current_version_id == before
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_it_lets_a_manager_publish(client, people, published):
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    services.save_draft(agreement=agreement, actor=people.osl, title=agreement.title, text="A new text.")
    client.force_login(people.head)
    response = client.post(reverse("aup:publish", args=[agreement.pk]), {"change_summary": "New"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.current_version.number == 2


def test_it_keeps_a_manager_of_another_school_from_publishing_here(client, people, published, riverside):
    river_osl = member_of(riverside, Role.ONLINE_SAFETY_LEAD, email="osl@river.example")
    agreement = Agreement.objects.get(school=published, audience=Audience.STAFF)
    services.save_draft(agreement=agreement, actor=people.osl, title=agreement.title, text="A new text.")
    client.force_login(river_osl)
    assert client.post(reverse("aup:publish", args=[agreement.pk]), {}).status_code == 404
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


@pytest.mark.parametrize("person", sorted(EVERYONE - COVERAGE - {"riverside_dsl"}))
def test_it_lets_only_the_dsl_team_and_head_resend(client, people, family, campaign, person):
    emails = OutboundEmail.objects.count()
    client.force_login(getattr(people, person))
    assert client.post(reverse("aup:resend"), {"kind": "agreement"}).status_code == 403
    assert Campaign.objects.count() == 1
    assert OutboundEmail.objects.count() == emails


def test_it_lets_the_dsl_resend_and_riverside_resend_only_to_riverside(client, people, family, campaign):
    client.force_login(people.riverside_dsl)
    client.post(reverse("aup:resend"), {"kind": "agreement"})
    assert Campaign.objects.filter(school=campaign.school).count() == 1
    client.logout()
    # An hour later (a resend within minutes of the campaign is taken for a double submit and refused).
    Invitation.objects.update(last_sent_at=timezone.now() - timedelta(hours=1))
    client.force_login(people.dsl)
    assert client.post(reverse("aup:resend"), {"kind": "agreement"}).status_code == 302
    assert Campaign.objects.filter(school=campaign.school).count() == 2


@pytest.mark.parametrize("person", sorted(EVERYONE - STAFF))
def test_it_lets_only_school_staff_lift_a_restriction(client, people, restriction, person):
    client.force_login(getattr(people, person))
    response = client.post(reverse("aup:lift_restriction", args=[restriction.pk]))
    assert response.status_code == (404 if person == "riverside_dsl" else 403)
    restriction.refresh_from_db()
    assert restriction.lifted_at is None


@pytest.mark.parametrize("person", sorted(EVERYONE - STAFF))
def test_it_lets_only_school_staff_add_a_restriction(client, people, published, family, person):
    client.force_login(getattr(people, person))
    response = client.post(reverse("aup:add_restriction", args=[family.older.pk]), {"reason": "Misused iPad"})
    assert response.status_code == (404 if person == "riverside_dsl" else 403)
    assert not AccessRestriction.objects.exists()


def test_it_lets_a_member_of_staff_lift_a_restriction(client, people, restriction):
    client.force_login(people.technician)
    assert client.post(reverse("aup:lift_restriction", args=[restriction.pk])).status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_by == people.technician
    # Lifted already: nothing more to lift.
    assert client.post(reverse("aup:lift_restriction", args=[restriction.pk])).status_code == 404


def test_it_lifts_a_restriction_only_by_post(client, people, restriction):
    client.force_login(people.dsl)
    assert client.get(reverse("aup:lift_restriction", args=[restriction.pk])).status_code == 405
    restriction.refresh_from_db()
    assert restriction.lifted_at is None


@pytest.mark.parametrize("person", sorted(EVERYONE - MANAGERS))
def test_it_lets_only_managers_remove_an_account_holder(client, people, holder, person):
    client.force_login(getattr(people, person))
    assert client.post(reverse("aup:remove_account_holder", args=[holder.pk])).status_code == 403
    assert AccountHolder.objects.filter(pk=holder.pk).exists()


def test_it_keeps_a_manager_of_another_school_from_removing_this_schools_holder(client, people, holder, riverside):
    river_osl = member_of(riverside, Role.ONLINE_SAFETY_LEAD, email="osl@river.example")
    client.force_login(river_osl)
    client.post(reverse("aup:remove_account_holder", args=[holder.pk]))
    assert AccountHolder.objects.filter(pk=holder.pk).exists()
    client.logout()
    client.force_login(people.osl)
    assert client.post(reverse("aup:remove_account_holder", args=[holder.pk])).status_code == 302
    assert not AccountHolder.objects.filter(pk=holder.pk).exists()
