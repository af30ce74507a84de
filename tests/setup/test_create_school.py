"""Creating a school from /schools/new/: who may, what it asks, what the school starts with, and bad input."""

import re

import pytest
from django.urls import reverse

from aup.models import Agreement
from incidents.models import ResponseMatrix
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.schools.models import Phase, School
from onlinesafety.schools.setup import services
from policies.models import Duty, Policy, Stage

pytestmark = pytest.mark.django_db

GOOD = {"name": "Meadow Lane Primary", "urn": "123456", "local_authority": "Leeds", "phase": "primary",
        "timezone": "Europe/London"}


def post(client, data=None, **changes):
    return client.post(reverse("setup:school_new"), {**(data or GOOD), **changes})


def test_it_lets_the_site_administrator_create_a_school_and_land_on_its_set_up_page(client, site_admin):
    client.force_login(site_admin)
    response = post(client)
    school = School.objects.get(urn="123456")
    assert response.status_code == 302 and response["Location"] == reverse("setup:school", args=[school.slug])
    assert (school.name, school.slug, school.local_authority, school.phase, school.timezone, school.organisation) == (
        "Meadow Lane Primary", "meadow-lane-primary", "Leeds", Phase.PRIMARY, "Europe/London", None)
    event = AuditEvent.objects.get(verb="school.created")
    assert (event.actor, event.school, event.object_id) == (site_admin, school, str(school.pk))
    assert event.detail["urn"] == "123456" and "Meadow" not in str(event.detail)
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Set up Meadow Lane Primary" in page.content


def test_it_lets_a_trust_administrator_create_a_school_in_their_own_trust(client, trust, trust_admin):
    client.force_login(trust_admin)
    form = client.get(reverse("setup:school_new"))
    assert form.status_code == 200
    # Their only trust is chosen for them; standing alone is not offered.
    assert re.search(rb'<option value="oak-trust" selected>', form.content)
    assert b"stands on its own" not in form.content
    response = post(client, organisation="oak-trust")
    school = School.objects.get(urn="123456")
    assert response.status_code == 302 and school.organisation == trust


def test_it_refuses_a_trust_administrator_another_trusts_school_or_none(client, trust_admin, other_trust):
    client.force_login(trust_admin)
    for organisation in ("river-trust", ""):
        response = post(client, organisation=organisation)
        assert response.status_code == 400
    assert not School.objects.filter(urn="123456").exists()
    with pytest.raises(NotAllowed):
        services.create_school(actor=trust_admin, organisation=other_trust, name="X", urn="654321",
                               local_authority="Leeds", phase=Phase.PRIMARY, timezone_name="Europe/London")
    with pytest.raises(NotAllowed):
        services.create_school(actor=trust_admin, organisation=None, name="X", urn="654321",
                               local_authority="Leeds", phase=Phase.PRIMARY, timezone_name="Europe/London")


def test_it_asks_for_the_phase_with_nothing_chosen_and_europe_london_as_the_time_zone(client, site_admin):
    client.force_login(site_admin)
    page = client.get(reverse("setup:school_new")).content.decode()
    phases = re.findall(r'<input[^>]*name="phase"[^>]*>', page)
    assert len(phases) == len(Phase.choices) == 6
    assert not any("checked" in radio for radio in phases)
    for label in ("Nursery", "Primary", "Secondary", "All-through", "Special school",
                  "Alternative provision or pupil referral unit"):
        assert label in page
    assert re.search(r'<option value="Europe/London" selected>', page)
    assert 'value="Asia/Tokyo"' in page and 'value="posixrules"' not in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"urn": "12345"}, "urn", "Enter the URN as six digits, for example 123456."),
    ({"urn": "12345a"}, "urn", "Enter the URN as six digits, for example 123456."),
    ({"urn": "١٢٣٤٥٦"}, "urn", "Enter the URN as six digits, for example 123456."),  # Arabic-Indic digits
    ({"urn": ""}, "urn", "Enter the school&#x27;s URN."),
    ({"name": "   "}, "name", "Enter the name of the school."),
    ({"local_authority": ""}, "local_authority", "Enter the local authority the school is in."),
    ({"phase": ""}, "phase", "Choose the school&#x27;s phase."),
    ({"phase": "grammar"}, "phase", "Choose the school&#x27;s phase."),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list, such as Europe/London."),
    ({"timezone": "posixrules"}, "timezone", "Choose a time zone from the list, such as Europe/London."),
])
def test_it_says_what_is_wrong_next_to_each_field_and_saves_nothing(client, site_admin, changes, field, message):
    client.force_login(site_admin)
    response = post(client, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "<title>Error: " in page
    anchor = "id_phase_0" if field == "phase" else f"id_{field}"
    assert f'<a class="alert-link" href="#{anchor}">{message}</a>' in page  # the summary links to the field
    assert f'id="{anchor}"' in page
    assert not School.objects.exists()


def test_it_says_when_the_urn_is_taken_without_naming_the_other_school(client, site_admin, riverside):
    client.force_login(site_admin)
    response = post(client, urn=riverside.urn)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a class="alert-link" href="#id_urn">A school with this URN is already registered.' in page
    assert riverside.name not in page
    assert School.objects.count() == 1


def test_it_makes_a_unique_slug_from_the_name(client, site_admin):
    client.force_login(site_admin)
    post(client)
    post(client, urn="223456")
    post(client, urn="323456", name="Meadow Lane Primary!")
    assert sorted(School.objects.values_list("slug", flat=True)) == [
        "meadow-lane-primary", "meadow-lane-primary-2", "meadow-lane-primary-3"]


def test_it_creates_one_school_when_the_form_is_sent_twice(client, site_admin):
    client.force_login(site_admin)
    first, second = post(client), post(client)
    school = School.objects.get()
    assert first["Location"] == second["Location"] == reverse("setup:school", args=[school.slug])
    assert AuditEvent.objects.filter(verb="school.created").count() == 1
    assert Policy.objects.filter(school=school).count() == 8


def test_it_refuses_the_same_urn_from_someone_else_even_at_once(site_admin, trust, trust_admin):
    services.create_school(actor=site_admin, organisation=trust, **{
        "name": "Meadow Lane Primary", "urn": "123456", "local_authority": "Leeds", "phase": Phase.PRIMARY,
        "timezone_name": "Europe/London"})
    with pytest.raises(services.URNTaken):
        services.create_school(actor=trust_admin, organisation=trust, name="Meadow Lane Primary", urn="123456",
                               local_authority="Leeds", phase=Phase.PRIMARY, timezone_name="Europe/London")
    with pytest.raises(services.URNTaken):  # the same person, another school's name: a mistake, not a resend
        services.create_school(actor=site_admin, organisation=trust, name="Hill Top", urn="123456",
                               local_authority="Leeds", phase=Phase.PRIMARY, timezone_name="Europe/London")


def test_it_refuses_bad_values_in_the_service_too(site_admin):
    for changes in ({"timezone_name": "Nowhere/Special"}, {"name": " "}, {"phase": "grammar"}):
        values = {"name": "A", "urn": "123456", "local_authority": "Leeds", "phase": Phase.PRIMARY,
                  "timezone_name": "Europe/London", **changes}
        with pytest.raises(RuleBroken):
            services.create_school(actor=site_admin, organisation=None, **values)
    assert not School.objects.exists()


def test_it_starts_the_school_usable(client, site_admin):
    client.force_login(site_admin)
    post(client, phase="secondary", timezone="Asia/Dubai")
    school = School.objects.get()
    assert school.timezone == "Asia/Dubai"
    assert ResponseMatrix.objects.filter(school=school).exists()
    agreements = Agreement.objects.filter(school=school)
    assert agreements.filter(current_version__isnull=True).count() == agreements.count() == 7
    assert not agreements.filter(audience="pupil_early").exists()
    assert set(Duty.objects.filter(school=school).values_list("code", flat=True)) == {
        "filtering_monitoring_review", "filtering_check", "incident_log_audit", "governor_report", "training_audit",
        "aup_review"}
    starters = Policy.objects.filter(school=school)
    assert starters.count() == 8 and set(starters.values_list("stage", flat=True)) == {Stage.NOT_UPLOADED}
    assert not starters.filter(owner__isnull=False).exists()


def test_it_refuses_the_page_to_everyone_else(client, people):
    for person in ("head", "dsl", "riverside_dsl"):
        client.force_login(getattr(people, person))
        assert client.get(reverse("setup:school_new")).status_code == 403
        assert post(client).status_code == 403
    assert School.objects.filter(urn="123456").count() == 0
    client.logout()
    assert client.get(reverse("setup:school_new")).status_code == 302  # to the sign-in page
