"""The guessed column mapping (the upload's mapping form and the dropped-file command): the field's own name, or
the names providers' exports commonly use ("Pupil ID", "Student ID", "Severity", "Captured text", ...)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring import ingest
from monitoring.models import MonitoringAlert, MonitoringImport

from .conftest import csv_file, recent

pytestmark = pytest.mark.django_db


def test_it_guesses_the_common_column_names():
    """Guards the names providers use for each field."""
    assert ingest.guess_mapping(["When", "Alert ID", "Username", "Student ID", "Category", "Severity",
                                 "Captured text", "Screenshot"]) == {
        "time": "", "provider_reference": "Alert ID", "user": "Username", "device": "",
        "pupil_identifier": "Student ID", "category": "Category", "risk": "Severity",
        "captured_text": "Captured text", "screenshot_ref": "Screenshot", "provider": ""}
    guessed = ingest.guess_mapping(["Time", "Pupil ID", "Text", "Risk level", "Category"])
    assert (guessed["pupil_identifier"], guessed["captured_text"], guessed["risk"]) == ("Pupil ID", "Text",
                                                                                         "Risk level")


def test_it_offers_the_guesses_on_the_mapping_form(client, people):
    """Guards the upload's mapping form: its initial choices are the guesses."""
    client.force_login(people.dsl)
    upload = csv_file(["Time,Alert ID,Student ID,Category,Severity,Captured text,Screenshot",
                       f"{recent()},R-1,MIS001,Bullying,high,x,shot.png"])
    response = client.post(reverse("monitoring:imports"), {"file": upload})
    form = client.get(response["Location"]).context["form"]
    assert {name: form[name].initial for name in ("provider_reference", "pupil_identifier", "risk",
                                                  "captured_text", "screenshot_ref")} == {
        "provider_reference": "Alert ID", "pupil_identifier": "Student ID", "risk": "Severity",
        "captured_text": "Captured text", "screenshot_ref": "Screenshot"}
    assert MonitoringImport.objects.get().state == "uploaded"


def test_it_imports_a_dropped_file_with_the_common_column_names(oakfield, tmp_path, amy):
    """Guards the dropped-file command without a mapping: the guessed columns are the ones imported."""
    path = tmp_path / "alerts.csv"
    path.write_text("Time,Alert ID,Pupil ID,Category,Severity,Text\r\n"
                    f"{recent()},R-7,MIS001,Bullying,high,you are not welcome\r\n")
    call_command("import_monitoring_alerts", str(path), school=oakfield.slug)
    alert = MonitoringAlert.objects.get()
    assert (alert.provider_reference, alert.pupil_id, alert.risk, alert.captured_text) == (
        "R-7", amy.pk, "high", "you are not welcome")
