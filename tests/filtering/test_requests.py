import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from filtering import rights, services
from filtering.models import ChangeRequest, LogEntry
from onlinesafety.audit.models import AuditEventIsAppendOnly
from onlinesafety.rules import NotAllowed, RuleBroken
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def test_it_goes_from_request_to_approval_to_implementation_to_revert(people, make_change,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = make_change()
    assert {m.to[0] for m in mail.outbox} >= {people.dsl.email, people.head.email}
    services.approve(change=change, actor=people.dsl, educational_benefit="Primary sources",
                     risks="Comments", supervision="Teacher-led")
    services.implement(change=change, actor=people.technician, provider_reference="SW-1")
    services.revert(change=change, actor=people.technician, reference="SW-2")
    change.refresh_from_db()
    assert change.status == Status.REVERTED
    assert (change.requested_by, change.decided_by, change.implemented_by) == (people.reporter, people.dsl,
                                                                               people.technician)
    steps = list(change.log.order_by("pk").values_list("step", flat=True))
    assert steps == ["requested", "approved", "implemented", "reverted"]


def test_it_lets_nobody_approve_their_own_request(people, make_change):
    change = make_change(actor=people.dsl)
    with pytest.raises(NotAllowed, match="other than the person who asked"):
        services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    services.approve(change=change, actor=people.deputy, educational_benefit="x", risks="y", supervision="z")


@pytest.mark.parametrize("approver", ["technician", "reporter", "governor", "parent"])
def test_it_lets_only_the_safeguarding_team_or_head_approve(people, make_change, approver):
    change = make_change()
    with pytest.raises(NotAllowed):
        services.approve(change=change, actor=getattr(people, approver), educational_benefit="x", risks="y",
                         supervision="z")
    assert ChangeRequest.objects.get(pk=change.pk).status == Status.REQUESTED


def test_it_stops_a_technician_approving_even_one_in_the_safeguarding_team(people, make_change, oakfield):
    from onlinesafety.schools.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=people.technician, school=oakfield, role=Role.DEPUTY_DSL)
    with pytest.raises(NotAllowed, match="technician"):
        services.approve(change=make_change(), actor=people.technician, educational_benefit="x", risks="y",
                         supervision="z")


def test_it_needs_a_risk_assessment_to_approve_and_a_reason_to_refuse(people, make_change):
    change = make_change()
    with pytest.raises(RuleBroken, match="risk assessment"):
        services.approve(change=change, actor=people.dsl, educational_benefit="x", risks=" ", supervision="z")
    with pytest.raises(RuleBroken):
        services.reject(change=change, actor=people.dsl, note="")
    services.reject(change=change, actor=people.dsl, note="Same content is already open on Bitesize")
    with pytest.raises(RuleBroken):
        services.implement(change=change, actor=people.technician, provider_reference="x")


def test_it_lets_only_a_technician_implement_and_only_once_approved(people, make_change):
    change = make_change()
    with pytest.raises(RuleBroken):
        services.implement(change=change, actor=people.technician, provider_reference="x")  # not approved yet
    services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    with pytest.raises(NotAllowed, match="technician"):
        services.implement(change=change, actor=people.dsl, provider_reference="x")
    services.implement(change=change, actor=people.technician, provider_reference="x")


@pytest.mark.parametrize(
    ("days", "starts_in", "message"),
    [(43, 0, "at most 42 days"), (5, -1, "cannot start in the past")],
)
def test_it_keeps_temporary_unblocks_within_the_schools_limit(people, make_change, today, days, starts_in, message):
    start = today + datetime.timedelta(days=starts_in)
    with pytest.raises(RuleBroken, match=message):
        make_change(starts_on=start, ends_on=start + datetime.timedelta(days=days - 1))
    assert ChangeRequest.objects.count() == 0


def test_it_makes_a_block_permanent_and_names_a_category(people, make_change):
    change = make_change(action="block", target_type="category", target="  Proxy   Avoidance ", starts_on=None,
                          ends_on=None)
    assert (change.is_temporary, change.target, change.target_display) == (False, "proxy avoidance",
                                                                            "Proxy Avoidance")


def test_it_keeps_the_change_log_immutable(people, make_change):
    entry = make_change().log.get()
    entry.note = "rewritten"
    with pytest.raises(AuditEventIsAppendOnly):
        entry.save()
    with pytest.raises(AuditEventIsAppendOnly):
        LogEntry.objects.all().delete()


def test_it_refuses_bad_targets_in_the_form_with_a_message(client, people, today):
    client.force_login(people.reporter)
    data = {"action": "unblock", "target_type": "url", "target": "javascript:alert(1)", "user_group": "pupils_ks2",
            "reason": "x", "is_temporary": "on", "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=3)).isoformat()}
    response = client.post(reverse("filtering:change_new"), data)
    assert response.status_code == 400 and "http:// or https://" in response.content.decode()
    response = client.post(reverse("filtering:change_new"), {**data, "target": "https://bücher.de/"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get().target == "https://xn--bcher-kva.de/"


# ---------------------------------------------------------------- reverts

def active_unblock(people, make_change, today, ends_in_days):
    start = today
    change = make_change(starts_on=start, ends_on=start + datetime.timedelta(days=ends_in_days))
    services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    services.implement(change=change, actor=people.technician, provider_reference="SW-1")
    return change


def run_on(day):
    import zoneinfo

    when = datetime.datetime.combine(day, datetime.time(9), zoneinfo.ZoneInfo("Europe/London"))
    with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"):
        return services.process_reverts(now=when)


def test_it_asks_for_the_revert_once_a_day_and_escalates_after_two_days(people, make_change, today):
    from onlinesafety.mail.models import OutboundEmail

    change = active_unblock(people, make_change, today, ends_in_days=3)
    ends = change.ends_on
    assert run_on(ends) == 0  # the last day of the period: still in place
    assert run_on(ends + datetime.timedelta(days=1)) == 1
    change.refresh_from_db()
    assert change.status == Status.REVERT_DUE
    assert run_on(ends + datetime.timedelta(days=1)) == 0  # run again the same day: nothing more
    assert run_on(ends + datetime.timedelta(days=2)) == 1  # one day late
    assert run_on(ends + datetime.timedelta(days=3)) == 1  # two days late
    assert run_on(ends + datetime.timedelta(days=4)) == 2  # three days late: a reminder, and the DSLs are told
    assert run_on(ends + datetime.timedelta(days=4)) == 0
    escalations = OutboundEmail.objects.filter(subject="A temporary unblock has not been reverted")
    assert sorted(escalations.values_list("to", flat=True)) == sorted(u.email for u in people.dsl_team())
    services.revert(change=change, actor=people.technician)
    assert run_on(ends + datetime.timedelta(days=5)) == 0
    assert "escalated" in change.log.values_list("step", flat=True)


def test_it_neither_approves_nor_makes_a_request_whose_period_is_over(people, make_change, today):
    from django.utils import timezone

    change = make_change(starts_on=today, ends_on=today)
    later = today + datetime.timedelta(days=2)
    with mock.patch.object(timezone, "localdate", return_value=later):
        with pytest.raises(RuleBroken, match="period of study is over"):
            services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")


def test_it_sends_nothing_for_a_stale_copy_of_a_reverted_request(people, make_change, today):
    change = active_unblock(people, make_change, today, ends_in_days=0)
    stale = ChangeRequest.objects.get(pk=change.pk)
    services.revert(change=change, actor=people.technician)
    with mock.patch("filtering.services.ChangeRequest.objects.filter") as query:
        query.return_value.select_related.return_value.order_by.return_value = [stale]
        assert run_on(today + datetime.timedelta(days=5)) == 0


def test_it_refuses_long_and_odd_targets_cleanly(client, people, today):
    client.force_login(people.reporter)
    base = {"action": "unblock", "user_group": "pupils_ks2", "reason": "x", "is_temporary": "on",
            "starts_on": today.isoformat(), "ends_on": today.isoformat()}
    for target_type, target in [("url", "http://example.com/" + "é" * 400), ("url", "http://[v1.fe]/"),
                                ("category", "proxy\u202e")]:
        response = client.post(reverse("filtering:change_new"), {**base, "target_type": target_type,
                                                                  "target": target})
        assert response.status_code == 400, target
    assert ChangeRequest.objects.count() == 0
    response = client.post(reverse("filtering:change_new"), {**base, "target_type": "url",
                                                              "target": "http://[::1]:8080/x"})
    assert ChangeRequest.objects.get().target == "http://[::1]:8080/x"


def test_it_refuses_a_check_back_dated_to_fill_the_calendar(client, people):
    from filtering.models import CHECK_CATEGORIES

    client.force_login(people.technician)
    data = {"checked_on": "2001-01-01", "method": "x", "devices": "x", "user_groups": "x",
            **{f"result_{code}": "pass" for code, _ in CHECK_CATEGORIES}}
    assert client.post(reverse("filtering:check_new"), data).status_code == 400


def test_it_uses_the_schools_own_days_in_the_log_export(client, oakfield, people, make_change):
    oakfield.timezone = "Pacific/Auckland"
    oakfield.save()
    change = make_change()
    entry = change.log.get()
    client.force_login(people.dsl)
    local_day = timezone_local_day(entry.at, "Pacific/Auckland")
    csv_text = b"".join(client.get(reverse("filtering:log_csv"), {"from": local_day, "to": local_day})
                        .streaming_content).decode()
    assert "requested" in csv_text


def timezone_local_day(moment, zone):
    import zoneinfo

    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date().isoformat()


# ---------------------------------------------------------------- rights on one request

APPROVAL = {"educational_benefit": "Primary sources", "risks": "Comments", "supervision": "Teacher-led"}


@pytest.mark.parametrize("person", EVERYONE)
def test_it_gives_each_person_their_rights_on_a_request(people, make_change, person):
    access = rights.change_access(getattr(people, person), make_change())
    assert access.decide == (person in {"dsl", "deputy", "osl", "head"}), person
    assert access.implement == (person == "technician"), person


def test_it_answers_403_to_a_step_the_person_may_not_take(client, people, make_change):
    own = make_change(actor=people.dsl)
    client.force_login(people.dsl)
    assert client.post(reverse("filtering:change_step", args=[own.pk, "approve"]), APPROVAL).status_code == 403
    change = make_change()
    client.force_login(people.technician)
    assert client.post(reverse("filtering:change_step", args=[change.pk, "approve"]), APPROVAL).status_code == 403
    client.force_login(people.reporter)  # the person who asked sees the request, and decides nothing
    assert client.post(reverse("filtering:change_step", args=[change.pk, "reject"]), {"note": "x"}).status_code == 403
    client.force_login(people.dsl)
    assert client.post(reverse("filtering:change_step", args=[change.pk, "implement"]),
                       {"provider_reference": "SW-1"}).status_code == 403
    assert ChangeRequest.objects.get(pk=change.pk).status == Status.REQUESTED
    assert ChangeRequest.objects.get(pk=own.pk).status == Status.REQUESTED


def test_it_says_nothing_was_changed_when_a_step_is_not_open(client, people, make_change):
    change = make_change()
    services.reject(change=change, actor=people.dsl, note="Already open on Bitesize")
    client.force_login(people.deputy)
    response = client.post(reverse("filtering:change_step", args=[change.pk, "approve"]), APPROVAL, follow=True)
    assert "Nothing was changed: This request is rejected: that step is not open." in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).status == Status.REJECTED


def test_it_shows_the_steps_a_person_may_take_and_no_others(client, people, make_change):
    change = make_change()

    def page():
        return client.get(reverse("filtering:change", args=[change.pk])).content.decode()

    client.force_login(people.dsl)
    assert "Approve, with a risk assessment" in page()
    client.force_login(people.technician)
    assert "Approve, with a risk assessment" not in page()
    services.approve(change=change, actor=people.dsl, **APPROVAL)
    assert "Record the change as made" in page()
    client.force_login(people.dsl)
    assert "Record the change as made" not in page()


def test_it_lets_only_staff_ask_for_a_change_and_only_adults_report_a_site(oakfield, people):
    values = {"action": "block", "target_type": "domain", "target": "bad.example", "user_group": "everyone",
              "reason": "Unsuitable", "is_temporary": False}
    with pytest.raises(NotAllowed):
        services.request_change(school=oakfield, actor=people.governor, **values)
    with pytest.raises(NotAllowed):
        services.report_site(school=oakfield, actor=people.parent, url="https://bad.example/", problem="reachable",
                             description="Unsuitable")
    assert services.report_site(school=oakfield, actor=people.governor, url="https://bad.example/",
                                problem="reachable", description="Unsuitable").from_report
