"""Every form of the filtering app sent twice with one token writes once: one request, one decision, one check,
and one case from a provider-log flag."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filtering import selectors, services
from filtering.models import CHECK_CATEGORIES, ProviderImport
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .test_import import HEADER, MAPPING, csv_file, do_import, recent

pytestmark = pytest.mark.django_db

APPROVAL = {"educational_benefit": "Primary sources", "risks": "Comments", "supervision": "Teacher-led"}


def _change_new(s):
    today = timezone.localdate()
    return s.people.reporter, reverse("filtering:change_new"), {
        "action": "unblock", "target_type": "domain", "target": "www.example.org", "user_group": "pupils_ks2",
        "reason": "Year 6 history research", "is_temporary": "on", "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=3)).isoformat()}


def _step(step, who, data, before=()):
    def case(s):
        change = s.make_change()
        for earlier in before:
            earlier(s, change)
        return getattr(s.people, who), reverse("filtering:change_step", args=[change.pk, step]), data
    return case


def _approved(s, change):
    services.approve(change=change, actor=s.people.dsl, **APPROVAL)


def _implemented(s, change):
    services.implement(change=change, actor=s.people.technician, provider_reference="P-1")


def _check(s):
    return s.people.technician, reverse("filtering:check_new"), {
        "checked_on": timezone.localdate().isoformat(), "method": "Online test", "devices": "Laptops",
        "user_groups": "KS2", **{f"result_{code}": "pass" for code, _ in CHECK_CATEGORIES}}


def _review(s):
    return s.people.head, reverse("filtering:review_new"), {
        "reviewed_on": timezone.localdate().isoformat(), "senior_leader": s.people.head.pk,
        "governor": s.people.governor.pk, "filtering_provider": "F", "monitoring_provider": "M",
        "categories_blocked": "All", "alert_route": "Email", "alert_speed": "15 min", "out_of_hours": "Filtered",
        "training": "Done", "findings": "Fine", "actions": "None"}


def _sign_off(s):
    review = services.record_review(
        school=s.school, actor=s.people.head, reviewed_on=timezone.localdate(), senior_leader=s.people.head,
        governor=s.people.governor, filtering_provider="F", monitoring_provider="M", categories_blocked="All",
        alert_route="Email", alert_speed="15 min", out_of_hours="Filtered", training="Done", findings="Fine",
        actions="None")
    return s.people.governor, reverse("filtering:review", args=[review.pk]), {}


def _upload(s):
    return (s.people.technician, reverse("filtering:imports"), {},
            lambda: {"file": csv_file([HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked"])})


def _mapping(s):
    provider_import = services.start_import(school=s.school, actor=s.people.technician, upload=csv_file(
        [HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked"]))
    return s.people.technician, reverse("filtering:import", args=[provider_import.pk]), MAPPING


def _retry(s):
    provider_import = services.start_import(school=s.school, actor=s.people.technician, upload=csv_file(
        [HEADER, f"{recent()},amy.b,Year 5,https://a.example/,Gaming,Blocked"]))
    ProviderImport.objects.filter(pk=provider_import.pk).update(state=ProviderImport.State.FAILED, mapping=MAPPING,
                                                                failure="OSError")
    return s.people.technician, reverse("filtering:import_retry", args=[provider_import.pk]), {}


def _flag(s):
    do_import(s.school, s.people, csv_file([HEADER] + [
        f"{recent(2, hour)},leo.n,Year 6,https://sh.example/{hour},Self-Harm,Blocked" for hour in (9, 10, 11)]))
    flag = selectors.blocked_summary(s.school, selectors.summary_window(timezone.localdate()))["flags"][0]
    return s.people.dsl, reverse("filtering:flag_to_incident"), {
        "user_ref": "leo.n", "category": "Self-Harm", "week": flag["week"].date().isoformat()}


CASES = {
    "ask for a change": ("filtering:change_new", _change_new),
    "approve": ("filtering:change_step", _step("approve", "dsl", APPROVAL)),
    "refuse": ("filtering:change_step", _step("reject", "dsl", {"note": "Not needed"})),
    "put in place": ("filtering:change_step", _step("implement", "technician", {"provider_reference": "P-1"},
                                                    before=[_approved])),
    "revert": ("filtering:change_step", _step("revert", "technician", {"reference": "R-1"},
                                              before=[_approved, _implemented])),
    "report a site": ("filtering:report", lambda s: (s.people.reporter, reverse("filtering:report"), {
        "url": "https://bad.example/", "problem": "reachable", "description": "Games in lessons"})),
    "record a check": ("filtering:check_new", _check),
    "record the annual review": ("filtering:review_new", _review),
    "sign off the review": ("filtering:review", _sign_off),
    "providers": ("filtering:settings", lambda s: (s.people.head, reverse("filtering:settings"), {
        "filtering_provider": "LGfL", "monitoring_provider": "Smoothwall"})),
    "upload a provider log": ("filtering:imports", _upload),
    "choose the columns": ("filtering:import", _mapping),
    "try a failed import again": ("filtering:import_retry", _retry),
    "open a case from a flag": ("filtering:flag_to_incident", _flag),
}


class Setting:
    def __init__(self, school, people, make_change):
        self.school, self.people, self.make_change = school, people, make_change


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, make_change, case,
                                                  django_capture_on_commit_callbacks):
    user, url, data, *files = case(Setting(oakfield, people, make_change))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert_sent_once(client, url, data, *files)
