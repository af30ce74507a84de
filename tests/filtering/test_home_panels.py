"""Filtering on the home page: decisions for the leads, work for the technician, sign-off for the governor."""

import pytest

from filtering.models import ChangeRequest, ProviderImport
from filtering.panels import decision_panels, sign_off_panels, technician_panels
from onlinesafety.navigation import home_panels_for

pytestmark = pytest.mark.django_db


def test_it_gives_each_role_its_own_filtering_work(oakfield, riverside, people, make_change,
                                                   django_assert_max_num_queries):
    change = make_change()
    with django_assert_max_num_queries(3):
        [waiting] = decision_panels(people.dsl, oakfield)
    assert waiting.count == 1
    assert decision_panels(people.technician, oakfield)[0].count == 0  # a technician never decides
    assert decision_panels(people.riverside_dsl, riverside)[0].count == 0
    ChangeRequest.objects.filter(pk=change.pk).update(status=ChangeRequest.Status.APPROVED)
    to_do, failed = technician_panels(people.technician, oakfield)
    assert to_do.count == 1 and failed.count == 0
    assert "Filtering changes to carry out" in [p.title for p in home_panels_for(people.technician, oakfield)]
    assert "Filtering changes to carry out" not in [p.title for p in home_panels_for(people.dsl, oakfield)]


def test_it_tells_the_technician_of_a_failed_import(oakfield, people):
    ProviderImport.objects.create(school=oakfield, uploaded_by=people.technician, original_name="log.csv",
                                  state=ProviderImport.State.FAILED)
    assert technician_panels(people.technician, oakfield)[1].count == 1


def test_it_gives_a_governor_no_review_to_sign_off_when_there_is_none(oakfield, people):
    assert sign_off_panels(people.governor, oakfield)[0].count == 0
