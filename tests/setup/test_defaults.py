"""A new school starts usable: agreements and the compliance calendar for its phase, the starter register."""

import pytest

from aup.models import Agreement
from incidents.models import IncidentCategory, ResponseMatrix
from onlinesafety.schools.models import Phase, School
from onlinesafety.schools.setup import services
from policies.models import ApprovingBody, Duty, Policy
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

ADULTS = {"staff", "visitor", "social_media", "parent", "image_consent"}
PUPILS = {"pupil_early", "pupil_ks2", "pupil_older"}
DUTY_CODES = {"filtering_monitoring_review", "filtering_check", "incident_log_audit", "governor_report",
              "training_audit", "aup_review"}


def audiences(school):
    return set(Agreement.objects.filter(school=school).values_list("audience", flat=True))


@pytest.mark.parametrize(("phase", "pupil_agreements"), [
    (Phase.NURSERY, {"pupil_early"}),
    (Phase.PRIMARY, PUPILS),
    (Phase.SECONDARY, {"pupil_ks2", "pupil_older"}),
    (Phase.ALL_THROUGH, PUPILS),
    (Phase.SPECIAL, PUPILS),
    (Phase.ALTERNATIVE, PUPILS),
])
def test_it_gives_each_phase_its_pupil_agreements_as_drafts(phase, pupil_agreements):
    school = SchoolFactory(phase=phase)
    assert audiences(school) == ADULTS | pupil_agreements
    assert not Agreement.objects.filter(school=school, current_version__isnull=False).exists()


def test_a_nursery_gets_the_early_years_agreement_and_no_older_one():
    nursery, secondary = SchoolFactory(phase=Phase.NURSERY), SchoolFactory(phase=Phase.SECONDARY)
    assert "pupil_early" in audiences(nursery) and "pupil_older" not in audiences(nursery)
    assert "pupil_early" not in audiences(secondary)


@pytest.mark.parametrize("phase", Phase.values)
def test_every_phase_gets_the_whole_compliance_calendar_with_the_codes_other_apps_use(phase):
    school = SchoolFactory(phase=phase)
    duties = {duty.code: duty for duty in Duty.objects.filter(school=school)}
    assert set(duties) == DUTY_CODES
    assert duties["filtering_check"].recurrence == "monthly"
    assert duties["incident_log_audit"].recurrence == "half_termly"
    assert duties["governor_report"].recurrence == "termly"


def test_a_pupil_referral_unit_reports_to_its_management_committee():
    unit = SchoolFactory(phase=Phase.ALTERNATIVE)
    assert Duty.objects.get(school=unit, code="governor_report").title == (
        "Safeguarding report to the management committee")
    assert Duty.objects.get(school=SchoolFactory(), code="governor_report").title == "Safeguarding report to governors"


def test_it_gives_the_starter_register_to_a_school_created_from_the_page_only(site_admin):
    plain = SchoolFactory()  # the Django admin or a test: the defaults, but no starter register
    assert not Policy.objects.filter(school=plain).exists()
    assert ResponseMatrix.objects.filter(school=plain).exists()
    assert IncidentCategory.objects.filter(school=plain).exists()
    unit = services.create_school(actor=site_admin, organisation=None, name="Riverbank Centre", urn="654321",
                                  local_authority="Leeds", phase=Phase.ALTERNATIVE, timezone_name="Europe/London")
    register = Policy.objects.filter(school=unit)
    assert register.count() == 8
    assert not register.filter(approving_body=ApprovingBody.GOVERNING_BODY).exists()  # a committee instead
    assert register.filter(approving_body=ApprovingBody.MANAGEMENT_COMMITTEE).count() == 5


def test_existing_schools_keep_what_they_have(oakfield):
    before = audiences(oakfield)
    assert before == ADULTS | PUPILS  # the default phase (primary) keeps every agreement
    oakfield.phase = Phase.NURSERY
    oakfield.save()  # not created: nothing is added or taken away
    assert audiences(oakfield) == before and School.objects.count() == 1


def test_a_nursery_can_ask_families_once_its_own_agreements_are_published(people):
    from aup.models import CampaignKind
    from aup.selectors.rounds import current_round
    from aup.services import publish

    nursery = SchoolFactory(phase=Phase.NURSERY)
    head = people.head
    MembershipFactory(user=head, school=nursery, role="headteacher")
    for agreement in Agreement.objects.filter(school=nursery):
        publish(agreement=agreement, actor=head)
    assert current_round(nursery).ready(CampaignKind.AGREEMENT)
