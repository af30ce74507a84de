"""Review of issue 18 (branch review18). These tests FAIL until the fault they show is fixed.

The DSL's worklist panel "Urgent or possibly illegal" counts only the reporter's "yes" to "Could this be illegal?".
A case the safeguarding team itself has graded at an illegal level stays off it, although the project's own
definition of "possibly illegal" (``incidents.selectors.term_figures``: "the reporter's yes or a level of illegal
given at triage") includes it, and the governors' report counts it so."""

import pytest

from incidents import services
from incidents.models import Illegal, Level
from incidents.panels import case_panels

pytestmark = pytest.mark.django_db


def urgent_or_illegal(user, school):
    return next(panel for panel in case_panels(user, school) if panel.title == "Urgent or possibly illegal")


@pytest.mark.parametrize("level", [Level.ILLEGAL_NO_RISK, Level.ILLEGAL_IMMEDIATE_RISK])
@pytest.mark.parametrize("reporter_said", [Illegal.NO, Illegal.NOT_SURE])
def test_it_lists_a_case_graded_illegal_at_triage_as_possibly_illegal(oakfield, people, make_incident, level,
                                                                     reporter_said):
    case = make_incident(possibly_illegal=reporter_said)  # not urgent: no child at immediate risk was reported
    services.acknowledge(incident=case, actor=people.dsl, expected_version=None)
    services.set_level(incident=case, actor=people.dsl, level=level, expected_version=None)
    panel = urgent_or_illegal(people.dsl, oakfield)
    assert panel.count == 1, f"a case graded {level.label!r} is missing from 'Urgent or possibly illegal'"
    assert case.reference in " ".join(link.label for link in panel.links)
