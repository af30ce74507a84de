"""The DSL's "Urgent or possibly illegal" panel: a case graded illegal at triage is on it whatever the reporter said;
a reporter's "not sure" puts it there until the team sets a level (the flowchart takes the illegal branch on any
suspicion); "inappropriate, not illegal" takes it off."""

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


def test_it_lists_a_report_whose_reporter_was_not_sure_it_was_legal_as_possibly_illegal(oakfield, people,
                                                                                         make_incident):
    case = make_incident(possibly_illegal=Illegal.NOT_SURE)
    services.acknowledge(incident=case, actor=people.dsl, expected_version=None)
    assert urgent_or_illegal(people.dsl, oakfield).count == 1


@pytest.mark.parametrize("reporter_said", [Illegal.YES, Illegal.NOT_SURE])
def test_it_takes_off_a_case_the_team_graded_inappropriate(oakfield, people, make_incident, reporter_said):
    case = make_incident(possibly_illegal=reporter_said)
    services.acknowledge(incident=case, actor=people.dsl, expected_version=None)
    services.set_level(incident=case, actor=people.dsl, level=Level.INAPPROPRIATE, expected_version=None)
    assert urgent_or_illegal(people.dsl, oakfield).count == 0


def test_it_keeps_an_urgent_case_on_whatever_its_level(oakfield, people, make_incident):
    case = make_incident(possibly_illegal=Illegal.NO, immediate_risk=True)
    services.set_level(incident=case, actor=people.dsl, level=Level.INAPPROPRIATE, expected_version=None)
    assert urgent_or_illegal(people.dsl, oakfield).count == 1
