import time

import pytest
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from onlinesafety.accounts.demo import DEMO_TOTP_KEY
from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.models import Membership, ParentLink, Pupil, School, SchoolClass, Term
from onlinesafety.schools.roles import Role

pytestmark = pytest.mark.django_db

MODELS = [School, get_user_model(), Membership, Pupil, SchoolClass, ParentLink, Term, AuditEvent]


def snapshot():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(settings):
    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)


def test_it_changes_nothing_when_run_twice(seeded):
    before = snapshot()
    names = sorted(Pupil.objects.values_list("first_name", "last_name", "date_of_birth", "school_class__name"))
    call_command("seed_demo", quiet_logins=True)
    assert snapshot() == before
    assert sorted(Pupil.objects.values_list("first_name", "last_name", "date_of_birth", "school_class__name")) == names


def test_it_builds_oakfield_as_the_issue_describes(seeded):
    oakfield = School.objects.get(slug="oakfield")
    assert oakfield.pupils.count() == 201  # 200 generated, and one whose only carer has no email (the people demo)
    assert oakfield.classes.values("year_group").distinct().count() == 7
    staff_roles = set(Role) - {Role.GOVERNOR, Role.PARENT}
    staff = Membership.objects.filter(school=oakfield).exclude(role__in=[Role.GOVERNOR, Role.PARENT])
    assert staff.count() == 22  # 20 with a password, and two the MIS import added who have none yet (people demo)
    assert set(staff.values_list("role", flat=True)) == staff_roles
    governors = Membership.objects.filter(school=oakfield, role=Role.GOVERNOR)
    assert governors.count() == 5
    assert governors.filter(is_chair=True).count() == 1
    assert governors.filter(is_safeguarding_governor=True).count() == 1
    assert oakfield.terms.count() == 6


def test_it_gives_some_parents_two_children(seeded):
    from django.db.models import Count

    parent = get_user_model().objects.get(email="parent@oakfield.example")
    assert parent.parent_links.count() == 2
    with_two = ParentLink.objects.values("parent").annotate(n=Count("pupil")).filter(n__gte=2).count()
    assert with_two >= 20
    assert Pupil.objects.filter(school__slug="oakfield", parent_links__isnull=True).count() == 0


def test_it_places_pupils_in_the_year_their_birthday_says(seeded):
    from django.utils import timezone

    from onlinesafety.schools.demo.seed import academic_year_start

    start = academic_year_start(timezone.localdate())
    for pupil in Pupil.objects.all():
        first_possible = pupil.date_of_birth.replace(month=9, day=1)
        year_born_start = first_possible.year if pupil.date_of_birth >= first_possible else first_possible.year - 1
        assert start - 5 - pupil.year_group == year_born_start


def test_it_keeps_riverside_separate_with_its_own_dsl(seeded):
    riverside = School.objects.get(slug="riverside")
    dsl = get_user_model().objects.get(email="dsl@riverside.example")
    assert set(dsl.memberships.values_list("school__slug", flat=True)) == {"riverside"}
    assert riverside.pupils.count() > 0


def test_it_lets_every_demo_login_sign_in(seeded, client):
    from onlinesafety.schools.demo.seed import DEMO_LOGINS

    for email, _ in DEMO_LOGINS:
        assert client.login(username=email, password="demo-password-for-tests"), email
        client.logout()


def test_it_refuses_to_run_in_production(settings):
    from django.core.management import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert School.objects.count() == 0


def test_it_brings_the_triage_dashboard_to_life(seeded):
    from django.db.models import Count
    from django.utils import timezone

    from incidents.models import Incident, Status, Visibility
    from onlinesafety.schools.selectors import current_term

    oakfield = School.objects.get(slug="oakfield")
    term = current_term(oakfield, timezone.localdate())
    incidents = Incident.objects.filter(school=oakfield)
    assert 50 <= incidents.filter(occurred_at__date__gte=term.starts_on).count() <= 70  # a term of them
    assert 20 <= incidents.filter(occurred_at__date__lt=term.starts_on).count() <= 40  # last term, quieter
    statuses = set(incidents.values_list("status", flat=True))
    assert statuses == {Status.NEW, Status.OPEN, Status.WAITING, Status.CLOSED}
    assert incidents.filter(is_urgent=True, status=Status.NEW).exists()
    allegation = incidents.get(visibility=Visibility.HEADTEACHER)
    assert allegation.subject_of_allegation.memberships.filter(role=Role.STAFF).exists()
    recent = timezone.now() - timezone.timedelta(days=30)
    repeated = (Incident.pupils.through.objects.filter(incident__occurred_at__gte=recent)
                .values("pupil").annotate(n=Count("incident")).filter(n__gte=3))
    assert repeated.exists()
    assert not Incident.objects.filter(school__slug="riverside").exists()


def test_it_seeds_in_the_summer_holidays_too(settings):
    import datetime

    from onlinesafety.schools.demo.seed import DemoSeeder
    from policies import demo as policies_demo
    from policies.models import Policy

    summer = datetime.date(2027, 8, 2)
    DemoSeeder("x-password-for-tests", today=summer).run()
    policies_demo.seed(today=summer)
    assert Policy.objects.filter(school__slug="oakfield").count() == 8


def test_it_gives_the_leads_the_demo_authenticator_and_leaves_the_head_to_set_one_up(seeded):
    browser = Client()
    browser.post(reverse("account_login"), {"login": "dsl@oakfield.example", "password": "demo-password-for-tests"})
    code = format_hotp_value(hotp_value(DEMO_TOTP_KEY, int(time.time()) // app_settings.TOTP_PERIOD))
    assert browser.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert browser.get(reverse("incidents:triage")).status_code == 200

    head = Client()
    head.post(reverse("account_login"), {"login": "head@oakfield.example", "password": "demo-password-for-tests"})
    assert head.get(reverse("incidents:triage")).url.startswith(reverse("accounts:second_factor"))
