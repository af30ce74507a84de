import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from filtering import services
from filtering.models import ChangeRequest, LogEntry
from onlinesafety.audit.models import AuditEventIsAppendOnly

pytestmark = pytest.mark.django_db
Status = ChangeRequest.Status


def test_it_goes_from_request_to_approval_to_implementation_to_revert(people, make_request,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = make_request()
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


def test_the_requester_may_not_approve_their_own_request(people, make_request):
    change = make_request(actor=people.dsl)
    with pytest.raises(services.FilteringRuleBroken, match="other than the person who asked"):
        services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    services.approve(change=change, actor=people.deputy, educational_benefit="x", risks="y", supervision="z")


@pytest.mark.parametrize("approver", ["technician", "reporter", "governor", "parent"])
def test_only_the_safeguarding_team_or_head_approves(people, make_request, approver):
    change = make_request()
    with pytest.raises(services.FilteringRuleBroken):
        services.approve(change=change, actor=getattr(people, approver), educational_benefit="x", risks="y",
                         supervision="z")
    assert ChangeRequest.objects.get(pk=change.pk).status == Status.REQUESTED


def test_a_technician_who_is_also_in_the_safeguarding_team_may_not_approve(people, make_request, oakfield):
    from onlinesafety.schools.roles import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=people.technician, school=oakfield, role=Role.DEPUTY_DSL)
    with pytest.raises(services.FilteringRuleBroken, match="technician"):
        services.approve(change=make_request(), actor=people.technician, educational_benefit="x", risks="y",
                         supervision="z")


def test_approval_needs_the_risk_assessment_and_a_refusal_a_reason(people, make_request):
    change = make_request()
    with pytest.raises(services.FilteringRuleBroken, match="risk assessment"):
        services.approve(change=change, actor=people.dsl, educational_benefit="x", risks=" ", supervision="z")
    with pytest.raises(services.FilteringRuleBroken):
        services.reject(change=change, actor=people.dsl, note="")
    services.reject(change=change, actor=people.dsl, note="Same content is already open on Bitesize")
    with pytest.raises(services.FilteringRuleBroken):
        services.implement(change=change, actor=people.technician, provider_reference="x")


def test_only_a_technician_implements_and_only_once_approved(people, make_request):
    change = make_request()
    with pytest.raises(services.FilteringRuleBroken):
        services.implement(change=change, actor=people.technician, provider_reference="x")  # not approved yet
    services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    with pytest.raises(services.FilteringRuleBroken, match="technician"):
        services.implement(change=change, actor=people.dsl, provider_reference="x")
    services.implement(change=change, actor=people.technician, provider_reference="x")


@pytest.mark.parametrize(
    ("days", "starts_in", "message"),
    [(43, 0, "at most 42 days"), (5, -1, "cannot start in the past")],
)
def test_temporary_unblocks_stay_within_the_schools_limit(people, make_request, today, days, starts_in, message):
    start = today + datetime.timedelta(days=starts_in)
    with pytest.raises(services.FilteringRuleBroken, match=message):
        make_request(starts_on=start, ends_on=start + datetime.timedelta(days=days - 1))
    assert ChangeRequest.objects.count() == 0


def test_a_block_is_permanent_and_a_category_is_named(people, make_request):
    change = make_request(action="block", target_type="category", target="  Proxy   Avoidance ", starts_on=None,
                          ends_on=None)
    assert (change.is_temporary, change.target, change.target_display) == (False, "proxy avoidance",
                                                                            "Proxy Avoidance")


def test_the_change_log_is_immutable(people, make_request):
    entry = make_request().log.get()
    entry.note = "rewritten"
    with pytest.raises(AuditEventIsAppendOnly):
        entry.save()
    with pytest.raises(AuditEventIsAppendOnly):
        LogEntry.objects.all().delete()


def test_the_form_refuses_bad_targets_with_a_message(client, people, today):
    client.force_login(people.reporter)
    data = {"action": "unblock", "target_type": "url", "target": "javascript:alert(1)", "user_group": "pupils_ks2",
            "reason": "x", "is_temporary": "on", "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=3)).isoformat()}
    response = client.post(reverse("filtering:request_new"), data)
    assert response.status_code == 400 and "http:// or https://" in response.content.decode()
    response = client.post(reverse("filtering:request_new"), {**data, "target": "https://bücher.de/"})
    assert response.status_code == 302
    assert ChangeRequest.objects.get().target == "https://xn--bcher-kva.de/"


# ---------------------------------------------------------------- reverts

def active_unblock(people, make_request, today, ends_in_days):
    start = today
    change = make_request(starts_on=start, ends_on=start + datetime.timedelta(days=ends_in_days))
    services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")
    services.implement(change=change, actor=people.technician, provider_reference="SW-1")
    return change


def run_on(day):
    import zoneinfo

    when = datetime.datetime.combine(day, datetime.time(9), zoneinfo.ZoneInfo("Europe/London"))
    with mock.patch("onlinesafety.mail.services._enqueue_delivery"):
        return services.process_reverts(now=when)


def test_it_asks_for_the_revert_once_a_day_and_escalates_after_two_days(people, make_request, today):
    from onlinesafety.mail.models import OutboundEmail

    change = active_unblock(people, make_request, today, ends_in_days=3)
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


def test_a_request_whose_period_is_over_cannot_be_approved_or_made(people, make_request, today):
    from django.utils import timezone

    change = make_request(starts_on=today, ends_on=today)
    later = today + datetime.timedelta(days=2)
    with mock.patch.object(timezone, "localdate", return_value=later):
        with pytest.raises(services.FilteringRuleBroken, match="period of study is over"):
            services.approve(change=change, actor=people.dsl, educational_benefit="x", risks="y", supervision="z")


def test_a_stale_copy_of_a_reverted_request_sends_nothing(people, make_request, today):
    change = active_unblock(people, make_request, today, ends_in_days=0)
    stale = ChangeRequest.objects.get(pk=change.pk)
    services.revert(change=change, actor=people.technician)
    with mock.patch("filtering.services.ChangeRequest.objects.filter") as query:
        query.return_value.select_related.return_value.order_by.return_value = [stale]
        assert run_on(today + datetime.timedelta(days=5)) == 0


def test_long_and_odd_targets_are_refused_cleanly(client, people, today):
    client.force_login(people.reporter)
    base = {"action": "unblock", "user_group": "pupils_ks2", "reason": "x", "is_temporary": "on",
            "starts_on": today.isoformat(), "ends_on": today.isoformat()}
    for target_type, target in [("url", "http://example.com/" + "é" * 400), ("url", "http://[v1.fe]/"),
                                ("category", "proxy\u202e")]:
        response = client.post(reverse("filtering:request_new"), {**base, "target_type": target_type,
                                                                  "target": target})
        assert response.status_code == 400, target
    assert ChangeRequest.objects.count() == 0
    response = client.post(reverse("filtering:request_new"), {**base, "target_type": "url",
                                                              "target": "http://[::1]:8080/x"})
    assert ChangeRequest.objects.get().target == "http://[::1]:8080/x"


def test_a_check_cannot_be_back_dated_to_fill_the_calendar(client, people):
    from filtering.models import CHECK_CATEGORIES

    client.force_login(people.technician)
    data = {"checked_on": "2001-01-01", "method": "x", "devices": "x", "user_groups": "x",
            **{f"result_{code}": "pass" for code, _ in CHECK_CATEGORIES}}
    assert client.post(reverse("filtering:check_new"), data).status_code == 400


def test_the_log_export_uses_the_schools_own_days(client, oakfield, people, make_request):
    oakfield.timezone = "Pacific/Auckland"
    oakfield.save()
    change = make_request()
    entry = change.log.get()
    client.force_login(people.dsl)
    local_day = timezone_local_day(entry.at, "Pacific/Auckland")
    csv_text = b"".join(client.get(reverse("filtering:log_csv"), {"from": local_day, "to": local_day})
                        .streaming_content).decode()
    assert "requested" in csv_text


def timezone_local_day(moment, zone):
    import zoneinfo

    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date().isoformat()
