"""The school's roster settings: the DfE number a file is checked against, and its id at the MIS data provider
(set by the site administrator alone, once Wonde's record of that id carries the school's URN)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.roster import services
from onlinesafety.roster.models import RosterSettings
from onlinesafety.rules import RuleBroken
from tests.factories import SchoolFactory
from tests.roster.fake_wonde import SCHOOL_ID, FakeWonde

pytestmark = pytest.mark.django_db


def test_it_saves_the_settings_and_audits_them(client, oakfield, head, site_admin, wonde):
    client.force_login(head)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "873/2345", "api_staff_role": "staff"})
    assert response.status_code == 302
    saved = RosterSettings.objects.get(school=oakfield)
    assert (saved.dfe_number, saved.provider_school_id, saved.api_staff_role) == ("8732345", "", "staff")
    assert AuditEvent.objects.get(verb="roster.settings_changed").detail == {
        "dfe_number": True, "provider": False, "provider_changed": False}

    client.force_login(site_admin)  # only the site administrator connects the school to Wonde
    response = client.post(url, {"dfe_number": "873/2345", "provider_school_id": SCHOOL_ID,
                                 "api_staff_role": "staff"})
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.provider_school_id == SCHOOL_ID
    assert FakeWonde.requests[0][0] == f"/v1.0/schools/{SCHOOL_ID}"  # Wonde's record of the school was read first
    assert AuditEvent.objects.filter(verb="roster.settings_changed").latest("pk").detail == {
        "dfe_number": True, "provider": True, "provider_changed": True}


def test_it_shows_each_mistake_in_an_error_summary_and_saves_nothing(client, oakfield, site_admin, wonde):
    client.force_login(site_admin)
    url = reverse("roster:settings", args=[oakfield.slug])
    response = client.post(url, {"dfe_number": "12", "provider_school_id": "not an id!",
                                 "api_staff_role": "headteacher"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert 'href="#id_dfe_number">A DfE number is seven digits' in page
    assert "js/form-errors.js" in page  # the shared summary, which takes the focus
    assert 'href="#id_provider_school_id">' in page and 'href="#id_api_staff_role">' in page
    assert not RosterSettings.objects.exists()


def test_it_never_takes_the_wonde_id_from_a_headteacher(client, oakfield, head, wonde):
    client.force_login(head)
    client.post(reverse("roster:settings", args=[oakfield.slug]),
                {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert not RosterSettings.objects.filter(provider_school_id=SCHOOL_ID).exists()
    assert FakeWonde.requests == []


def test_it_refuses_a_wonde_id_whose_school_has_another_urn_and_saves_nothing(client, oakfield, site_admin, wonde):
    FakeWonde.school = {**FakeWonde.school, "urn": 123456}
    client.force_login(site_admin)
    response = client.post(reverse("roster:settings", args=[oakfield.slug]),
                           {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert response.status_code == 400
    assert "is not this school" in response.content.decode()
    assert not RosterSettings.objects.filter(provider_school_id=SCHOOL_ID).exists()


def test_it_refuses_a_wonde_id_another_school_has_already(client, oakfield, riverside, site_admin, wonde):
    RosterSettings.objects.create(school=riverside, provider_school_id=SCHOOL_ID)
    client.force_login(site_admin)
    response = client.post(reverse("roster:settings", args=[oakfield.slug]),
                           {"dfe_number": "", "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert response.status_code == 400 and "already another school" in response.content.decode()
    assert not RosterSettings.objects.filter(school=oakfield, provider_school_id=SCHOOL_ID).exists()
    assert FakeWonde.requests == []  # refused before Wonde is asked


@pytest.mark.parametrize(("dfe_number", "saved", "message"), [
    ("873/2345", True, ""),
    ("873/9999", False, "Wonde gives its DfE number as 8732345, and this school&#x27;s is 8739999"),
    ("", False, "Wonde gives no URN for the school"),
])
def test_it_checks_a_school_wonde_gives_no_urn_for_by_its_la_code_and_establishment_number(
        client, oakfield, site_admin, wonde, dfe_number, saved, message):
    FakeWonde.school = {**FakeWonde.school, "urn": None}
    client.force_login(site_admin)
    response = client.post(reverse("roster:settings", args=[oakfield.slug]),
                           {"dfe_number": dfe_number, "provider_school_id": SCHOOL_ID, "api_staff_role": ""})
    assert RosterSettings.objects.filter(provider_school_id=SCHOOL_ID).exists() is saved
    if saved:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and message in response.content.decode()


def test_it_refuses_another_schools_wonde_id_in_the_service_before_asking_wonde(oakfield, riverside, site_admin,
                                                                                 wonde):
    RosterSettings.objects.create(school=riverside, provider_school_id=SCHOOL_ID)
    with pytest.raises(RuleBroken, match="already another school"):
        services.save_roster_settings(school=oakfield, actor=site_admin, dfe_number="",
                                      provider_school_id=SCHOOL_ID, api_staff_role=None)
    assert FakeWonde.requests == [] and not RosterSettings.objects.filter(school=oakfield).exists()


def test_it_refuses_a_wonde_id_another_school_saved_at_the_same_moment(oakfield, riverside, site_admin, wonde,
                                                                       monkeypatch):
    real_exists = QuerySet.exists

    def blind_to_settings(self):  # the other school's row is not there yet when the checks look for it
        return False if self.model is RosterSettings else real_exists(self)

    monkeypatch.setattr(QuerySet, "exists", blind_to_settings)
    RosterSettings.objects.create(school=riverside, provider_school_id=SCHOOL_ID)
    with pytest.raises(RuleBroken, match="already another school"):
        services.save_roster_settings(school=oakfield, actor=site_admin, dfe_number="",
                                      provider_school_id=SCHOOL_ID, api_staff_role=None)
    assert RosterSettings.objects.get(provider_school_id=SCHOOL_ID).school == riverside


def test_it_lets_the_database_hold_each_wonde_id_for_one_school_only(oakfield, riverside):
    RosterSettings.objects.create(school=oakfield, provider_school_id=SCHOOL_ID)
    with pytest.raises(IntegrityError), transaction.atomic():
        RosterSettings.objects.create(school=riverside, provider_school_id=SCHOOL_ID)
    RosterSettings.objects.filter(school=oakfield).update(provider_school_id="")
    RosterSettings.objects.create(school=riverside, provider_school_id="")  # many schools with none
    assert RosterSettings.objects.filter(provider_school_id="").count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_disconnects_both_schools_that_shared_a_wonde_id_when_migrating(oakfield, riverside):
    third = SchoolFactory(name="Third Test Primary", slug="third-test", urn="900003")
    before, after = [("roster", "0001_initial")], [("roster", "0002_provider_id_unique_and_fetching")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("roster", "RosterSettings")
        old.objects.create(school_id=oakfield.pk, provider_school_id=SCHOOL_ID)
        old.objects.create(school_id=riverside.pk, provider_school_id=SCHOOL_ID)  # one is another school's roster
        old.objects.create(school_id=third.pk, provider_school_id="C3000000003")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert dict(RosterSettings.objects.values_list("school__slug", "provider_school_id")) == {
            oakfield.slug: "", riverside.slug: "", third.slug: "C3000000003"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
