"""The daily reminders to families who have not answered: each one once, however often the task runs."""

from datetime import timedelta

import pytest

from aup import services, tasks
from aup.models import Campaign, CampaignKind, Invitation
from onlinesafety.mail.models import OutboundEmail
from tests.aup.helpers import answer_form, tokens_sent_to

pytestmark = pytest.mark.django_db


def reminders_to(email):
    return OutboundEmail.objects.filter(to=email, kind="aup_reminder").count()


def day(campaign, days, hours=1):
    return campaign.started_at + timedelta(days=days, hours=hours)


def test_it_sends_nothing_before_the_first_reminder_day(campaign, family):
    assert services.remind_families(now=day(campaign, 6)) == 0


def test_it_reminds_each_family_still_to_answer_once_on_day_seven(campaign, family):
    assert services.remind_families(now=day(campaign, 7)) == 3
    assert services.remind_families(now=day(campaign, 7, hours=5)) == 0
    assert reminders_to(family.parent.email) == 1
    assert Invitation.objects.get(campaign=campaign, parent=family.parent).reminders_sent == 1


def test_it_brings_a_new_working_link_with_the_reminder(client, campaign, family):
    services.remind_families(now=day(campaign, 7))
    first, fresh = tokens_sent_to(family.parent.email)
    assert first != fresh
    response = client.post(f"/aup/sign/{fresh}/{family.younger.pk}/", answer_form())
    assert response.status_code == 302


def test_it_sends_one_email_when_the_task_runs_twice(campaign, family, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: day(campaign, 7))
    tasks.remind_families.delay()
    tasks.remind_families.delay()
    assert reminders_to(family.parent.email) == 1


def test_it_tells_families_who_answered_or_declined_nothing_more(client, campaign, family, token):
    client.post(f"/aup/sign/{token}/{family.younger.pk}/", answer_form())
    client.post(f"/aup/sign/{token}/{family.older.pk}/", answer_form(decision="declined", decline_reason="No"))
    services.remind_families(now=day(campaign, 7))
    assert reminders_to(family.parent.email) == 0
    assert reminders_to(family.other_carer.email) == 0  # their only child is answered by the first carer
    assert reminders_to(family.neighbour.email) == 1


def test_it_still_reminds_a_family_with_one_child_left(client, campaign, family, token):
    client.post(f"/aup/sign/{token}/{family.younger.pk}/", answer_form())
    services.remind_families(now=day(campaign, 7))
    assert reminders_to(family.parent.email) == 1


def test_it_sends_the_second_reminder_on_day_fourteen_and_no_more(campaign, family):
    for days in (7, 8, 14, 15, 20):
        services.remind_families(now=day(campaign, days))
    assert reminders_to(family.parent.email) == 2


def test_it_catches_up_a_missed_run_with_one_email(campaign, family):
    assert services.remind_families(now=day(campaign, 15)) == 3
    assert reminders_to(family.parent.email) == 1
    assert services.remind_families(now=day(campaign, 16)) == 0


def test_it_sends_at_most_the_configured_number_of_reminders(settings, campaign, family):
    settings.AUP_REMINDER_DAYS = [1, 2, 3, 4, 5]
    settings.AUP_MAX_REMINDERS = 3
    for days in range(1, 8):
        services.remind_families(now=day(campaign, days))
    assert reminders_to(family.parent.email) == 3


def test_it_replaces_the_older_campaigns_reminders_with_a_newer_campaign(published, campaign, family, people):
    newer = services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                    cohort=Campaign.Cohort.WHOLE_SCHOOL, now=campaign.started_at + timedelta(days=1))
    services.remind_families(now=day(campaign, 7))
    assert reminders_to(family.parent.email) == 0
    services.remind_families(now=day(newer, 7))
    assert reminders_to(family.parent.email) == 1


def test_it_keeps_reminding_for_the_children_a_narrower_newer_campaign_leaves_out(published, campaign, family, people):
    services.start_campaign(school=published, actor=people.osl, kind=CampaignKind.AGREEMENT,
                            cohort=Campaign.Cohort.YEAR_GROUPS, ids=[5], now=campaign.started_at + timedelta(days=1))
    services.remind_families(now=day(campaign, 7))
    assert reminders_to(family.parent.email) == 1  # for the Year 1 child the newer one does not cover
    assert reminders_to(family.other_carer.email) == 1
    assert reminders_to(family.neighbour.email) == 0  # the newer campaign covers their only child


def test_it_sends_no_reminder_to_a_carer_who_left_or_lost_responsibility(campaign, family):
    from onlinesafety.schools.models import ParentLink

    ParentLink.objects.filter(parent=family.other_carer).update(has_parental_responsibility=False)
    family.neighbour.is_active = False
    family.neighbour.save()
    services.remind_families(now=day(campaign, 7))
    assert reminders_to(family.other_carer.email) == 0 and reminders_to(family.neighbour.email) == 0
    assert reminders_to(family.parent.email) == 1


def test_it_names_nobody_in_reminder_emails(campaign, family):
    services.remind_families(now=day(campaign, 7))
    for email in OutboundEmail.objects.filter(kind="aup_reminder"):
        for name in ("Ada", "Ben", "Lovelock", "Cleo"):
            assert name not in email.body and name not in email.subject


def test_it_runs_the_reminders_daily_from_the_database_with_beat(db):
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from onlinesafety import celery_app

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        ModelEntry.from_entry(name, app=celery_app, **entry)
    task = PeriodicTask.objects.get(task="aup.tasks.remind_families")
    assert (task.crontab.hour, task.crontab.minute) == ("9", "15")
