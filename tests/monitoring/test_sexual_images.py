"""An alert that may concern a sexual image of a child keeps its metadata only: the captured text and the screenshot
reference are dropped as it arrives (by CSV or webhook), so they are never stored, shown or copied to a case."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from incidents.models import Incident
from monitoring import ingest, services
from monitoring.models import MonitoringAlert

from .conftest import HEADER, MAPPING, alert_json, csv_file, do_import, recent

pytestmark = pytest.mark.django_db

SEXUAL = ["Nudity", "Sexual content (image)", "CSAM", "Indecent image", "Youth-produced imagery", "sexting"]


@pytest.mark.parametrize("category", SEXUAL)
def test_it_keeps_no_capture_of_an_alert_that_may_be_a_sexual_image(send, secret, category):
    send(alert_json(category=category, captured_text="CAPTURED-XYZ", screenshot_reference="nude-001.png"), secret)
    alert = MonitoringAlert.objects.get()
    assert (alert.captured_text, alert.screenshot_ref, alert.content_withheld) == ("", "", True)
    assert alert.category == category and alert.risk == "medium"  # the metadata stays


def test_it_keeps_no_capture_from_a_csv_either(oakfield, people):
    do_import(oakfield, people.dsl, csv_file([HEADER, f"{recent()},S-1,amy.b,L,,Nudity,high,CAPTURED-XYZ,nude.png"]))
    alert = MonitoringAlert.objects.get()
    assert (alert.captured_text, alert.screenshot_ref, alert.content_withheld) == ("", "", True)


def test_it_keeps_the_capture_of_other_alerts(send, secret):
    send(alert_json(category="Bullying"), secret)
    assert MonitoringAlert.objects.get().content_withheld is False


def test_it_shows_nothing_of_the_capture_on_the_pages_or_the_case(client, send, secret, people):
    send(alert_json(category="Nudity", captured_text="CAPTURED-XYZ", screenshot_reference="nude-001.png"), secret)
    alert = MonitoringAlert.objects.get()
    client.force_login(people.dsl)
    for url in (reverse("monitoring:inbox"), reverse("monitoring:alert", args=[alert.pk])):
        page = client.get(url).content.decode()
        assert "CAPTURED-XYZ" not in page and "nude-001" not in page
    assert "Not kept" in client.get(reverse("monitoring:alert", args=[alert.pk])).content.decode()
    incident = Incident.objects.get(pk=services.open_case(alert=alert, actor=people.dsl))
    assert "nude-001" not in incident.description and "not kept" in incident.description
    assert incident.category.code == "youth_imagery" and incident.possibly_illegal == "not_sure"


def test_the_database_refuses_a_withheld_alert_with_a_capture(oakfield, send, secret):
    send(alert_json(category="Nudity"), secret)
    with pytest.raises(IntegrityError):
        MonitoringAlert.objects.update(screenshot_ref="x.png")


@pytest.mark.parametrize("category", ["Self-generated imagery", "Adult content", "Adult", "Explicit content",
                                      "Intimate image sharing", "Nudes", "Sexting", "CSAM", "CSEA", "IIOC",
                                      "Youth-produced sexual imagery", "PORN"])
def test_it_withholds_the_capture_for_every_name_of_a_possible_sexual_image(category):
    """Guards the width of the rule (``ingest.may_be_sexual_image``): the IWF / UKCIS terms and the providers' own
    ("Adult content", "Explicit content", "Intimate image") all keep metadata only, in any case."""
    assert ingest.may_be_sexual_image(category), category


@pytest.mark.parametrize("category", ["Essex", "Bullying", "Unisex clothing", "Self-harm", "Gaming"])
def test_it_keeps_the_capture_of_a_category_that_only_contains_the_letters(category):
    """Guards that the rule matches words, not letters: a category it does not know keeps its capture."""
    assert not ingest.may_be_sexual_image(category), category


def test_it_keeps_no_capture_of_a_possible_sexual_image_in_the_stored_csv(oakfield, people,
                                                                          django_capture_on_commit_callbacks):
    """Guards the stored upload: once the import is done, the file (which holds the capture the alert never kept)
    is deleted from storage and the import names no file."""
    started = services.start_import(school=oakfield, actor=people.dsl, upload=csv_file([
        HEADER, f"{recent()},R-1,amy.b,LAPTOP-3,MIS001,Sexual content,high,nude selfie sent to a group,shot-99.png"]))
    stored, storage = started.file.name, started.file.storage
    assert storage.exists(stored)
    services.choose_columns(alert_import=started, actor=people.dsl, mapping=MAPPING)
    started.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.run_import(started)
    assert MonitoringAlert.objects.get().content_withheld
    done.refresh_from_db()
    assert done.state == "done" and not done.file
    assert not storage.exists(stored)
