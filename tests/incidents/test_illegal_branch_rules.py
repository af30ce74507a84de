"""The illegal branch holds after closing (a closed case's level is not changed) and no file is attached to a concern
that could be illegal (its steps say never to copy the content)."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from incidents import services
from incidents.models import Agency, Level, Outcome, Status

from .helpers import with_level
from .test_illegal_branch import answer_device, answer_evidence, answer_meeting, change, not_contacted, open_keys, refer

pytestmark = pytest.mark.django_db


def _closed_inappropriate(make_incident, people, answer):
    incident = with_level(make_incident(possibly_illegal=answer), Level.INAPPROPRIATE)
    if answer != "no":
        services.record_branch_meeting(incident=incident, actor=people.dsl, kind="review",
                                       held_on=incident.occurred_at.date(), roles=["dsl"],
                                       decision="Not illegal: handled in school.", expected_version=None)
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.RESOLVED_INTERNALLY,
                        expected_version=None)
    return incident


@pytest.mark.parametrize("answer", ["no", "not_sure"])
@pytest.mark.parametrize("level", [Level.ILLEGAL_NO_RISK, Level.ILLEGAL_IMMEDIATE_RISK])
def test_it_leaves_no_closed_case_on_an_illegal_branch_with_its_steps_open(client, people, make_incident, answer,
                                                                          level):
    """The level form stays on a closed case's page and set_level does not ask for an open case, so a case closed
    as inappropriate can be put on an illegal branch after closing: it is then a closed possibly illegal case with
    every step of that branch open, which close_case would have refused."""
    incident = _closed_inappropriate(make_incident, people, answer)
    client.force_login(people.dsl)
    change(client, incident, "level", level=level)
    incident.refresh_from_db()
    assert not (incident.status == Status.CLOSED and open_keys(incident)), (incident.level, open_keys(incident))


def test_it_leaves_no_closed_case_with_new_agency_steps_after_a_change_of_branch(people, make_incident):
    """A case closed on the branch without immediate risk, every step answered, moved to the immediate-risk branch
    after closing: children's social care is then asked about on a closed case."""
    incident = with_level(make_incident(possibly_illegal="yes"), Level.ILLEGAL_NO_RISK)
    answer_evidence(incident, people)
    answer_device(incident, people)
    answer_meeting(incident, people)
    refer(incident, people, Agency.POLICE_101)
    not_contacted(incident, people, Agency.CEOP, "No contact with a child")
    not_contacted(incident, people, Agency.IWF, "No web address")
    services.close_case(incident=incident, actor=people.dsl, outcome=Outcome.REFERRED_AND_CLOSED,
                        expected_version=None)
    try:
        services.set_level(incident=incident, actor=people.dsl, level=Level.ILLEGAL_IMMEDIATE_RISK,
                           expected_version=None)
    except services.RuleBroken:
        pass
    incident.refresh_from_db()
    assert not (incident.status == Status.CLOSED and open_keys(incident)), (incident.level, open_keys(incident))


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_it_asks_no_screenshots_of_a_reporter_who_says_it_could_be_illegal(client, people, answer):
    """The steps shown to a reporter who answers "yes" or "not sure" say never to screenshot the content, but the
    same form (category optional, so "Other", which accepts uploads) still offers "Evidence (screenshots or
    documents)" beneath them: the page contradicts its own steps. The upload should be hidden, or not ask for
    screenshots, once the answer is yes or not sure."""
    client.force_login(people.reporter)
    page = client.post(reverse("incidents:report"), {"possibly_illegal": answer}).content.decode()
    assert "Do not open, view, copy, forward, print or screenshot" in page  # the steps are shown
    box = page[page.index('id="evidence-box"'):]
    tag, rest = box[:box.index(">")], box[box.index(">"):box.index('id="evidence-too-large"')]
    assert "hidden" in tag or "screenshot" not in rest.lower(), " ".join(rest.split())[:200]


@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_it_refuses_files_with_a_concern_that_could_be_illegal_and_keeps_the_box_in_sight(client, people, oakfield,
                                                                                           answer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.forms import COULD_BE_ILLEGAL_NO_FILES
    from incidents.models import Incident
    from tests.incidents.helpers import png_bytes
    from tests.kernel.test_sent_once import report_data

    client.force_login(people.reporter)
    payload = report_data(oakfield, immediate_risk="no", possibly_illegal=answer)
    payload["evidence"] = [SimpleUploadedFile("shot.png", png_bytes(), "image/png")]
    response = client.post(reverse("incidents:report"), payload)
    page = response.content.decode()
    assert escape(COULD_BE_ILLEGAL_NO_FILES) in page and 'id="error-summary"' in page
    assert not Incident.objects.exists()
    box = page[page.index('id="evidence-box"'):]
    assert "hidden" not in box[:box.index(">")]  # the error is next to the field, in sight
