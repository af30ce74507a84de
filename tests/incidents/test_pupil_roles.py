"""Each pupil linked to an incident has a role in it (affected, alleged to have caused harm, witness, involved): the
reporter chooses it, nothing chosen in advance; the team changes it, audited; a pupil's chronology shows that pupil's
role only; governors see counts by role, suppressed; continued infringements count only the cases where the pupil is
alleged to have caused harm."""

import datetime
import re
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from governors import figures
from incidents import services
from incidents.models import Behaviour as B, Incident, IncidentPupil, PupilRole, TimelineEntry
from incidents.selectors import continued_infringements, term_figures
from onlinesafety.audit.models import AuditEvent
from onlinesafety.reporting import ReportPeriod
from onlinesafety.rules import NotAllowed, RuleBroken
from tests.factories import PupilFactory, TermFactory

from .test_quick_report import URL, minimum
from .test_response_tables import case_page, record
from .test_step_up_review import second_factor_given

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(oakfield):
    return PupilFactory(school=oakfield, first_name="Tobias", last_name="Harkness")


@pytest.fixture
def wendy(oakfield):
    return PupilFactory(school=oakfield, first_name="Wendeline", last_name="Osgood")


def roles_of(incident):
    return dict(IncidentPupil.objects.filter(incident_id=incident.pk).values_list("pupil_id", "role"))


# ---------------------------------------------------------------- the report form

def test_it_records_the_role_the_reporter_chose_for_each_pupil(client, people, pupil, tom, wendy):
    client.force_login(people.reporter)
    data = {**minimum(), "pupils": [pupil.pk, tom.pk, wendy.pk],
            f"role_{pupil.pk}": "affected", f"role_{tom.pk}": "caused_harm", f"role_{wendy.pk}": "witness"}
    response = client.post(URL, data)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert roles_of(incident) == {pupil.pk: "affected", tom.pk: "caused_harm", wendy.pk: "witness"}


def test_it_preselects_no_role(client, people, pupil):
    client.force_login(people.reporter)
    results = client.post(reverse("incidents:pupil_search"), {"pupil_q": "popp"}).content.decode()
    select = results[results.index(f'name="role_{pupil.pk}"'):]
    select = select[:select.index("</select>")]
    assert "selected" not in select and "disabled" in select  # sent only once ticked, and then chosen by hand
    assert '<option value="">Choose their role</option>' in select
    # Shown again after another error, the role question still has nothing chosen.
    page = client.post(URL, {**minimum(), "pupils": [pupil.pk], "description": ""}).content.decode()
    again = page[page.index(f'id="id_role_{pupil.pk}"'):]
    assert "selected" not in again[:again.index("</select>")]


def test_it_refuses_a_ticked_pupil_without_a_role_saying_which(client, people, pupil, tom):
    client.force_login(people.reporter)
    response = client.post(URL, {**minimum(), "pupils": [pupil.pk, tom.pk], f"role_{tom.pk}": "witness"})
    page = response.content.decode()
    assert response.status_code == 200 and not Incident.objects.exists()
    message = escape("Choose the role of Poppy Example in what happened (affected, alleged to have caused harm, "
                     "witness or involved), or untick them")
    assert f'<a class="alert-link" href="#id_role_{pupil.pk}">{message}</a>' in page  # the summary links to it
    assert f'id="id_role_{pupil.pk}-error">{message}' in page and 'aria-invalid="true"' in page
    assert escape("Tobias Harkness in what happened") not in page
    # The role chosen for the other pupil is kept.
    kept = page[page.index(f'id="id_role_{tom.pk}"'):]
    assert '<option value="witness" selected>' in kept[:kept.index("</select>")]


def test_it_refuses_a_role_not_on_the_list(client, people, pupil):
    client.force_login(people.reporter)
    page = client.post(URL, {**minimum(pupil), f"role_{pupil.pk}": "ringleader"}).content.decode()
    assert escape("Choose the role of Poppy Example from the list") in page and not Incident.objects.exists()
    with pytest.raises(RuleBroken):
        services.report_incident(school=pupil.school, reporter=people.reporter, pupils=[pupil],
                                 pupil_roles={pupil.pk: "ringleader"}, **_fields(pupil.school))
    assert not Incident.objects.exists()


def _fields(school):
    from .helpers import incident_fields
    return incident_fields(school)


# ---------------------------------------------------------------- the team changes a role

def test_it_changes_a_pupils_role_through_an_audited_service(people, make_incident, pupil, tom):
    incident = make_incident(pupils=[pupil, tom], pupil_roles={pupil.pk: "involved", tom.pk: "affected"})
    services.set_pupil_role(incident=incident, actor=people.dsl, pupil=pupil, role=PupilRole.CAUSED_HARM,
                            expected_version=incident.version)
    assert roles_of(incident) == {pupil.pk: "caused_harm", tom.pk: "affected"}
    entry = incident.timeline.get(kind=TimelineEntry.Kind.PUPIL_ROLE)
    assert entry.text == "Poppy Example: Alleged to have caused harm (was involved)"
    event = AuditEvent.objects.get(verb="incident.pupil_role_changed")
    assert event.detail == {"pupil_id": pupil.pk, "role": "caused_harm", "was": "involved"}
    assert "Poppy" not in str(event.detail)
    incident.refresh_from_db()
    with pytest.raises(RuleBroken, match="already recorded"):
        services.set_pupil_role(incident=incident, actor=people.dsl, pupil=pupil, role=PupilRole.CAUSED_HARM,
                                expected_version=incident.version)
    with pytest.raises(services.StaleCase):
        services.set_pupil_role(incident=incident, actor=people.dsl, pupil=tom, role=PupilRole.WITNESS,
                                expected_version=incident.version - 1)
    with pytest.raises(RuleBroken, match="not linked"):
        services.set_pupil_role(incident=incident, actor=people.dsl, pupil=PupilFactory(school=pupil.school),
                                role=PupilRole.WITNESS, expected_version=incident.version)
    with pytest.raises(NotAllowed):  # the reporter reads their report's status, and changes nothing
        services.set_pupil_role(incident=incident, actor=people.reporter, pupil=tom, role=PupilRole.WITNESS,
                                expected_version=incident.version)
    assert roles_of(incident)[tom.pk] == "affected"


def test_it_lets_the_dsl_change_a_role_on_the_case_page(client, people, make_incident, pupil):
    incident = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "involved"})
    client.force_login(people.dsl)
    page = case_page(client, incident)
    form = page[page.index('id="pupil-role-change"'):]
    form = form[:form.index("</form>")]
    # Neither pupil nor role is chosen for them: only the empty choices are selected.
    assert re.findall(r'<option value="([^"]*)" selected>', form) == ["", ""]
    url = reverse("incidents:change", args=[incident.pk, "pupil_role"])
    refused = client.post(url, {"pupil_role-version": incident.version, "pupil_role-pupil": pupil.pk})
    assert refused.status_code == 400 and "Choose the pupil&#x27;s role in this case" in refused.content.decode()
    response = client.post(url, {"pupil_role-version": incident.version, "pupil_role-pupil": pupil.pk,
                                 "pupil_role-role": "witness"})
    assert response.status_code == 302 and roles_of(incident) == {pupil.pk: "witness"}
    assert "Pupil: witness" in case_page(client, incident)


# ---------------------------------------------------------------- where roles are shown

def test_it_shows_a_pupil_their_own_role_on_their_chronology_and_never_anothers(
        client, people, make_incident, pupil, tom):
    make_incident(pupils=[pupil, tom], pupil_roles={pupil.pk: "affected", tom.pk: "caused_harm"})
    client.force_login(people.dsl)
    poppy = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    assert "Poppy's role: <strong>affected (harmed)</strong>" in poppy
    assert "caused harm" not in poppy and "Tobias" not in poppy and "Harkness" not in poppy
    tobias = client.get(reverse("incidents:chronology", args=[tom.pk])).content.decode()
    assert "Tobias's role: <strong>alleged to have caused harm</strong>" in tobias
    assert "affected" not in tobias and "Poppy" not in tobias


def test_it_shows_roles_on_the_case_only_to_those_who_may_read_it(client, people, make_incident, pupil, tom):
    incident = make_incident(pupils=[pupil, tom], pupil_roles={pupil.pk: "affected", tom.pk: "caused_harm"})
    client.force_login(people.dsl)
    page = case_page(client, incident)
    assert "Pupil: affected (harmed)" in page and "Pupil: alleged to have caused harm" in page
    client.force_login(people.reporter)  # reported it: sees its status and feedback only
    reporter_view = case_page(client, incident)
    assert "caused harm" not in reporter_view and "affected" not in reporter_view
    client.force_login(people.other_staff)
    assert client.get(reverse("incidents:case", args=[incident.pk])).status_code == 404


def test_it_shows_everyone_linked_under_one_people_heading_with_their_kind(client, people, make_incident, pupil):
    incident = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "witness"},
                             other_people="An unknown adult on a game", allegation_subject=people.other_staff)
    incident.staff_involved.set([people.osl])
    client.force_login(people.head)  # an allegation about staff: the head's
    page = case_page(client, incident)
    people_section = page[page.index('id="people"'):]
    people_section = people_section[:people_section.index("</section>")]
    assert '<h2 class="h4" id="people-heading">People</h2>' in people_section
    for name, kind in ((pupil.full_name, "Pupil: witness"), (people.osl.full_name, "Staff involved"),
                       (people.other_staff.full_name, "Adult the allegation is about"),
                       ("An unknown adult on a game", "Adults outside school (described, no account)")):
        row = people_section[people_section.index(escape(name)):]
        assert row.index(kind) < row.index("</tr>"), name


def test_it_exports_each_pupils_role_in_the_log(client, people, make_incident, pupil):
    from .test_chronology_and_log import read_csv

    make_incident(pupils=[pupil], pupil_roles={pupil.pk: "affected"})
    client.force_login(people.dsl)
    rows = read_csv(client.get(reverse("incidents:export")))
    assert "Poppy Example (pupil, affected (harmed))" in rows[1][3]


# ---------------------------------------------------------------- continued infringements

def _case(make_incident, people, pupils, roles, behaviour, days_ago=1):
    incident = make_incident(pupils=pupils, pupil_roles=dict(zip([p.pk for p in pupils], roles, strict=True)),
                             occurred_at=timezone.now() - timedelta(days=days_ago))
    record(incident, people, behaviour)
    return incident


def test_it_counts_continued_infringements_only_where_the_pupil_is_alleged_to_have_caused_harm(
        client, people, make_incident, pupil, tom, oakfield):
    client.force_login(people.dsl)
    # Poppy harmed twice and a witness once, each case recording a behaviour: none of those is hers to count.
    _case(make_incident, people, [pupil, tom], ["affected", "caused_harm"], B.P_OFFENSIVE_MESSAGE, 30)
    _case(make_incident, people, [pupil, tom], ["affected", "caused_harm"], B.P_OFFENSIVE_MESSAGE, 20)
    witnessed = _case(make_incident, people, [pupil], ["witness"], B.P_DEVICES, 10)
    assert continued_infringements(people.dsl, oakfield, witnessed) is None
    # Tobias is at his third case as the one said to have caused harm.
    third = _case(make_incident, people, [pupil, tom], ["affected", "caused_harm"], B.P_SOCIAL_MEDIA, 5)
    continued = continued_infringements(people.dsl, oakfield, third)
    assert continued is not None and [(p.pk, n) for p, n in continued.pupils] == [(tom.pk, 3)]
    page = case_page(client, third)
    assert "Tobias Harkness: 3 cases" in page and "Poppy Example:" not in page
    # Only "involved" (a link from before roles, or a role not known yet) does not count either.
    involved = _case(make_incident, people, [pupil], ["involved"], B.P_PROXY, 2)
    assert continued_infringements(people.dsl, oakfield, involved) is None
    triage = client.get(reverse("incidents:triage"), {"queue": "new"}).content.decode()
    assert triage.count("Continued infringements</span>") == 3  # Tobias's three cases, none of Poppy's own


def test_it_does_not_escalate_a_case_where_the_pupil_at_the_threshold_was_harmed(
        people, make_incident, pupil, tom, oakfield):
    for days in (30, 20, 10):
        _case(make_incident, people, [tom], ["caused_harm"], B.P_OFFENSIVE_MESSAGE, days)
    # Tobias is at continued infringements; in this case he is the one harmed.
    harmed = _case(make_incident, people, [tom, pupil], ["affected", "caused_harm"], B.P_OFFENSIVE_MESSAGE, 1)
    assert continued_infringements(people.dsl, oakfield, harmed) is None


# ---------------------------------------------------------------- governors' figures

@pytest.fixture
def term(oakfield):
    today = timezone.localdate()
    return TermFactory(school=oakfield, name="This term", starts_on=today - datetime.timedelta(days=30),
                       ends_on=today + datetime.timedelta(days=30))


def test_it_counts_pupils_by_role_for_governors_each_pupil_once_suppressed(people, make_incident, oakfield, term):
    affected = [PupilFactory(school=oakfield) for _ in range(4)]
    harmer, witness = PupilFactory(school=oakfield), PupilFactory(school=oakfield)
    for victim in affected:
        make_incident(pupils=[victim, harmer, witness],
                      pupil_roles={victim.pk: "affected", harmer.pk: "caused_harm", witness.pk: "witness"})
    make_incident(pupils=[affected[0]], pupil_roles={affected[0].pk: "affected"})  # harmed twice: one pupil
    counts = term_figures(oakfield, ReportPeriod.of_term(term))["pupils_by_role"]
    assert counts == {"affected": 4, "caused_harm": 1, "witness": 1}
    data = figures.collect(oakfield, term)
    rows = {label: (str(now), before) for label, now, before in figures.tables(data)["pupil_roles"]}
    assert rows == {"Pupils affected (harmed)": ("4", None),
                    "Pupils alleged to have caused harm": ("fewer than 3", None),
                    "Pupils who witnessed it": ("fewer than 3", None), "Pupils otherwise involved": ("0", None)}


def test_it_prints_pupil_roles_in_the_governors_pdf_naming_nobody(people, make_incident, oakfield, pupil, tom):
    import io

    from pypdf import PdfReader

    from governors import services as governor_services

    today = timezone.localdate()
    ended = TermFactory(school=oakfield, name="Last term", starts_on=today - datetime.timedelta(days=60),
                        ends_on=today - datetime.timedelta(days=1))
    incident = make_incident(pupils=[pupil, tom], pupil_roles={pupil.pk: "affected", tom.pk: "caused_harm"},
                             occurred_at=timezone.now() - timedelta(days=30))
    Incident.objects.filter(pk=incident.pk).update(reported_at=timezone.now() - timedelta(days=30))
    report = governor_services.request_report(school=oakfield, term=ended)
    governor_services.build(report.pk)
    report.refresh_from_db()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.file.read())).pages)
    assert "Pupils by their role" in text
    assert "Pupils affected (harmed) fewer than 3" in text and "Pupils alleged to have caused harm fewer than 3" in text
    assert "Poppy" not in text and "Tobias" not in text


def test_it_reads_last_terms_report_made_before_roles_as_not_known(people, make_incident, oakfield, term):
    data = figures.collect(oakfield, term)
    data.previous = figures.TermFigures(term=term, incidents={k: v for k, v in data.current.incidents.items()
                                                              if k != "pupils_by_role"},
                                        policies=data.current.policies, filtering=data.current.filtering)
    assert [before for _, _, before in figures.tables(data)["pupil_roles"]] == [None] * 4


# ---------------------------------------------------------------- existing links

@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_links_made_before_roles_as_involved_when_migrating(oakfield, people, pupil, tom):
    before, after = [("incidents", "0012_retire_category_matrix")], [("incidents", "0013_pupil_roles")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        old = apps.get_model("incidents", "Incident")
        category = apps.get_model("incidents", "IncidentCategory").objects.create(school_id=oakfield.pk, code="x",
                                                                                 name="X")
        incident = old.objects.create(school_id=oakfield.pk, number=1, reported_by_id=people.reporter.pk,
                                      occurred_at=timezone.now(), location="in_school", category=category,
                                      description="Before roles")
        old.pupils.through.objects.create(incident_id=incident.pk, pupil_id=pupil.pk)
        old.pupils.through.objects.create(incident_id=incident.pk, pupil_id=tom.pk)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert roles_of(incident) == {pupil.pk: "involved", tom.pk: "involved"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# ---------------------------------------------------------------- the demo

def test_it_gives_the_demo_cases_pupils_with_roles(settings):
    from django.core.management import call_command
    from django.db.models import Count, Q

    from onlinesafety.schools.models import School

    settings.DEMO_PASSWORD = "demo-password-for-tests"
    call_command("seed_demo", quiet_logins=True)
    oakfield = School.objects.get(slug="oakfield")
    cases = Incident.objects.filter(school=oakfield)
    three_parts = cases.filter(category__code="cyberbullying").annotate(
        affected=Count("pupil_links", filter=Q(pupil_links__role="affected")),
        harmed=Count("pupil_links", filter=Q(pupil_links__role="caused_harm")),
        witnesses=Count("pupil_links", filter=Q(pupil_links__role="witness")),
    ).filter(affected__gte=1, harmed__gte=1, witnesses__gte=1)
    assert three_parts.count() >= 3
    roles = set(IncidentPupil.objects.filter(incident__school=oakfield).values_list("role", flat=True))
    assert roles == set(PupilRole.values)
    assert TimelineEntry.objects.filter(incident__school=oakfield, kind=TimelineEntry.Kind.PUPIL_ROLE).count() == 1


# Migrations merged before the roles' one: a database migrated then has them applied, so roles must come after.
MERGED_BEFORE_ROLES = ["0010_checklists", "0011_reports_from_pupils_and_parents", "0012_retire_category_matrix"]


def test_it_migrates_a_database_already_at_the_migrations_merged_before_roles():
    """A database migrated with the checklists, the outside reports and the retired matrix (0010-0012) but not
    yet the roles moves forward: the roles migration (0013) depends on them, and none of them depends on it (which
    would stop ``migrate`` with InconsistentMigrationHistory)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = {key for key in loader.graph.nodes if key[0] != "incidents"}
    applied |= {("incidents", name) for name in ["0001_initial", "0002_timeline_evidence_not_stored",
                                                 "0003_case_counter", "0004_action_closed_with_case",
                                                 "0005_location_not_known", "0006_response_tables",
                                                 "0007_illegal_branch", "0008_timeline_kinds_of_both",
                                                 *MERGED_BEFORE_ROLES]}
    missing = [(key, parent) for key in applied if key in loader.graph.nodes
               for parent in loader.graph.node_map[key].parents
               if parent.key not in applied and parent.key[0] == "incidents"]
    assert missing == []


def test_it_holds_back_a_pupils_role_on_the_chronology_where_it_holds_back_the_case(client, people, make_incident,
                                                                                      pupil):
    """Where the chronology holds back what a case says until the second factor is given again (an allegation about
    staff, an old case), it holds back the pupil's role too: which child was harmed in an allegation is what the
    case says."""
    TOTP.activate(people.head, pyotp.random_base32())
    case = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "affected"}, allegation_subject=people.reporter,
                         description="A member of staff messaged a pupil at night.")
    client.force_login(people.head)
    second_factor_given(client, people.head, minutes_ago=20)
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 302  # the case page asks
    page = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    assert case.reference in page and "Open the case to read it" in page  # the description is held back
    assert "affected (harmed)" not in page, "the chronology shows the pupil's role in a held-back case"
