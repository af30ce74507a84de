"""The Django admin is audited and narrowed: every write there is an audit event naming records and fields,
never values; the outbox shows no contents; audit events are read-only; case records are not in the admin."""

import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from guardian.admin import GuardedModelAdminMixin

from onlinesafety.audit.admin import AuditedGuardedModelAdmin, AuditedModelAdmin, AuditedUserAdmin
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import Membership
from onlinesafety.schools.roles import Role
from tests.factories import PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ("onlinesafety.", "incidents.", "policies.", "filtering.", "aup.", "governors.")
AUDITED_HOOKS = ("save_model", "save_formset", "delete_model", "delete_queryset", "get_actions")
EVERY_ADMIN_MODEL = {
    "accounts.user", "auth.group", "schools.school", "schools.membership", "schools.schoolclass", "schools.pupil",
    "schools.term", "audit.auditevent", "mail.outboundemail", "incidents.incidentcategory", "policies.duty",
    "filtering.filteringsettings", "django_celery_beat.periodictask", "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule", "django_celery_beat.solarschedule", "django_celery_beat.intervalschedule",
    "mfa.authenticator", "usersessions.usersession", "sso.identityprovider",
}
NEW_PASSWORD = "a-long-passphrase-9"


@pytest.fixture
def superuser(client):
    person = UserFactory(email="root@site.example", full_name="Site Root", is_staff=True, is_superuser=True)
    client.force_login(person)
    return person


def events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("id"))


def test_it_audits_every_admin_registered_anywhere():
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        assert isinstance(model_admin, AuditedModelAdmin), f"{label}'s admin does not inherit AuditedModelAdmin"
        if isinstance(model_admin, DjangoUserAdmin):
            assert isinstance(model_admin, AuditedUserAdmin), f"{label}'s password form is not audited"
        if isinstance(model_admin, GuardedModelAdminMixin):
            assert isinstance(model_admin, AuditedGuardedModelAdmin), f"{label}'s permission pages are not audited"
        for hook in AUDITED_HOOKS:
            owner = next(klass for klass in type(model_admin).__mro__ if hook in vars(klass))
            assert issubclass(owner, AuditedModelAdmin) or owner.__module__.startswith(PROJECT_PACKAGES), (
                f"{owner.__module__}.{owner.__name__} overrides {hook} ahead of the audit in {label}'s admin"
            )


def test_it_keeps_case_records_and_agreements_out_of_the_admin():
    """Adding a model to the admin is a decision: cases, signatures, policies' text are read in the app only."""
    assert {model._meta.label_lower for model in admin.site._registry} == EVERY_ADMIN_MODEL


def test_it_records_a_password_set_for_someone_in_the_admin(client, superuser, dsl):
    url = reverse("admin:auth_user_password_change", args=[dsl.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true",
                                 "set-password": "1"})
    assert response.status_code == 302
    dsl.refresh_from_db()
    assert dsl.check_password(NEW_PASSWORD)
    [event] = events("admin.password_set")
    assert (event.actor, event.object_type, event.object_id) == (superuser, "accounts.user", str(dsl.pk))
    assert event.detail == {}


def test_it_records_a_password_switched_off_in_the_admin(client, superuser, dsl):
    url = reverse("admin:auth_user_password_change", args=[dsl.pk])
    response = client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    dsl.refresh_from_db()
    assert not dsl.has_usable_password()
    assert [event.object_id for event in events("admin.password_unset")] == [str(dsl.pk)]


def test_it_records_nothing_when_the_password_form_is_refused(client, superuser, dsl):
    url = reverse("admin:auth_user_password_change", args=[dsl.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": "something-else-9", "usable_password": "true"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(verb__startswith="admin.").exists()


def _user_change_data(user, **changes):
    data = {"email": user.email, "full_name": user.full_name, "is_active": "on",
            "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0}
    for membership in Membership.objects.filter(user=user):
        data |= {"memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 1, "memberships-0-id": membership.pk,
                 "memberships-0-user": user.pk, "memberships-0-school": membership.school_id,
                 "memberships-0-role": membership.role, "memberships-0-is_active": "on"}
    return data | changes


def test_it_records_the_names_of_the_fields_changed_and_not_their_values(client, superuser, dsl):
    response = client.post(reverse("admin:accounts_user_change", args=[dsl.pk]),
                           _user_change_data(dsl, full_name="Renamed Person", is_superuser="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = events("admin.changed")
    assert (event.actor, event.object_id) == (superuser, str(dsl.pk))
    assert event.detail == {"fields": ["full_name", "is_superuser"]}
    assert "Renamed" not in json.dumps(event.detail)


def test_it_records_each_row_of_an_inline_added_changed_or_deleted(client, superuser, oakfield, dsl):
    membership = Membership.objects.get(user=dsl)
    url = reverse("admin:accounts_user_change", args=[dsl.pk])
    changed = _user_change_data(dsl, **{"memberships-0-job_title": "Deputy head"})
    assert client.post(url, changed).status_code == 302
    [event] = events("admin.changed")
    assert (event.object_type, event.object_id, event.school) == ("schools.membership", str(membership.pk), oakfield)
    assert event.detail == {"parent_type": "accounts.user", "parent_id": str(dsl.pk), "fields": ["job_title"]}

    deleted = _user_change_data(dsl, **{"memberships-0-DELETE": "on"})
    assert client.post(url, deleted).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    [event] = events("admin.deleted")
    assert (event.object_type, event.object_id, event.school) == ("schools.membership", str(membership.pk), oakfield)

    added = _user_change_data(dsl, **{"memberships-TOTAL_FORMS": 1, "memberships-0-user": dsl.pk,
                                      "memberships-0-school": oakfield.pk, "memberships-0-role": Role.DSL,
                                      "memberships-0-is_active": "on"})
    assert client.post(url, added).status_code == 302
    new = Membership.objects.get(user=dsl)
    [event] = events("admin.added")
    assert (event.object_type, event.object_id, event.school) == ("schools.membership", str(new.pk), oakfield)
    assert {"role", "school"} <= set(event.detail["fields"])


def test_it_records_a_delete_in_the_admin(client, superuser, oakfield):
    pupil = PupilFactory(school=oakfield)
    response = client.post(reverse("admin:schools_pupil_delete", args=[pupil.pk]), {"post": "yes"})
    assert response.status_code == 302
    [event] = events("admin.deleted")
    assert (event.actor, event.school, event.object_type, event.object_id) == (
        superuser, oakfield, "schools.pupil", str(pupil.pk))


def _outbox(count):
    return [OutboundEmail.objects.create(to=f"carer{n}@family.example", subject=f"Sign for Ada Pupil{n}",
                                         body=f"https://school.example/sign/secret-token-{n}/", kind="parent_link")
            for n in range(count)]


def test_it_records_one_event_per_row_of_a_bulk_delete(client, superuser):
    emails = _outbox(3)
    data = {"action": "delete_selected", "_selected_action": [email.pk for email in emails], "post": "yes"}
    assert client.post(reverse("admin:mail_outboundemail_changelist"), data).status_code == 302
    assert not OutboundEmail.objects.exists()
    deleted = events("admin.deleted")
    assert sorted(event.object_id for event in deleted) == sorted(str(email.pk) for email in emails)
    assert {(event.actor, event.object_type) for event in deleted} == {(superuser, "mail.outboundemail")}


def test_it_records_nothing_while_a_bulk_delete_waits_for_its_confirmation(client, superuser):
    emails = _outbox(2)
    data = {"action": "delete_selected", "_selected_action": [email.pk for email in emails]}
    response = client.post(reverse("admin:mail_outboundemail_changelist"), data)
    assert response.status_code == 200
    assert OutboundEmail.objects.count() == 2 and not AuditEvent.objects.filter(verb__startswith="admin.").exists()
    page = response.content.decode()
    assert "family.example" not in page and "Ada" not in page and "secret-token" not in page


def test_it_records_one_event_per_row_of_any_other_action(client, superuser):
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    tasks = [PeriodicTask.objects.create(name=f"job {n}", task="mail.drain_outbox", interval=every_hour)
             for n in range(2)]
    data = {"action": "disable_tasks", "_selected_action": [task.pk for task in tasks]}
    assert client.post(reverse("admin:django_celery_beat_periodictask_changelist"), data).status_code == 302
    assert not PeriodicTask.objects.filter(enabled=True, name__startswith="job").exists()
    recorded = events("admin.action")
    assert sorted(event.object_id for event in recorded) == sorted(str(task.pk) for task in tasks)
    assert {json.dumps(event.detail) for event in recorded} == {json.dumps({"action": "disable_tasks"})}


def test_it_records_permissions_granted_on_one_record(client, superuser, oakfield, teacher):
    pupil = PupilFactory(school=oakfield)
    url = reverse("admin:schools_pupil_permissions_manage_user", args=[pupil.pk, teacher.pk])
    assert client.post(url, {"permissions": ["view_pupil"]}).status_code == 302
    assert teacher.has_perm("schools.view_pupil", pupil)
    [event] = events("admin.permissions_changed")
    assert (event.school, event.object_type, event.object_id) == (oakfield, "schools.pupil", str(pupil.pk))
    assert event.detail == {"holder_type": "accounts.user", "holder_id": str(teacher.pk),
                            "granted": ["view_pupil"], "removed": []}


def test_it_shows_the_outbox_without_subjects_bodies_or_addresses(client, superuser):
    [email] = _outbox(1)
    response = client.get(reverse("admin:mail_outboundemail_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "parent_link" in page and "family.example" in page and "waiting" in page
    assert "carer0@" not in page and "Ada Pupil" not in page and "secret-token" not in page
    assert reverse("admin:mail_outboundemail_change", args=[email.pk]) not in page


def test_it_has_no_page_for_one_email_and_no_way_to_add_one(client, superuser):
    [email] = _outbox(1)
    assert client.get(reverse("admin:mail_outboundemail_change", args=[email.pk])).status_code == 403
    assert client.get(reverse("admin:mail_outboundemail_history", args=[email.pk])).status_code == 403
    assert client.get(reverse("admin:mail_outboundemail_add")).status_code == 403
    delete_page = client.get(reverse("admin:mail_outboundemail_delete", args=[email.pk])).content.decode()
    assert "carer0@" not in delete_page and "Ada Pupil" not in delete_page and "secret-token" not in delete_page


def test_it_offers_no_action_on_audit_events(client, superuser):
    """None but unlocking the networks of rate-limit events (tests/kernel/test_rate_limits.py), which changes no
    event."""
    event = AuditEvent.objects.create(verb="test.happened")
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 200
    assert re.findall(r'<option value="(\w+)"', response.content.decode()) == ["unlock_networks"]
    data = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post(reverse("admin:audit_auditevent_changelist"), data)
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"verb": "x"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.happened"
