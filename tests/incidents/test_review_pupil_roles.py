"""Review of pupils' roles in an incident (issue 14): faults found, each a failing test until it is fixed."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from .test_step_up_review import second_factor_given

pytestmark = pytest.mark.django_db


# Migrations that were on main before roles existed (commit 346b523): a database migrated then has them applied.
ON_MAIN_BEFORE_ROLES = ["0010_checklists", "0011_reports_from_pupils_and_parents", "0012_retire_category_matrix"]


def test_it_migrates_a_database_already_at_the_checklists_migrations():
    """WRONG: 0009_pupil_roles was inserted *before* 0010_checklists, and 0010 (already on main and applied) was
    edited to depend on it. A database migrated before roles has 0010-0012 applied and 0009_pupil_roles not, so
    ``migrate`` stops with InconsistentMigrationHistory. EXPECTED: the roles migration comes after the latest
    migration that was already merged (e.g. 0013_pupil_roles depending on 0012), and applied migrations are not
    edited."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = {key for key in loader.graph.nodes if key[0] != "incidents"}
    applied |= {("incidents", name) for name in ["0001_initial", "0002_timeline_evidence_not_stored",
                                                 "0003_case_counter", "0004_action_closed_with_case",
                                                 "0005_location_not_known", "0006_response_tables",
                                                 "0007_illegal_branch", "0008_timeline_kinds_of_both",
                                                 *ON_MAIN_BEFORE_ROLES]}
    missing = [(key, parent) for key in applied if key in loader.graph.nodes
               for parent in loader.graph.node_map[key].parents
               if parent.key not in applied and parent.key[0] == "incidents"]
    assert missing == []


def test_it_holds_back_a_pupils_role_on_the_chronology_where_it_holds_back_the_case(client, people, make_incident,
                                                                                      pupil):
    """WRONG: the chronology holds back what a case says when opening it would ask for the second factor again
    (an old case, or an allegation about staff), but the new role line is printed for those cases too: without
    step-up, the head reads that Poppy is the child harmed in an allegation about a member of staff (or the one
    alleged to have caused harm in a case years old). EXPECTED: the role is held back with the description on those
    cases ("Open the case to read it"), as the case page itself would ask first."""
    TOTP.activate(people.head, pyotp.random_base32())
    case = make_incident(pupils=[pupil], pupil_roles={pupil.pk: "affected"}, allegation_subject=people.reporter,
                         description="A member of staff messaged a pupil at night.")
    client.force_login(people.head)
    second_factor_given(client, people.head, minutes_ago=20)
    assert client.get(reverse("incidents:case", args=[case.pk])).status_code == 302  # the case page asks
    page = client.get(reverse("incidents:chronology", args=[pupil.pk])).content.decode()
    assert case.reference in page and "Open the case to read it" in page  # the description is held back
    assert "affected (harmed)" not in page, "the chronology shows the pupil's role in a held-back case"
