"""The roster's list pages take a fixed number of queries however many imports, rows or bad lines there are."""

import pytest
from django.urls import reverse

from onlinesafety.roster.models import RosterImport, SavedMapping
from tests.roster.helpers import PUPILS_HEADER, csv_bytes, dry_run, pupil, pupils_csv, run

pytestmark = pytest.mark.django_db


def imports(school, actor, count):
    first = dry_run(school, actor, "pupils", pupils_csv(3))
    RosterImport.objects.bulk_create([RosterImport(
        school=school, kind=first.kind, started_by=actor if n % 2 else None, confirmed_by=actor, status=first.status,
        expires_at=first.expires_at, summary=first.summary, staged=first.staged) for n in range(count)])


@pytest.mark.parametrize("count", [3, 60])
def test_it_lists_the_imports_in_a_fixed_number_of_queries(client, oakfield, head, count,
                                                            django_assert_max_num_queries):
    imports(oakfield, head, count)
    SavedMapping.objects.create(school=oakfield, kind="pupils", mapping={}, saved_by=head)
    client.force_login(head)
    with django_assert_max_num_queries(15):  # measured: 15 at 3 imports and at 60
        response = client.get(reverse("roster:home", args=[oakfield.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 2_000])
def test_it_shows_a_dry_run_in_a_fixed_number_of_queries(client, oakfield, head, count,
                                                          django_assert_max_num_queries):
    run(oakfield, head, "pupils", pupils_csv(count // 2), full=True)
    lines = [pupil(n, surname="Renamed") for n in range(1, count // 2)] + [pupil(n) for n in range(count, count * 2)]
    lines += [pupil(9_000_000 + n, dob="31/02/2016") for n in range(count // 4)]
    roster_import = dry_run(oakfield, head, "pupils", csv_bytes(PUPILS_HEADER, lines), full=True)
    assert roster_import.summary["change"] and roster_import.summary["bad"] and roster_import.summary["leave"]
    client.force_login(head)
    with django_assert_max_num_queries(11):  # measured: 11 at 10 rows and at 2,000
        page = client.get(reverse("roster:import", args=[oakfield.slug, roster_import.pk]))
    assert page.status_code == 200 and b"Lines that could not be read" in page.content
