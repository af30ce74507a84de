"""Each write an actor performs checks the actor's right again, behind the page's check (defence in depth):
without it the service refuses (``NotAllowed``, the 403 page) and writes nothing."""

import pytest

from aup import rights, selectors, services
from aup.models import (
    AccessRestriction,
    AccountHolder,
    Agreement,
    AgreementVersion,
    Audience,
    Campaign,
    CampaignKind,
    Signature,
)
from onlinesafety.rules import NotAllowed
from onlinesafety.schools.roles import Role
from tests.factories import member_of
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db


def staff_agreement(school):
    return Agreement.objects.get(school=school, audience=Audience.STAFF)


@pytest.mark.parametrize("person", EVERYONE)
def test_it_decides_each_right_from_the_kernel_role_sets(people, oakfield, person):
    user = getattr(people, person)
    held = {name for name in ("can_manage_agreements", "can_see_coverage", "can_read_agreements",
                              "can_use_registers", "can_run_kiosk", "is_parent")
            if getattr(rights, name)(user, oakfield)}
    expected = {
        "reporter": {"can_read_agreements", "can_use_registers", "can_run_kiosk"},
        "technician": {"can_read_agreements", "can_use_registers", "can_run_kiosk"},
        "dsl": {"can_see_coverage", "can_read_agreements", "can_use_registers", "can_run_kiosk"},
        "osl": {"can_manage_agreements", "can_see_coverage", "can_read_agreements", "can_use_registers",
                "can_run_kiosk"},
        "governor": {"can_read_agreements"},
        "parent": {"is_parent"},
        "visitor": set(),
        "riverside_dsl": set(),
    }
    expected["other_staff"] = expected["reporter"]
    expected["deputy"] = expected["dsl"]
    expected["head"] = expected["osl"]
    expected["chair"] = expected["governor"]
    assert held == expected[person]


@pytest.mark.parametrize("person", ["dsl", "reporter", "governor"])
def test_it_lets_only_managers_change_and_publish_agreements(published, people, person):
    agreement = staff_agreement(published)
    actor = getattr(people, person)
    with pytest.raises(NotAllowed):
        services.save_draft(agreement=agreement, actor=actor, title="New", text="A new text.")
    with pytest.raises(NotAllowed):
        services.publish(agreement=agreement, actor=actor)
    agreement.refresh_from_db()
    assert agreement.title != "New"
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_it_keeps_a_manager_of_another_school_from_changing_this_schools_agreement(published, riverside):
    river_osl = member_of(riverside, Role.ONLINE_SAFETY_LEAD, email="osl@river.example")
    with pytest.raises(NotAllowed):
        services.save_draft(agreement=staff_agreement(published), actor=river_osl, title="New", text="Text.")


@pytest.mark.parametrize("person", ["dsl", "reporter", "parent"])
def test_it_lets_only_managers_start_a_campaign_or_name_account_holders(published, family, people, person):
    actor = getattr(people, person)
    with pytest.raises(NotAllowed):
        services.start_campaign(school=published, actor=actor, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    with pytest.raises(NotAllowed):
        services.add_account_holder(school=published, actor=actor, user=people.reporter, accounts="Instagram")
    holder = services.add_account_holder(school=published, actor=people.osl, user=people.reporter, accounts="X")
    with pytest.raises(NotAllowed):
        services.remove_account_holder(holder=holder, actor=actor)
    assert not Campaign.objects.exists()
    assert list(AccountHolder.objects.all()) == [holder]


def test_it_lets_the_safeguarding_leads_resend_but_nobody_else(published, family, people):
    with pytest.raises(NotAllowed):
        services.resend_to_outstanding(school=published, actor=people.reporter, kind=CampaignKind.AGREEMENT)
    assert not Campaign.objects.exists()
    campaign = services.resend_to_outstanding(school=published, actor=people.deputy, kind=CampaignKind.AGREEMENT)
    assert campaign.cohort == Campaign.Cohort.OUTSTANDING


@pytest.mark.parametrize("person", ["governor", "parent", "visitor", "riverside_dsl"])
def test_it_lets_only_staff_sign_a_visitor_in_or_change_the_register(published, family, people, person):
    actor = getattr(people, person)
    with pytest.raises(NotAllowed):
        services.sign_at_kiosk(school=published, witness=actor, full_name="Alex Guitar", organisation="Music")
    with pytest.raises(NotAllowed):
        services.add_restriction(school=published, actor=actor, pupil=family.older, reason="Misused iPad")
    restriction = services.add_restriction(school=published, actor=people.reporter, pupil=family.older,
                                           reason="Misused iPad")
    with pytest.raises(NotAllowed):
        services.lift_restriction(restriction=restriction, actor=actor)
    assert not Signature.objects.filter(channel="kiosk").exists()
    assert list(AccessRestriction.objects.filter(lifted_at__isnull=True)) == [restriction]


def test_it_signs_only_an_agreement_the_person_signs_in_that_school(published, riverside, people):
    """The service checks the signer again, behind the view: a parent has no staff agreement to sign, and a
    Riverside DSL cannot sign Oakfield's."""
    staff_version = selectors.current_versions(published)["staff"]
    for person, school in ((people.parent, published), (people.riverside_dsl, riverside),
                           (people.riverside_dsl, published)):
        with pytest.raises(NotAllowed, match="not an agreement you sign"):
            services.sign_personal(version=staff_version, user=person, school=school, typed_name="Some One")
    assert services.sign_personal(version=staff_version, user=people.reporter, school=published,
                         typed_name="Rita Reporter").user == people.reporter
