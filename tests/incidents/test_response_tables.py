"""The response tables as in the seeds: a behaviour for every row of the learner and staff tables of seeds 001 and
004, cells required / suggested / blank, recorded on a case, continued infringements at the school's threshold,
edited in the app as a new version (audited, old versions kept), and fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents import defaults, services
from incidents.forms import cell_field_name
from incidents.models import Behaviour, CaseBehaviour, CategoryCode, Expectation, MatrixCell, Response, ResponseMatrix
from incidents.selectors import current_response_tables, response_tables
from onlinesafety.audit.models import AuditEvent
from tests.factories import PupilFactory, SchoolFactory

pytestmark = pytest.mark.django_db

B, R = Behaviour, Response

# Every row of the seeds' four response tables, in the order the seeds give them, by the behaviour it became.
SEED_ROWS = {
    "001 pupils": [
        "Deliberately looking for content that could be illegal",
        "Using sites that have nothing to do with the lesson, without permission",
        "Using a phone, camera or other device without permission (including taking pictures)",
        "Personal use of social media, messaging or personal email on school devices",
        "Downloading, uploading or sharing files without permission",
        "Letting others into the school network by sharing a password",
        "Getting into, or trying to get into, the network as another pupil",
        "Getting into, or trying to get into, the network as a member of staff",
        "Damaging or deleting other people's files or data",
        "Sending an offensive, harassing or bullying message",
        "Continued infringements after a warning or sanction",
        "Conduct that could damage the school's reputation or goes against its values",
        "Getting round the school's filtering (a proxy, VPN or other trick)",
        "Coming across offensive content by accident and not telling",
        "Deliberately looking for offensive or pornographic content",
        "Receiving or passing on material that breaks copyright or data protection",
    ],
    "001 staff": [
        "Deliberately looking for content that could be illegal (staff)",
        "Inappropriate personal use of the internet, social media or personal email",
        "Downloading, uploading or sharing files without permission (staff)",
        "Sharing a password, or using someone else's account on the school network",
        "Careless handling of personal data (shown, kept or sent insecurely)",
        "Knowingly breaching the data protection or network security rules",
        "Damaging other people's data, or the school's hardware or software",
        "Sending an offensive, harassing or bullying message (staff)",
        "Using personal email or messaging for school business with pupils or parents",
        "Conduct that could undermine their professional standing",
        "Conduct that could damage the school's reputation (staff)",
        "Getting round the school's filtering (a proxy, VPN or other trick) (staff)",
        "Coming across offensive content by accident and not reporting it",
        "Deliberately looking for offensive or pornographic content (staff)",
        "Breaking copyright or licensing rules",
        "Continued infringements after a warning or sanction (staff)",
    ],
    "004 pupils": [
        "Deliberately looking for content that could be illegal",
        # 004 puts sharing a password and using another pupil's or a staff account in one row.
        "Getting into, or trying to get into, the network as another pupil"
        " + Getting into, or trying to get into, the network as a member of staff"
        " + Letting others into the school network by sharing a password",
        "Damaging or deleting other people's files or data",
        "Sending an offensive, harassing or bullying message",
        "Downloading, uploading or sharing files without permission",
        "Getting round the school's filtering (a proxy, VPN or other trick)",
        "Coming across offensive content by accident and not telling",
        "Deliberately looking for offensive or pornographic content",
        "Receiving or passing on material that breaks copyright or data protection",
        "Using a phone, camera or other device without permission (including taking pictures)",
        "Using online services the school has not allowed",
        "Conduct that could damage the school's reputation or goes against its values",
        "Continued infringements after a warning or sanction",
    ],
    "004 staff": [
        "Deliberately looking for content that could be illegal (staff)",
        "Knowingly breaching the data protection or network security rules",
        "Deliberately looking for offensive or pornographic content (staff)",
        "Damaging other people's data, or the school's hardware or software",
        "Getting round the school's filtering (a proxy, VPN or other trick) (staff)",
        "Downloading, uploading or sharing files without permission (staff)",
        "Breaking copyright or licensing rules",
        "Sharing a password, or using someone else's account on the school network",
        "Sending an offensive, harassing or bullying message (staff)",
        "Using personal email or messaging for school business with pupils or parents",
        "Inappropriate personal use of the internet, social media or personal email",
        "Careless handling of personal data (shown, kept or sent insecurely)",
        "Conduct that could undermine their professional standing",
        "Conduct that could damage the school's reputation (staff)",
        "Failing to report incidents, deliberate or accidental",
        "Continued infringements after a warning or sanction (staff)",
    ],
}


def cells_of(matrix):
    return {(c.behaviour, c.response): c.expectation for c in matrix.cells.all()}


def tables_payload(school, changes=(), **settings):
    """The tables page's form as the school's current version fills it, with ``changes`` made to it."""
    current = current_response_tables(school)
    data = {"based_on": current.number, "continued_threshold": current.continued_threshold,
            "continued_period_days": current.continued_period_days}
    for table in response_tables(current):
        for code, _, cells in table["rows"]:
            for response, value in cells:
                data[cell_field_name(code, response)] = value
    for (behaviour, response), value in dict(changes).items():
        data[cell_field_name(behaviour, response)] = value
    data.update(settings)
    return data


def record(incident, people, *behaviours):
    incident.refresh_from_db()
    services.record_behaviours(incident=incident, actor=people.dsl, behaviours=list(behaviours),
                               expected_version=incident.version)


def case_page(client, incident):
    return client.get(reverse("incidents:case", args=[incident.pk])).content.decode()


def test_it_has_its_own_behaviour_for_every_row_of_the_seeds_tables():
    assert {table: len(rows) for table, rows in SEED_ROWS.items()} == {
        "001 pupils": 16, "001 staff": 16, "004 pupils": 13, "004 staff": 16}
    assert sum(len(rows) for rows in SEED_ROWS.values()) == 61
    for table, rows in defaults.SEED_TABLES.items():
        assert [" + ".join(b.label for b in behaviours) for behaviours, _ in rows] == SEED_ROWS[table], table
    used = {b for rows in defaults.SEED_TABLES.values() for behaviours, _ in rows for b in behaviours}
    assert used == set(Behaviour) and len(Behaviour) == 34  # each behaviour stands for a seed row, and no other
    # Behaviours are not the incident categories: a case has one category and may concern several behaviours.
    assert not {b.label for b in Behaviour} & {c.label for c in CategoryCode}
    # The responses include every column of both seeds.
    columns = {r for cols in defaults.SEED_COLUMNS.values() for col in cols
               for r in (col if isinstance(col, tuple) else (col,))}
    assert {R.REFER_CLASS_TEACHER, R.REFER_DSL, R.REFER_HEADTEACHER, R.REFER_POLICE, R.REFER_SOCIAL_CARE,
            R.REFER_TECHNICAL, R.INFORM_PARENTS, R.REMOVE_ACCESS, R.WARNING, R.FURTHER_SANCTION, R.REFER_LA_HR,
            R.SUSPENSION, R.DISCIPLINARY, R.REFER_LINE_MANAGER, R.REFER_OSL} <= columns
    assert R.REFER_HEAD_OF_YEAR in R.values  # no seed column, but offered in the tables to tick


def test_it_gives_a_new_school_version_1_merged_from_the_seeds_with_possibly_as_suggested():
    school = SchoolFactory()
    matrix = ResponseMatrix.objects.get(school=school)
    assert (matrix.number, matrix.continued_threshold, matrix.continued_period_days) == (1, 3, 365)
    cells = cells_of(matrix)
    assert cells[(B.P_PROXY, R.REFER_CLASS_TEACHER)] == Expectation.REQUIRED  # both seeds tick it
    assert cells[(B.P_PROXY, R.INFORM_PARENTS)] == Expectation.POSSIBLY  # 001 ticks it, 004 says "possibly"
    assert cells[(B.P_ILLEGAL, R.REFER_SOCIAL_CARE)] == Expectation.REQUIRED  # only 004 has the column
    assert cells[(B.P_PUPIL_ACCOUNT, R.REMOVE_ACCESS)] == Expectation.POSSIBLY  # 004's poss
    assert cells[(B.S_CORRUPT_DATA, R.STAFF_WARNING)] == Expectation.POSSIBLY  # 004's "?"
    assert (B.P_CORRUPT_DATA, R.INFORM_PARENTS) not in cells  # blank in both
    assert cells[(B.S_FAILING_TO_REPORT, R.REFER_HEADTEACHER)] == Expectation.REQUIRED
    assert AuditEvent.objects.filter(verb="incident.default_response_tables_added", school=school).exists()


def test_it_fills_the_tables_of_schools_made_before_the_migration(oakfield):
    import importlib

    from django.apps import apps

    ResponseMatrix.objects.filter(school=oakfield).delete()
    migration = importlib.import_module("incidents.migrations.0006_response_tables")
    migration.give_each_school_the_default_tables(apps, None)
    matrix = ResponseMatrix.objects.get(school=oakfield)
    assert cells_of(matrix) == {k: v.value for k, v in defaults.default_cells().items()}


def test_it_records_behaviours_on_a_case_and_shows_required_versus_suggested(client, people, make_incident, pupil):
    incident = make_incident(pupils=[pupil])
    client.force_login(people.dsl)
    page = case_page(client, incident)
    assert "No behaviours recorded yet." in page and 'id="behaviours-form"' in page
    url = reverse("incidents:change", args=[incident.pk, "behaviours"])
    refused = client.post(url, {"behaviours-version": incident.version})
    assert refused.status_code == 400
    assert "Tick at least one behaviour the case concerns." in refused.content.decode()
    wrong = client.post(url, {"behaviours-version": incident.version, "behaviours-behaviours": ["s_proxy"]})
    assert "Tick only behaviours from the list: s_proxy is not one of them." in wrong.content.decode()
    response = client.post(url, {"behaviours-version": incident.version, "behaviours-behaviours": ["p_proxy"]})
    assert response.status_code == 302
    row = CaseBehaviour.objects.get(incident=incident)
    assert (row.behaviour, row.matrix.number, row.recorded_by) == (B.P_PROXY, 1, people.dsl)
    event = AuditEvent.objects.get(verb="incident.behaviours_recorded")
    assert event.detail == {"added": ["p_proxy"], "removed": [], "tables_version": 1}
    page = case_page(client, incident)
    section = page[page.index('id="behaviour-p_proxy"'):]
    section = section[:section.index("</div>")]
    required = section[section.index("Required</dt>"):section.index("Suggested</dt>")]
    suggested = section[section.index("Suggested</dt>"):]
    assert "Refer to class teacher" in required and "Inform parents or carers" not in required
    assert "Inform parents or carers" in suggested  # stored as "possibly", shown as suggested
    assert '<span class="badge text-bg-danger me-1">Required</span>Refer to class teacher' in page
    assert '<span class="badge text-bg-secondary me-1">Suggested</span>Inform parents or carers' in page
    # The same behaviours again: refused with a message, nothing written.
    incident.refresh_from_db()
    again = client.post(url, {"behaviours-version": incident.version, "behaviours-behaviours": ["p_proxy"]})
    assert "Those are the behaviours already recorded" in again.content.decode()
    # A stale version: refused, nothing saved.
    stale = client.post(url, {"behaviours-version": incident.version - 1, "behaviours-behaviours": ["p_files"]})
    assert stale.status_code == 409 and not incident.behaviours.filter(behaviour=B.P_FILES).exists()


def test_it_lets_the_dsl_tick_a_required_response_into_an_action(client, people, make_incident, pupil):
    incident = make_incident(pupils=[pupil])
    record(incident, people, B.P_PROXY)
    client.force_login(people.dsl)
    client.post(reverse("incidents:take_responses", args=[incident.pk]), {"response": ["refer_technical"]})
    assert incident.actions.filter(response_code="refer_technical").exists()


def _case_with(make_incident, people, pupil, behaviour, days_ago=1):
    """A case where ``pupil`` is alleged to have caused harm (only those count towards continued infringements)."""
    incident = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "caused_harm"},
                             occurred_at=timezone.now() - timedelta(days=days_ago))
    record(incident, people, behaviour)
    return incident


def test_it_escalates_by_continued_infringements_at_the_threshold_and_not_before(
        client, people, make_incident, pupil, oakfield):
    client.force_login(people.dsl)
    _case_with(make_incident, people, pupil, B.P_FILES, days_ago=400)  # outside the rolling year: not counted
    first = _case_with(make_incident, people, pupil, B.P_PROXY, days_ago=100)
    second = _case_with(make_incident, people, pupil, B.P_DEVICES, days_ago=10)
    other = make_incident(pupils=[PupilFactory(school=oakfield)])  # another pupil's case
    record(other, people, B.P_DEVICES)
    page = case_page(client, second)
    assert 'id="continued-infringements"' not in page  # two behaviours in the year: not yet
    triage = client.get(reverse("incidents:triage"), {"queue": "new"}).content.decode()
    assert "Continued infringements</span>" not in triage
    third = _case_with(make_incident, people, pupil, B.P_SOCIAL_MEDIA)
    page = case_page(client, third)
    assert 'id="continued-infringements"' in page
    assert "Poppy Example: 3 cases with a behaviour recorded in the last 365 days" in page
    escalation = page[page.index('id="continued-infringements"'):]
    escalation = escalation[:escalation.index("</div>")]
    assert "Refer to the headteacher" in escalation and "Further sanction" in escalation
    assert 'id="continued-infringements"' in case_page(client, first)  # the pupil's other cases in the period too
    assert 'id="continued-infringements"' not in case_page(client, other)
    triage = client.get(reverse("incidents:triage"), {"queue": "new"}).content.decode()
    assert triage.count("Continued infringements</span>") == 3  # the three cases in the year, not the fourth


def test_it_takes_the_threshold_and_period_from_the_schools_tables(client, people, make_incident, pupil, oakfield):
    client.force_login(people.dsl)
    client.post(reverse("incidents:response_tables"),
                tables_payload(oakfield, continued_threshold=2, continued_period_days=30))
    _case_with(make_incident, people, pupil, B.P_PROXY, days_ago=40)  # outside 30 days
    second = _case_with(make_incident, people, pupil, B.P_DEVICES, days_ago=5)
    assert 'id="continued-infringements"' not in case_page(client, second)
    third = _case_with(make_incident, people, pupil, B.P_FILES, days_ago=2)
    assert "2 cases with a behaviour recorded in the last 30 days" in case_page(client, third)


def test_it_saves_an_edit_as_a_new_version_audited_and_keeps_the_old_one(
        client, people, make_incident, pupil, oakfield, riverside):
    recorded_before = make_incident(pupils=[pupil])
    record(recorded_before, people, B.P_PROXY)
    riverside_cells = cells_of(current_response_tables(riverside))
    client.force_login(people.dsl)
    page = client.get(reverse("incidents:response_tables")).content.decode()
    assert escape("Getting round the school's filtering (a proxy, VPN or other trick)") in page
    assert "version 1" in page
    response = client.post(reverse("incidents:response_tables"), tables_payload(oakfield, {
        (B.P_PROXY, R.REFER_POLICE): "required", (B.P_PROXY, R.INFORM_PARENTS): "",
        (B.P_PROXY, R.REFER_HEAD_OF_YEAR): "possibly"}))
    assert response.status_code == 302
    versions = list(ResponseMatrix.objects.filter(school=oakfield).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    old, new = cells_of(versions[0]), cells_of(versions[1])
    assert old[(B.P_PROXY, R.INFORM_PARENTS)] == "possibly" and (B.P_PROXY, R.REFER_POLICE) not in old
    assert new[(B.P_PROXY, R.REFER_POLICE)] == "required" and (B.P_PROXY, R.INFORM_PARENTS) not in new
    assert new[(B.P_PROXY, R.REFER_HEAD_OF_YEAR)] == "possibly"
    assert versions[1].created_by == people.dsl
    event = AuditEvent.objects.get(verb="incident.response_tables_changed")
    assert (event.school, event.actor, event.detail["version"], event.detail["previous"],
            event.detail["changed"]) == (oakfield, people.dsl, 2, 1, 3)
    assert cells_of(current_response_tables(riverside)) == riverside_cells  # another school's tables untouched
    assert ResponseMatrix.objects.filter(school=riverside).count() == 1
    # The case recorded under version 1 keeps showing it; a behaviour recorded now takes version 2.
    page = case_page(client, recorded_before)
    section = page[page.index('id="behaviour-p_proxy"'):]
    assert "From version 1 of the response tables." in section[:section.index("</div>")]
    later = make_incident(pupils=[pupil])
    record(later, people, B.P_PROXY)
    page = case_page(client, later)
    section = page[page.index('id="behaviour-p_proxy"'):]
    section = section[:section.index("</div>")]
    assert "From version 2" in section and "Refer to the police" in section


def test_it_refuses_a_stale_or_wrong_edit_with_a_message_and_saves_nothing(client, people, oakfield):
    client.force_login(people.dsl)
    url = reverse("incidents:response_tables")
    stale = client.post(url, tables_payload(oakfield, based_on=0))
    assert stale.status_code == 409
    assert "Someone else saved version 1 of the tables while you were editing them" in stale.content.decode()
    wrong = client.post(url, tables_payload(oakfield, {(B.P_PROXY, R.WARNING): "maybe"}, continued_threshold=1))
    assert wrong.status_code == 400
    text = wrong.content.decode()
    assert "Choose blank, required or suggested." in text and "There is a problem" in text
    assert "Continued infringements need at least 2 cases." in text
    unchanged = client.post(url, tables_payload(oakfield))
    assert unchanged.status_code == 400
    assert "Nothing was saved: the tables are the same as version 1." in unchanged.content.decode()
    assert ResponseMatrix.objects.filter(school=oakfield).count() == 1
    assert not AuditEvent.objects.filter(verb="incident.response_tables_changed").exists()


def test_it_keeps_the_tables_from_staff_and_checks_the_right_again(client, people, oakfield):
    client.force_login(people.other_staff)
    assert client.get(reverse("incidents:response_tables")).status_code == 403
    from onlinesafety.rules import NotAllowed

    with pytest.raises(NotAllowed):
        services.save_response_tables(school=oakfield, actor=people.other_staff, cells={}, continued_threshold=3,
                                      continued_period_days=365, based_on=1)


def count_queries(client, url):
    """How many queries a GET of ``url`` makes (counted as they run, whatever the debug log holds)."""
    from django.db import connection

    seen = []

    def counting(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        assert client.get(url).status_code == 200
    return len(seen)


def _queries(client, url, django_assert_max_num_queries, most):
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200


def test_it_shows_the_tables_page_in_a_fixed_number_of_queries(client, people, oakfield,
                                                               django_assert_max_num_queries):
    client.force_login(people.dsl)
    url = reverse("incidents:response_tables")
    client.get(url)
    first = count_queries(client, url)
    for _ in range(5):
        client.post(url, tables_payload(oakfield, {(B.P_PROXY, R.WARNING): "required"}))
        client.post(url, tables_payload(oakfield, {(B.P_PROXY, R.WARNING): ""}))
    assert ResponseMatrix.objects.filter(school=oakfield).count() == 11
    _queries(client, url, django_assert_max_num_queries, first)


def test_it_shows_the_case_with_behaviours_in_a_fixed_number_of_queries(
        client, people, make_incident, pupil, django_assert_max_num_queries):
    client.force_login(people.dsl)
    incident = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "caused_harm"})
    record(incident, people, B.P_PROXY)
    url = reverse("incidents:case", args=[incident.pk])
    client.get(url)
    first = count_queries(client, url)
    record(incident, people, B.P_PROXY, B.P_FILES, B.P_DEVICES, B.P_SOCIAL_MEDIA)  # one case: still a first time
    for behaviour in (B.P_OFFENSIVE_MESSAGE, B.P_DISREPUTE, B.P_CORRUPT_DATA):
        _case_with(make_incident, people, pupil, behaviour)
    client.post(reverse("incidents:response_tables"), tables_payload(incident.school))  # a version 2 as well
    record(incident, people, B.P_PROXY, B.P_FILES, B.P_DEVICES, B.P_SOCIAL_MEDIA, B.P_ONLINE_SERVICES)
    page = client.get(url).content.decode()
    assert 'id="continued-infringements"' in page
    # Four more queries at most, whatever the number of behaviours, versions and cases: the continued infringements
    # row and its counts.
    _queries(client, url, django_assert_max_num_queries, first + 4)
    assert MatrixCell.objects.exists()


def test_it_gives_the_demo_cases_with_behaviours_and_a_pupil_at_continued_infringements(settings, client):
    from django.core.management import call_command

    from incidents.selectors import continued_infringements
    from onlinesafety.accounts.models import User
    from onlinesafety.schools.models import School

    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    oakfield = School.objects.get(slug="oakfield")
    assert CaseBehaviour.objects.filter(incident__school=oakfield).count() >= 20
    dsl = User.objects.get(email="dsl@oakfield.example")
    latest = (CaseBehaviour.objects.filter(incident__school=oakfield, behaviour=B.P_OFFENSIVE_MESSAGE)
              .select_related("incident").order_by("-incident__occurred_at").first().incident)
    continued = continued_infringements(dsl, oakfield, latest)
    assert continued is not None and continued.pupils[0][1] >= 3


def test_it_shows_an_old_version_to_read(client, people, oakfield):
    client.force_login(people.dsl)
    url = reverse("incidents:response_tables")
    client.post(url, tables_payload(oakfield, {(B.P_PROXY, R.REFER_POLICE): "required"}))
    old = client.get(url, {"version": 1}).content.decode()
    assert "An earlier version" in old and "Version 2 is in force." in old
    row = old[old.index('id="row-p_proxy"'):]
    row = row[:row.index("</tr>")]
    # 001 and 004 merged: both tick class teacher; 001 alone has the online safety lead; they differ on five
    assert row.count("<strong>Required</strong>") == 2 and row.count("Suggested") == 5
    assert "This is the version in force." in client.get(url, {"version": 2}).content.decode()
    assert client.get(url, {"version": 3}).status_code == 404
    assert client.get(url, {"version": "junk"}).status_code == 404
    client.force_login(people.riverside_dsl)
    assert "This is the version in force." in client.get(url, {"version": 1}).content.decode()  # their own
    assert client.get(url, {"version": 2}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_it_saves_one_of_two_edits_sent_at_the_same_moment_and_refuses_the_other(people, oakfield, monkeypatch):
    """Both editors saw version 1; the first is still writing when the second arrives. The second waits for the
    first's commit and is refused as out of date (PostgreSQL in CI, and SQLite), never a duplicate version."""
    import threading
    import time

    from django.db import connection

    real = services.record_event
    both_started = threading.Barrier(2)
    outcomes = []

    def slowly(**kwargs):
        real(**kwargs)
        if kwargs.get("verb") == "incident.response_tables_changed":
            time.sleep(0.5)  # still in the transaction when the other save arrives

    monkeypatch.setattr(services, "record_event", slowly)
    cells = {(behaviour, response): expectation for (behaviour, response), expectation in
             defaults.default_cells().items()}
    cells[(B.P_PROXY, R.REFER_POLICE)] = Expectation.REQUIRED  # a change, or nothing would be saved

    def save():
        try:
            both_started.wait()
            services.save_response_tables(school=oakfield, actor=people.dsl, cells=cells, continued_threshold=3,
                                          continued_period_days=365, based_on=1)
            outcomes.append("saved")
        except services.StaleTables:
            outcomes.append("stale")
        except Exception as error:  # noqa: BLE001 (shown by the assertion below)
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert list(ResponseMatrix.objects.filter(school=oakfield).values_list("number", flat=True).order_by("number")) \
        == [1, 2]
