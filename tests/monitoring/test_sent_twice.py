"""Every form of the monitoring app sent twice with one token writes once: one dismissal, one link, one case from an
alert, one upload, one import, one retry, one new secret."""

import pytest
from django.urls import reverse

from incidents.models import IncidentCategory
from incidents.services import report_incident, set_up_school_defaults
from monitoring import services
from monitoring.models import MonitoringAlert, MonitoringImport
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .conftest import HEADER, MAPPING, alert_json, csv_file, recent

pytestmark = pytest.mark.django_db


def _alert(s):
    services.receive_alerts(school=s.school, payloads=[alert_json()])
    return MonitoringAlert.objects.get(school=s.school)


def _dismiss(s):
    return s.people.dsl, reverse("monitoring:dismiss", args=[_alert(s).pk]), {"reason": "already_known"}


def _link(s):
    set_up_school_defaults(school=s.school)
    case = report_incident(school=s.school, reporter=s.people.reporter, occurred_at=alert_json()["time"],
                           location="in_school", category=IncidentCategory.objects.get(school=s.school, code="other"),
                           description="Worried", immediate_risk=False, possibly_illegal="no")
    return s.people.dsl, reverse("monitoring:link", args=[_alert(s).pk]), {"case_reference": case.reference}


def _open_case(s):
    set_up_school_defaults(school=s.school)
    return s.people.deputy, reverse("monitoring:open_case", args=[_alert(s).pk]), {}


def _upload(s):
    return (s.people.dsl, reverse("monitoring:imports"), {},
            lambda: {"file": csv_file([HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,"])})


def _mapping(s):
    started = services.start_import(school=s.school, actor=s.people.dsl,
                                    upload=csv_file([HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,"]))
    return s.people.dsl, reverse("monitoring:import", args=[started.pk]), {k: v for k, v in MAPPING.items() if v}


def _retry(s):
    started = services.start_import(school=s.school, actor=s.people.dsl,
                                    upload=csv_file([HEADER, f"{recent()},P-1,amy.b,L,,Bullying,low,x,"]))
    MonitoringImport.objects.filter(pk=started.pk).update(state=MonitoringImport.State.FAILED, mapping=MAPPING,
                                                          failure="OSError")
    return s.people.dsl, reverse("monitoring:import_retry", args=[started.pk]), {}


CASES = {
    "dismiss an alert": ("monitoring:dismiss", _dismiss),
    "add an alert to a case": ("monitoring:link", _link),
    "open a case from an alert": ("monitoring:open_case", _open_case),
    "upload a CSV of alerts": ("monitoring:imports", _upload),
    "choose the columns": ("monitoring:import", _mapping),
    "try a failed import again": ("monitoring:import_retry", _retry),
    "set a new webhook secret": ("monitoring:new_secret",
                                 lambda s: (s.people.dsl, reverse("monitoring:new_secret"), {})),
}


class Setting:
    def __init__(self, school, people):
        self.school, self.people = school, people


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, case, django_capture_on_commit_callbacks):
    user, url, data, *files = case(Setting(oakfield, people))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data, *files)
