import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.schools.roles import Role
from policies import reminders, services
from policies.models import Duty, DutyCompletion, ReminderSent
from policies.selectors import calendar
from tests.factories import MembershipFactory, SchoolFactory, TermFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def at_nine(day, tz="Europe/London"):
    import zoneinfo

    return datetime.datetime.combine(day, datetime.time(9), zoneinfo.ZoneInfo(tz))


def duty(school, code, due_on):
    item = Duty.objects.get(school=school, code=code)
    item.next_due_on, item.anchor_day = due_on, due_on.day
    item.save()
    return item


def test_it_starts_every_school_with_the_seed_duties(oakfield):
    codes = set(Duty.objects.filter(school=oakfield).values_list("code", flat=True))
    assert codes == {"filtering_monitoring_review", "filtering_check", "incident_log_audit", "governor_report",
                     "training_audit", "aup_review"}


def test_it_completes_a_duty_and_rolls_it_on(client, oakfield, people):
    check = duty(oakfield, "filtering_check", datetime.date(2026, 10, 31))
    client.force_login(people.technician)
    data = {"due_on": "2026-10-31", "completed_on": "2026-11-02", "notes": "All categories pass"}
    response = client.post(reverse("policies:duty", args=[check.pk]), data)
    assert response.status_code == 302
    again = client.post(reverse("policies:duty", args=[check.pk]), data, follow=True)  # sent twice
    assert b"already recorded" in again.content
    check.refresh_from_db()
    assert check.next_due_on == datetime.date(2026, 11, 30)
    done = DutyCompletion.objects.get()
    assert (done.due_on, done.completed_by, done.notes) == (datetime.date(2026, 10, 31), people.technician,
                                                            "All categories pass")


def test_it_rolls_half_termly_duties_from_the_term_dates(oakfield, people):
    TermFactory(school=oakfield, starts_on=datetime.date(2026, 9, 3), ends_on=datetime.date(2026, 12, 18))
    audit = duty(oakfield, "incident_log_audit", datetime.date(2026, 10, 26))
    services.complete_duty(duty=audit, actor=people.osl, completed_on=datetime.date(2026, 10, 23))
    audit.refresh_from_db()
    assert audit.next_due_on == datetime.date(2026, 12, 18)
    with pytest.raises(RuleBroken):  # no spring term yet: say so, change nothing
        services.complete_duty(duty=audit, actor=people.osl, completed_on=datetime.date(2026, 11, 20))
    assert DutyCompletion.objects.count() == 1


def test_it_lets_only_the_duty_owner_or_head_record_it(client, oakfield, people):
    check = Duty.objects.get(school=oakfield, code="filtering_check")
    client.force_login(people.reporter)
    assert client.get(reverse("policies:duty", args=[check.pk])).status_code == 200
    assert client.post(reverse("policies:duty", args=[check.pk]), {"completed_on": "2026-11-02"}).status_code == 403
    client.force_login(people.parent)
    assert client.get(reverse("policies:compliance")).status_code == 403
    client.force_login(people.riverside_dsl)
    assert client.get(reverse("policies:duty", args=[check.pk])).status_code == 404


def test_it_refuses_a_completion_in_the_future_or_a_fake_evidence_file(client, oakfield, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    check = Duty.objects.get(school=oakfield, code="filtering_check")
    client.force_login(people.head)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert client.post(reverse("policies:duty", args=[check.pk]), {"completed_on": future}).status_code == 400
    fake = SimpleUploadedFile("report.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(reverse("policies:duty", args=[check.pk]), {"completed_on": "2026-11-02", "evidence": fake})
    assert response.status_code == 400
    assert DutyCompletion.objects.count() == 0


def test_it_shows_overdue_the_next_60_days_and_the_year_on_the_calendar(people, make_policy, oakfield):
    make_policy(title="Late", next_review_on=datetime.date(2026, 11, 1))
    make_policy(title="Soon", next_review_on=datetime.date(2027, 1, 10))
    make_policy(title="Later", next_review_on=datetime.date(2027, 9, 1))
    duty(oakfield, "filtering_check", datetime.date(2026, 11, 30))
    view = calendar(oakfield, TODAY)
    assert [i.title for i in view["overdue"]] == ["Review: Late"]
    assert "Review: Soon" in [i.title for i in view["next_60_days"]]
    assert "Filtering provision check" in [i.title for i in view["next_60_days"]]
    assert len(view["months"]) == 12
    september = [m for m in view["months"] if m["start"] == datetime.date(2027, 9, 1)][0]
    assert "Review: Later" in [i.title for i in september["items"]]


def test_it_shows_the_calendar_page_in_a_fixed_number_of_queries(client, people, make_policy,
                                                          django_assert_max_num_queries):
    for _ in range(3):
        make_policy()
    client.force_login(people.head)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("policies:compliance"))
    for _ in range(30):
        make_policy()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("policies:compliance")).status_code == 200


# ---------------------------------------------------------------- reminders

@pytest.fixture
def no_duties_due(people):
    """The school's own duties are pushed out of the way so a test sees only the item it sets up."""
    Duty.objects.update(next_due_on=datetime.date(2028, 6, 1))


def sent_to():
    return sorted(message.to[0] for message in mail.outbox)


def run(day, tz="Europe/London"):
    with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"):
        count = reminders.send_due_reminders(now=at_nine(day, tz))
    from onlinesafety.mail.services import deliver

    for email in OutboundEmail.objects.filter(sent_at__isnull=True):
        deliver(email.pk)
    return count


def test_it_reminds_the_owner_30_7_and_0_days_before_once_each(no_duties_due, people, make_policy):
    make_policy(next_review_on=datetime.date(2026, 12, 23))
    for day, expected in [(datetime.date(2026, 11, 22), 0), (datetime.date(2026, 11, 23), 1),
                          (datetime.date(2026, 11, 24), 0), (datetime.date(2026, 12, 16), 1),
                          (datetime.date(2026, 12, 17), 0), (datetime.date(2026, 12, 23), 1)]:
        assert run(day) == expected, day
    assert sent_to() == [people.osl.email] * 3
    assert [m.subject for m in mail.outbox][0].startswith("Due in 30 days")
    assert "Sign in to see it: http" in mail.outbox[0].body


def test_it_sends_nothing_more_when_run_twice(no_duties_due, people, make_policy):
    make_policy(next_review_on=datetime.date(2026, 11, 30))
    assert run(TODAY) == 1
    assert run(TODAY) == 0
    assert len(mail.outbox) == 1 and ReminderSent.objects.count() == 1


def test_it_retries_a_crash_mid_run_without_doubles(no_duties_due, people, make_policy):
    first = make_policy(next_review_on=datetime.date(2026, 11, 30))
    make_policy(next_review_on=datetime.date(2026, 11, 30))
    real_send = reminders._send
    calls = []

    def crash_on_second(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real_send(*args, **kwargs)

    with mock.patch("policies.reminders._send", side_effect=crash_on_second), pytest.raises(ConnectionError):
        run(TODAY)
    assert ReminderSent.objects.count() == 1 and ReminderSent.objects.get().item_id == first.pk
    assert run(TODAY) == 1  # the retry sends only what is left
    assert ReminderSent.objects.count() == 2 and len(mail.outbox) == 2


def test_it_sends_overdue_weekly_to_the_owner_the_head_and_the_link_governor(no_duties_due, people, oakfield,
                                                                            make_policy):
    from onlinesafety.schools.models import Membership

    Membership.objects.filter(user=people.governor, school=oakfield).update(is_safeguarding_governor=True)
    make_policy(next_review_on=datetime.date(2026, 11, 20))
    assert run(datetime.date(2026, 11, 21)) == 1
    assert sent_to() == sorted([people.osl.email, people.head.email, people.governor.email])
    assert run(datetime.date(2026, 11, 25)) == 0
    assert run(datetime.date(2026, 11, 28)) == 1
    assert mail.outbox[-1].subject.startswith("Overdue")


def test_it_reminds_everyone_holding_a_dutys_owner_role(no_duties_due, people, oakfield):
    duty(oakfield, "filtering_check", TODAY)
    assert run(TODAY) == 1
    assert sent_to() == [people.technician.email]
    assert mail.outbox[0].subject == "Due today: Filtering provision check"


def test_it_counts_days_in_each_schools_own_time_zone(people, make_policy):
    far_east = SchoolFactory(slug="auckland", timezone="Pacific/Auckland")
    MembershipFactory(user=people.osl, school=far_east, role=Role.ONLINE_SAFETY_LEAD)
    Duty.objects.filter(school=far_east).update(next_due_on=datetime.date(2027, 6, 1))
    make_policy(school=far_east, actor=people.osl, next_review_on=datetime.date(2026, 11, 24))  # no head there
    # 12:00 on 23 November in London is already 24 November in Auckland: "due today" there.
    with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"):
        reminders.send_due_reminders(now=at_nine(TODAY).replace(hour=12))
    assert ReminderSent.objects.get(school=far_east).threshold == "0"


def test_it_holds_the_daily_reminder_in_the_beat_database_where_an_admin_can_change_it(db):
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from onlinesafety import celery_app

    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():  # what the scheduler does when beat starts
        ModelEntry.from_entry(name, app=celery_app, **entry)
    task = PeriodicTask.objects.get(task="policies.tasks.send_due_reminders")
    assert (task.crontab.hour, task.crontab.minute) == ("6", "30")


def test_it_runs_the_reminders_from_the_task(no_duties_due, people, make_policy):
    from policies.tasks import send_due_reminders

    make_policy(next_review_on=timezone.localdate())
    with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"):
        assert send_due_reminders.delay().get() == 1


def test_it_lets_another_feature_complete_a_duty_once_per_period(oakfield, people):
    check = duty(oakfield, "filtering_check", datetime.date(2026, 11, 30))
    first = services.complete_duty_by_code(school=oakfield, code="filtering_check", actor=people.technician,
                                           completed_on=datetime.date(2026, 11, 10))
    second = services.complete_duty_by_code(school=oakfield, code="filtering_check", actor=people.technician,
                                            completed_on=datetime.date(2026, 11, 12))
    check.refresh_from_db()
    assert first is not None and second is None
    assert check.next_due_on == datetime.date(2026, 12, 30)


def test_it_skips_an_owner_who_has_left_and_tells_the_head(no_duties_due, people, make_policy):
    from onlinesafety.schools.models import Membership

    make_policy(owner=people.reporter, next_review_on=datetime.date(2026, 11, 30))
    Membership.objects.filter(user=people.reporter).update(is_active=False)
    assert run(TODAY) == 1
    assert sent_to() == [people.head.email]
    assert mail.outbox[0].subject.startswith("Due in 7 days")


def test_it_waits_to_remind_when_nobody_can_receive_it(no_duties_due, oakfield, people):
    from onlinesafety.schools.models import Membership

    duty(oakfield, "filtering_check", TODAY)
    Membership.objects.filter(role__in=[Role.TECHNICIAN, Role.HEADTEACHER]).update(is_active=False)
    assert run(TODAY) == 0
    assert ReminderSent.objects.count() == 0  # the band is not used up: it goes once someone can hear it


def test_it_checks_the_duty_right_in_the_service_but_not_for_another_feature(oakfield, people):
    review = duty(oakfield, "filtering_monitoring_review", datetime.date(2026, 11, 30))  # the DSL's duty
    with pytest.raises(NotAllowed):
        services.complete_duty(duty=review, actor=people.governor, completed_on=datetime.date(2026, 11, 10))
    assert DutyCompletion.objects.count() == 0
    # A governor signing off the annual review completes it on their behalf.
    done = services.complete_duty_by_code(school=oakfield, code="filtering_monitoring_review",
                                          actor=people.governor, completed_on=datetime.date(2026, 11, 10))
    assert done is not None and done.completed_by == people.governor
