"""The demo shows agreements working: published, staff mostly signed, a campaign half answered, a live link."""

import io
import re

import pytest
from django.core.management import call_command

from aup.models import Agreement, Audience, Campaign, Outcome, Signature, SigningLink
from onlinesafety.schools.models import Pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def output(settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    out = io.StringIO()
    call_command("seed_demo", quiet_logins=True, stdout=out)
    return out.getvalue()


def test_it_publishes_every_agreement_and_leaves_four_staff_to_sign(output):
    oakfield = Agreement.objects.filter(school__slug="oakfield")
    assert oakfield.count() == len(Audience) and not oakfield.filter(current_version__isnull=True).exists()
    from aup.selectors import current_round, personal_coverage
    from onlinesafety.schools.models import School

    school = School.objects.get(slug="oakfield")
    staff = {row.key: row for row in personal_coverage(school, current_round(school))}["staff"]
    # The two the agreements demo leaves, and the two staff the people demo adds as the MIS import would.
    assert staff.outstanding == 4


def test_it_runs_a_parent_campaign_about_half_signed_with_a_few_declines(output):
    pupils = Pupil.objects.filter(school__slug="oakfield").count()
    answers = Signature.objects.filter(school__slug="oakfield", audience=Audience.PARENT)
    signed = answers.filter(outcome=Outcome.SIGNED).count()
    assert 0.4 * pupils <= signed <= 0.6 * pupils
    assert 3 <= answers.filter(outcome=Outcome.DECLINED).count() <= 12
    assert Campaign.objects.filter(school__slug="oakfield").count() == 2


def test_it_prints_one_working_signing_link_the_same_every_run(output, client, settings):
    link = re.search(r"http://\S+/aup/sign/(\S+)/", output)
    assert link
    assert client.get(f"/aup/sign/{link.group(1)}/").status_code == 200
    links = SigningLink.objects.count()
    again = io.StringIO()
    call_command("seed_demo", quiet_logins=True, stdout=again)
    assert link.group(0) in again.getvalue()
    assert SigningLink.objects.count() == links
