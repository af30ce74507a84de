"""Inviting, in bulk, the school's people who have no account yet: typically the staff the roster import made,
who have no password and, since "forgot your password" opens no account, no other way in. One button on the people
page invites each of them once (one email each through the outbox), never twice from a double click, audited;
until then the page shows them as "No account yet: not invited"."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onlinesafety.accounts.models import Invitation
from onlinesafety.accounts.services import send_invitation
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.schools.models import Membership
from onlinesafety.schools.people import services
from onlinesafety.schools.roles import Role

pytestmark = pytest.mark.django_db
User = get_user_model()
NOT_INVITED = "No account yet: not invited"


def imported(school, email, role=Role.STAFF, full_name="Imported Teacher", active=True):
    """A member of staff as the roster's staff import makes them: an account with no password, a membership with
    the MIS id."""
    user = User.objects.create(email=email, full_name=full_name, password=make_password(None))
    Membership.objects.create(user=user, school=school, role=role, mis_id=f"MIS-{email}", is_active=active)
    return user


class Staff:
    def __init__(self, school, riverside, head):
        self.to_invite = [imported(school, "t1@t.example", full_name="Tilda Imported"),
                          imported(school, "t2@t.example", Role.TECHNICIAN, full_name="Tomas Imported"),
                          imported(school, "v1@t.example", Role.VISITOR, full_name="Vera Imported")]
        # Two roles: one invitation.
        Membership.objects.create(user=self.to_invite[0], school=school, role=Role.GOVERNOR)
        # Not invited: someone invited already (still working, or expired: re-sent from their row) ...
        self.invited = imported(school, "invited@t.example")
        send_invitation(user=self.invited, school=school, actor=head, kind=Invitation.Kind.STAFF)
        self.expired = imported(school, "expired@t.example")
        send_invitation(user=self.expired, school=school, actor=head, kind=Invitation.Kind.STAFF)
        Invitation.objects.filter(user=self.expired).update(created_at=timezone.now() - timedelta(days=9),
                                                            expires_at=timezone.now() - timedelta(days=2))
        # ... someone whose role here has ended, an account switched off, another school's ...
        self.ended = imported(school, "ended@t.example", active=False)
        self.switched_off = imported(school, "off@t.example")
        User.objects.filter(pk=self.switched_off.pk).update(is_active=False)
        self.elsewhere = imported(riverside, "river@t.example")
        # ... and a parent (parents have a button of their own).
        self.parent = imported(school, "imported.carer@t.example", Role.PARENT)


@pytest.fixture
def staff(oakfield, riverside, people):
    return Staff(oakfield, riverside, people.head)


@pytest.fixture
def head(client, people):
    client.force_login(people.head)
    return client


def list_url(school):
    return reverse("people:list", args=[school.slug])


def invite_url(school):
    return reverse("people:invite_staff", args=[school.slug])


def test_it_shows_staff_the_import_made_as_not_invited_with_a_button_to_invite_them(head, oakfield, staff):
    page = head.get(list_url(oakfield)).content.decode()
    assert "3 people have no account yet and have not been invited" in page
    assert "Invite 3 people to set a password</button>" in page
    assert page.count(NOT_INVITED) == 5  # Tilda twice (staff and governor), Tomas, Vera: the rows; and the card
    assert "Invitation expired" in page and "Invited, not yet accepted" in page
    assert "Account switched off" in page


def test_it_invites_each_of_them_once_in_bulk_and_audits_it(head, oakfield, staff, people, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    from onlinesafety.accounts import services as account_services

    mail.outbox.clear()
    queued = OutboundEmail.objects.count()
    calls = []
    original = account_services.queue_emails
    monkeypatch.setattr(account_services, "queue_emails",
                        lambda messages, kind: calls.append((kind, len(messages))) or original(messages, kind=kind))
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(invite_url(oakfield))
    assert response.status_code == 302 and response["Location"] == list_url(oakfield)
    assert calls == [("invitation", 3)]  # one bulk call through the outbox, one email each
    emails = {user.email for user in staff.to_invite}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(emails)
    assert OutboundEmail.objects.count() == queued + 3
    assert set(OutboundEmail.objects.filter(kind="invitation", to__in=emails).values_list("to", flat=True)) == emails
    for message in mail.outbox:
        assert oakfield.name in message.body and "/accounts/invitation/" in message.body
        assert "Imported" not in message.body and "Tilda" not in message.body
    sent = Invitation.objects.filter(user__email__in=emails)
    assert sent.count() == 3 and {i.kind for i in sent} == {Invitation.Kind.STAFF}
    assert {i.school_id for i in sent} == {oakfield.pk}
    event = AuditEvent.objects.get(verb="invitation.sent_in_bulk")
    assert event.actor == people.head and event.school == oakfield and event.detail == {"kind": "staff", "count": 3}
    page = head.get(response["Location"]).content.decode()
    assert "3 people have been emailed a link to set a password" in page
    assert NOT_INVITED not in page and "Invite 3 people" not in page


def test_it_never_invites_twice_from_a_double_click(head, oakfield, staff, people):
    first = Invitation.objects.count()
    head.post(invite_url(oakfield))
    second = head.post(invite_url(oakfield), follow=True)
    assert "Nothing was changed" in second.content.decode()
    assert Invitation.objects.count() == first + 3
    assert OutboundEmail.objects.filter(to__in=[user.email for user in staff.to_invite]).count() == 3
    with pytest.raises(RuleBroken, match="has an account or has been sent an invitation"):
        services.invite_staff(school=oakfield, actor=people.head)


def test_it_leaves_out_everyone_who_is_invited_signed_up_gone_switched_off_elsewhere_or_a_parent(
        head, oakfield, staff, people):
    head.post(invite_url(oakfield))
    invited_now = set(Invitation.objects.filter(withdrawn_at=None, accepted_at=None, invited_by=people.head)
                      .exclude(user__in=[staff.invited, staff.expired]).values_list("user__email", flat=True))
    assert invited_now == {user.email for user in staff.to_invite}
    for left_out in (staff.ended, staff.switched_off, staff.elsewhere, staff.parent, people.reporter):
        assert not Invitation.objects.filter(user=left_out).exists(), left_out.email
    assert Invitation.objects.filter(user=staff.invited).count() == 1  # not sent a second link
    assert Invitation.objects.filter(user=staff.expired).count() == 1  # re-sent from their own row instead


def test_it_lets_an_invited_member_of_staff_set_a_password_and_sign_in(head, oakfield, staff,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        head.post(invite_url(oakfield))
    [message] = [m for m in mail.outbox if m.to == ["t2@t.example"]]
    path = re.search(r"(/accounts/invitation/[A-Za-z0-9_-]+/)", message.body).group(1)
    visitor = Client()
    visitor.get(path)
    response = visitor.post(reverse("accounts:invitation_set_password"),
                            {"new_password1": "granite-kettle-meadow", "new_password2": "granite-kettle-meadow"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert visitor.session["_auth_user_id"] == str(staff.to_invite[1].pk)


def test_it_answers_404_to_anyone_who_does_not_administer_the_school(client, oakfield, staff, people,
                                                                     riverside_head, trust_admin):
    for person in (people.dsl, people.reporter, people.governor, people.parent, riverside_head):
        client.force_login(person)
        assert client.post(invite_url(oakfield)).status_code == 404
    assert not AuditEvent.objects.filter(verb="invitation.sent_in_bulk").exists()
    client.force_login(trust_admin)
    assert client.get(invite_url(oakfield)).status_code == 405  # a button, never a link
    assert client.post(invite_url(oakfield)).status_code == 302
    assert AuditEvent.objects.get(verb="invitation.sent_in_bulk").actor == trust_admin
    with pytest.raises(NotAllowed):
        services.invite_staff(school=oakfield, actor=people.dsl)
