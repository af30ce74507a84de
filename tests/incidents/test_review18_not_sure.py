"""Review of issue 18 (branch review18). This test FAILS until the worklist changes, IF the lead agrees it should:
it is a domain call, kept apart from the confirmed faults so that it can be dropped on its own.

The DSL's panel is "Urgent or possibly illegal", and issue 18 asks for "urgent and possibly illegal cases". The
flowchart (seed 000, appendix 1) sends "Illegal materials or activities found or suspected" down the illegal
branch, and seed 004 says "if there is any suspicion that the incident involves any illegal activity ... the
incident must be escalated". A reporter who answers "Not sure" to "Could this be illegal?" has not ruled it out;
the worklist counts only "Yes", so such a report shows only among the new cases (and, once acknowledged, nowhere).
(The governors' report leaves "not sure" out on purpose: a count for governors, not a safety net for the DSL.)"""

import pytest

from incidents import services
from incidents.models import Illegal
from incidents.panels import case_panels

pytestmark = pytest.mark.django_db


def test_it_lists_a_report_whose_reporter_was_not_sure_it_was_legal_as_possibly_illegal(oakfield, people,
                                                                                         make_incident):
    case = make_incident(possibly_illegal=Illegal.NOT_SURE)
    services.acknowledge(incident=case, actor=people.dsl, expected_version=None)
    panel = next(panel for panel in case_panels(people.dsl, oakfield) if panel.title == "Urgent or possibly illegal")
    assert panel.count == 1
