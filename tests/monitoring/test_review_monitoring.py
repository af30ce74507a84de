"""Review of the monitoring alerts app: each test shows a fault found in review and fails until it is fixed."""

import datetime

import pytest
from django.urls import reverse

from monitoring import ingest
from monitoring.models import MonitoringAlert

from .conftest import HEADER, alert_json, csv_file, do_import, recent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("category", ["Self-generated imagery", "Adult content", "Adult", "Explicit content",
                                      "Intimate image sharing"])
def test_it_withholds_the_capture_for_every_name_of_a_possible_sexual_image(category):
    """A possible sexual image of a child keeps metadata only, whatever the provider calls the category. The rule
    (``ingest._SEXUAL_IMAGE``) knows "sexual", "nudity", "porn" and "explicit imag..." but not the IWF / UKCIS term
    "self-generated imagery", nor "Adult (content)", "Explicit content" or "Intimate image": their captured text and
    screenshot reference are stored and shown. Expected: each is withheld (``content_withheld``, no capture)."""
    assert ingest.may_be_sexual_image(category), category


@pytest.mark.parametrize("when", ["9999-12-31T23:30:00-05:00", "0001-01-01T00:10:00+05:00"])
def test_it_answers_400_not_500_for_a_time_at_the_edge_of_the_calendar(send, secret, when):
    """A time that parses but cannot be moved to UTC (year 1 ahead of UTC, year 9999 behind it) raises
    ``OverflowError`` in ``read_alert`` / on save, which nobody catches: the webhook answers 500. Expected: a 400
    saying the time cannot be read, and nothing saved."""
    response = send(alert_json(reference="", time=when), secret)
    assert response.status_code == 400
    assert not MonitoringAlert.objects.exists()


def test_it_answers_400_not_500_for_an_edge_time_with_a_provider_reference(send, secret):
    """The same with a provider reference (no hash of the time is made): the save itself overflows. Expected 400."""
    response = send(alert_json(reference="R-1", time="0001-01-01T00:10:00+05:00"), secret)
    assert response.status_code == 400
    assert not MonitoringAlert.objects.exists()


def test_it_keeps_no_capture_of_a_possible_sexual_image_in_the_stored_csv(oakfield, people):
    """The CSV path drops the captured text and screenshot reference of a possible sexual image from the alert, but
    the uploaded file itself is kept in storage (``MonitoringImport.file``) after the import is done, with that
    capture in it, for ever. Expected: once imported, nothing of a withheld alert's capture remains in storage
    (the file deleted, or rewritten without those cells)."""
    done = do_import(oakfield, people.dsl, csv_file([
        HEADER, f"{recent()},R-1,amy.b,LAPTOP-3,MIS001,Sexual content,high,nude selfie sent to a group,shot-99.png"]))
    assert MonitoringAlert.objects.get().content_withheld
    done.refresh_from_db()
    kept = b""
    if done.file:
        with done.file.open("rb") as stored:
            kept = stored.read()
    assert b"nude selfie" not in kept and b"shot-99.png" not in kept


def test_it_notes_a_csv_row_with_an_edge_time_as_bad_and_imports_the_rest(oakfield, people):
    """In a CSV, one row whose time overflows on its way to UTC (``OverflowError``, not ``ValueError``) is not a bad
    line: it fails the whole import (state failed, the good rows after it never read). Expected: that row noted as
    bad, the import done, the other rows added."""
    done = do_import(oakfield, people.dsl, csv_file([
        HEADER, "0001-01-01T00:10:00+05:00,R-1,amy.b,LAPTOP-3,MIS001,Bullying,high,x,",
        f"{recent()},R-2,amy.b,LAPTOP-3,MIS001,Bullying,low,y,"]))
    assert (done.state, done.rows_added, done.rows_bad) == ("done", 1, 1)


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"risk_level": ' + "9" * 5000 + "}"],
                         ids=["nested-100000-deep", "integer-of-5000-digits"])
def test_it_answers_400_not_500_for_json_python_will_not_read(send, secret, body):
    """``json.loads`` raises ``RecursionError`` for deeply nested arrays and a plain ``ValueError`` (not
    ``JSONDecodeError``) for an integer over 4,300 digits; the webhook catches neither, so a body well under the
    size limit is a 500. Expected: a 400 JSON error saying the body cannot be read."""
    response = send(body, secret, raw=True)
    assert response.status_code == 400
    assert "error" in response.json()


def test_it_limits_wrong_secrets_sent_to_the_webhook(client, secret, oakfield, settings):
    """The webhook is open to the internet, unsigned-in, and takes guesses at the secret without any limit (neither
    ``ratelimit.public_page`` nor ``link_failed`` is used): one network can try secrets, or hammer the JSON parser
    with 50 MB bodies, as fast as it likes. Expected: after ``RATE_LIMIT_LINK_FAILURES`` wrong secrets, that
    network is refused with 429 for a while."""
    settings.RATE_LIMIT_LINK_FAILURES = 3
    url = reverse("monitoring:webhook", args=[oakfield.slug])
    codes = [client.post(url, data="{}", content_type="application/json", REMOTE_ADDR="198.51.100.7",
                         headers={"X-Monitoring-Secret": f"guess-{n}"}).status_code for n in range(6)]
    assert 429 in codes, codes


def test_it_refuses_a_case_reference_with_another_schools_prefix(client, oakfield, people, send, secret, amy):
    """Adding an alert to a case reads only the number of the reference: "RIVE-0001" (another school's prefix, say
    from a DSL who works at both) adds the alert to this school's case 1 as evidence, silently. Expected: a
    reference whose prefix is not this school's is refused ("There is no case with that reference ...") and the
    alert stays new."""
    from incidents.models import IncidentCategory
    from incidents.services import report_incident, set_up_school_defaults

    set_up_school_defaults(school=oakfield)
    case = report_incident(school=oakfield, reporter=people.reporter, occurred_at=alert_json()["time"],
                           location="in_school", category=IncidentCategory.objects.get(school=oakfield, code="other"),
                           description="Worried", immediate_risk=False, possibly_illegal="no")
    send(alert_json(), secret)
    alert = MonitoringAlert.objects.get()
    wrong = "ZZZZ-" + case.reference.rpartition("-")[2]
    client.force_login(people.dsl)
    response = client.post(reverse("monitoring:link", args=[alert.pk]), {"case_reference": wrong})
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.status == "new"


def test_it_does_not_match_an_alert_to_a_pupil_who_had_left_by_then(send, secret, amy):
    """Matching (``roster.selectors.pupil_ids_by_identifier``) looks at every pupil the school ever had: an alert
    raised today on an account or MIS id of a pupil who left last year is matched to that pupil (and "open a case"
    then links them to a new case). Expected: an alert after the pupil's leaving date is matched to nobody and
    shown as "Not matched"."""
    from onlinesafety.schools.models import Pupil

    Pupil.objects.filter(pk=amy.pk).update(is_on_roll=False, left_on=datetime.date(2025, 7, 20))
    assert send(alert_json(), secret).status_code == 200
    assert MonitoringAlert.objects.get().pupil_id is None
