import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import ResponseMatrix, Subject
from onlinesafety.audit.models import AuditEvent
from tests.factories import PupilFactory, SchoolFactory

from .helpers import bulk_incidents

pytestmark = pytest.mark.django_db


def test_it_lists_a_pupils_cases_newest_first_honouring_restrictions(client, people, pupil, make_incident):
    older = make_incident(pupils=[pupil], occurred_at=timezone.now() - timedelta(days=9))
    newer = make_incident(pupils=[pupil], occurred_at=timezone.now() - timedelta(days=1))
    restricted = make_incident(pupils=[pupil], allegation_subject=people.other_staff)
    make_incident(pupils=[PupilFactory(school=pupil.school)])
    url = reverse("incidents:chronology", args=[pupil.pk])
    client.force_login(people.dsl)
    assert [i.pk for i in client.get(url).context["page"].object_list] == [newer.pk, older.pk]
    client.force_login(people.head)
    assert restricted.pk in [i.pk for i in client.get(url).context["page"].object_list]


def test_it_builds_a_chronology_in_a_fixed_number_of_queries(client, oakfield, people, pupil,
                                                             django_assert_max_num_queries):
    bulk_incidents(oakfield, people.reporter, 10, pupils=[pupil])
    client.force_login(people.dsl)
    url = reverse("incidents:chronology", args=[pupil.pk])
    with django_assert_max_num_queries(30) as ten:
        client.get(url)
    bulk_incidents(oakfield, people.reporter, 490, pupils=[pupil], start_number=9000)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 500


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_the_incident_log_with_the_paper_logs_columns(client, people, pupil, make_incident):
    incident = make_incident(pupils=[pupil], platform="Class chat", url="https://example.com/x")
    services.acknowledge(incident=incident, actor=people.dsl, expected_version=incident.version)
    make_incident(allegation_subject=people.other_staff, description="Restricted details")
    client.force_login(people.dsl)
    response = client.get(reverse("incidents:export"))
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == ["Case", "Date and time", "Type of incident", "People involved", "System details",
                       "Incident details", "Actions taken and by whom"]
    assert len(rows) == 2  # the restricted allegation is not the DSL's to export
    row = rows[1]
    assert row[0] == incident.reference and "Poppy Example (pupil, involved)" in row[3]
    assert "Class chat" in row[4] and "https://example.com/x" in row[4]
    assert f"Acknowledged — {people.dsl.full_name}" in row[6]
    event = AuditEvent.objects.get(verb="incident.log_exported")
    assert (event.actor, event.detail) == (people.dsl, {"rows": 1})


def test_it_neutralises_spreadsheet_formulas_in_the_export(client, people, make_incident):
    make_incident(description="=HYPERLINK(\"http://evil.example\")")
    client.force_login(people.dsl)
    assert read_csv(client.get(reverse("incidents:export")))[1][5].startswith("'=")


def test_it_gives_every_new_school_the_default_categories_and_response_tables():
    school = SchoolFactory()
    codes = set(school.incident_categories.values_list("code", flat=True))
    assert {"cyberbullying", "indecent_images", "harmful_ai", "staff_conduct", "other"} <= codes
    assert len(codes) == 16
    assert not school.incident_categories.get(code="youth_imagery").accepts_uploads
    tables = ResponseMatrix.objects.get(school=school)
    assert tables.number == 1 and tables.cells.filter(behaviour__startswith="s_").exists()


def test_it_has_one_response_table_only_the_category_matrix_is_gone(client, people):
    client.force_login(people.dsl)
    assert client.get("/incidents/responses/").status_code == 404
    assert client.get(reverse("incidents:response_tables")).status_code == 200


def test_it_offers_the_staff_table_for_an_allegation(people, make_incident):
    from incidents.selectors import case_subject

    pupil_case = make_incident()
    staff_case = make_incident(allegation_subject=people.other_staff)
    assert (case_subject(pupil_case), case_subject(staff_case)) == (Subject.PUPIL, Subject.STAFF)


def test_it_links_the_chronology_from_the_pupil_page_for_the_safeguarding_team(client, people, pupil):
    url = reverse("incidents:chronology", args=[pupil.pk])
    client.force_login(people.dsl)
    assert url in client.get(reverse("schools:pupil_detail", args=[pupil.pk])).content.decode()
    client.force_login(people.other_staff)
    assert url not in client.get(reverse("schools:pupil_detail", args=[pupil.pk])).content.decode()


def test_it_writes_the_log_in_the_schools_time_zone(client, oakfield, people, make_incident):
    import datetime as dt

    oakfield.timezone = "Asia/Tokyo"
    oakfield.save()
    make_incident(occurred_at=dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc))
    client.force_login(people.dsl)
    assert read_csv(client.get(reverse("incidents:export")))[1][1] == "01/06/2026 21:00"
