import pytest
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent, AuditEventIsAppendOnly
from onlinesafety.audit.services import record_event
from tests.factories import PupilFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(oakfield, teacher):
    return record_event(verb="test.happened", actor=teacher, school=oakfield, target=oakfield, detail={"n": 1})


def test_it_records_who_did_what_to_which_record(event, oakfield, teacher):
    saved = AuditEvent.objects.get(pk=event.pk)
    assert (saved.verb, saved.actor, saved.school) == ("test.happened", teacher, oakfield)
    assert (saved.object_type, saved.object_id) == ("schools.school", str(oakfield.pk))
    assert saved.detail == {"n": 1}
    assert saved.occurred_at is not None


def test_it_refuses_to_update_an_event(event):
    event.verb = "rewritten"
    with pytest.raises(AuditEventIsAppendOnly):
        event.save()
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(verb="rewritten")
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["verb"])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.happened"


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AuditEventIsAppendOnly):
        event.delete()
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_keeps_the_actor_from_being_deleted(event, teacher):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        teacher.delete()


def test_it_refuses_large_details(oakfield):
    with pytest.raises(ValueError):
        record_event(verb="test.big", school=oakfield, detail={"text": "x" * 5000})


def test_it_lists_events_read_only_in_the_admin(client, event):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_audits_changes_made_in_the_admin(client, oakfield):
    admin = UserFactory(is_staff=True, is_superuser=True)
    pupil = PupilFactory(school=oakfield, first_name="Before")
    client.force_login(admin)
    url = reverse("admin:schools_pupil_change", args=[pupil.pk])
    data = {
        "school": oakfield.pk, "first_name": "After", "last_name": pupil.last_name,
        "date_of_birth": "2017-03-14", "year_group": 4, "school_class": pupil.school_class_id,
        "is_on_roll": "on",
        "parent_links-TOTAL_FORMS": 0, "parent_links-INITIAL_FORMS": 0,
    }
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(verb="admin.changed")
    assert (event.actor, event.school, event.object_id) == (admin, oakfield, str(pupil.pk))
    assert event.detail == {"fields": ["first_name"]}


def test_it_is_append_only_in_postgresql_itself(event):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only; the model guard is tested above")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_it_cannot_be_overwritten_by_a_new_instance_or_an_upsert(event):
    with pytest.raises(Exception):  # noqa: B017 - an integrity error: the id is taken, nothing is overwritten
        from django.db import transaction

        with transaction.atomic():
            AuditEvent(pk=event.pk, verb="tampered", occurred_at=event.occurred_at).save()
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(pk=event.pk, verb="upserted")], update_conflicts=True,
                                       update_fields=["verb"], unique_fields=["id"])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.happened"
