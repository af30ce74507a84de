import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from onlinesafety.schools.models import YearGroup
from tests.factories import PupilFactory

HEADER = "Alert time,Alert ID,Username,Device,Pupil ID,Category,Severity,Text,Screenshot"
MAPPING = {"time": "Alert time", "provider_reference": "Alert ID", "user": "Username", "device": "Device",
           "pupil_identifier": "Pupil ID", "category": "Category", "risk": "Severity", "captured_text": "Text",
           "screenshot_ref": "Screenshot", "provider": ""}


def csv_file(lines, name="alerts.csv"):
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(), content_type="text/csv")


def recent(hours_ago=2):
    return (timezone.localtime() - datetime.timedelta(hours=hours_ago)).strftime("%Y-%m-%d %H:%M:%S")


def do_import(school, actor, upload, mapping=MAPPING):
    started = services.start_import(school=school, actor=actor, upload=upload)
    services.choose_columns(alert_import=started, actor=actor, mapping=mapping)
    started.refresh_from_db()
    return services.run_import(started)


def alert_json(reference="A-1", **fields):
    return {"time": timezone.now().isoformat(), "provider_reference": reference, "user": "amy.b",
            "device": "LAPTOP-3", "pupil_identifier": "MIS001", "category": "Bullying", "risk_level": "medium",
            "captured_text": "you are not welcome here", "screenshot_reference": "shot-1.png", **fields}


@pytest.fixture
def secret(oakfield, people):
    return services.set_new_secret(school=oakfield, actor=people.dsl).webhook_secret


@pytest.fixture
def send(client, oakfield):
    def post(body, secret_value, slug=None, raw=False):
        data = body if raw else json.dumps(body)
        return client.post(reverse("monitoring:webhook", args=[slug or oakfield.slug]), data=data,
                           content_type="application/json", headers={"X-Monitoring-Secret": secret_value})
    return post


@pytest.fixture
def amy(oakfield):
    return PupilFactory(school=oakfield, first_name="Amy", last_name="Brook", year_group=YearGroup.Y5, mis_id="MIS001",
                        upn="A123456789012")



