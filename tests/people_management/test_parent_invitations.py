"""Giving parents accounts: one button invites every parent contact with an email whose account has no password
and no invitation still working, in bulk through the outbox, never twice; agreement links keep working without
an account; the list of parents and carers."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from onlinesafety.accounts.models import Invitation
from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import Contact, ParentLink
from onlinesafety.schools.roles import Role
from onlinesafety.schools.services import add_member, link_parent
from tests.factories import PupilFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def imported_parent(school, email, pupil, name="Imported Parent"):
    """A parent as the roster import makes them: an account with no password, a contact, a link, the role."""
    user = User.objects.create_user(email=email, full_name=name)
    link_parent(pupil=pupil, parent=user, relationship=ParentLink.Relationship.MOTHER)
    return user


class Families:
    def __init__(self, school, riverside, people):
        self.pupil = PupilFactory(school=school, first_name="Zebedee", last_name="Quartermaine")
        self.to_invite = [imported_parent(school, f"parent{n}@t.example", self.pupil, f"Parent Number{n}")
                          for n in range(3)]
        # Not invited: a parent who can sign in already ...
        link_parent(pupil=self.pupil, parent=people.parent, relationship="father")
        # ... a carer with no email on record (so no account) ...
        self.no_email = Contact.objects.create(school=school, full_name="Grace Noemail")
        ParentLink.objects.create(contact=self.no_email, pupil=self.pupil, relationship="grandparent")
        # ... a parent whose only child has left ...
        left = PupilFactory(school=school, is_on_roll=False)
        self.left = imported_parent(school, "left@t.example", left)
        # ... and a parent of another school.
        self.elsewhere = imported_parent(riverside, "river.parent@t.example", PupilFactory(school=riverside))


@pytest.fixture
def families(oakfield, riverside, people):
    return Families(oakfield, riverside, people)


@pytest.fixture
def head(client, people):
    client.force_login(people.head)
    return client


def invite_url(school):
    return reverse("people:invite_parents", args=[school.slug])


def test_it_offers_to_invite_only_the_parents_with_an_email_and_no_account_yet(head, oakfield, families):
    page = head.get(reverse("people:list", args=[oakfield.slug])).content.decode()
    assert "Invite 3 parents and carers to set a password" in page
    assert "5 parents and carers of pupils on roll: 1 signed up, 0 invited and not yet signed up, 1 with no email" \
           in page


def test_it_invites_each_of_them_once_in_bulk(head, oakfield, families, monkeypatch,
                                             django_capture_on_commit_callbacks):
    from onlinesafety.accounts import services as account_services

    calls = []
    original = account_services.queue_emails
    monkeypatch.setattr(account_services, "queue_emails",
                        lambda messages, kind: calls.append(kind) or original(messages, kind=kind))
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(invite_url(oakfield))
    assert response.status_code == 302
    assert calls == ["parent_invitation"]  # one bulk call, one email each
    invited = set(Invitation.objects.values_list("user__email", flat=True))
    assert invited == {user.email for user in families.to_invite}
    assert all(invitation.kind == Invitation.Kind.PARENT for invitation in Invitation.objects.all())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invited)
    for message in mail.outbox:
        assert "/accounts/invitation/" in message.body
        for personal in ("Zebedee", "Quartermaine", "Parent Number", "Imported"):
            assert personal not in message.body
    assert "3 parents and carers have been emailed" in head.get(response["Location"]).content.decode()
    assert AuditEvent.objects.get(verb="invitation.sent_in_bulk").detail == {"kind": "parent", "count": 3}


def test_it_never_invites_twice_from_a_double_click(head, oakfield, families):
    head.post(invite_url(oakfield))
    second = head.post(invite_url(oakfield), follow=True)
    assert "Nothing was changed" in second.content.decode()
    assert Invitation.objects.count() == 3 and OutboundEmail.objects.count() == 3
    page = head.get(reverse("people:list", args=[oakfield.slug])).content.decode()
    assert "to set a password</button>" not in page and "3 invited and not yet signed up" in page


def test_it_invites_again_once_an_invitation_has_expired(head, oakfield, families):
    from datetime import timedelta

    from django.utils import timezone

    head.post(invite_url(oakfield))
    first = families.to_invite[0]
    Invitation.objects.filter(user=first).update(created_at=timezone.now() - timedelta(days=9),
                                                 expires_at=timezone.now() - timedelta(days=2))
    head.post(invite_url(oakfield))
    assert Invitation.objects.filter(user=first).count() == 2
    assert Invitation.objects.filter(user=first, withdrawn_at__isnull=False).count() == 1
    assert Invitation.objects.count() == 4


def test_it_lets_an_invited_parent_set_a_password_and_see_their_home(head, oakfield, families,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        head.post(invite_url(oakfield))
    parent = families.to_invite[0]
    [message] = [m for m in mail.outbox if m.to == [parent.email]]
    path = re.search(r"(/accounts/invitation/[A-Za-z0-9_-]+/)", message.body).group(1)
    visitor = Client()
    assert visitor.get(path)["Location"] == reverse("accounts:invitation_set_password")
    response = visitor.post(reverse("accounts:invitation_set_password"),
                            {"new_password1": "quiet-harbour-lamps", "new_password2": "quiet-harbour-lamps"})
    assert response.status_code == 302
    home = visitor.get(reverse("home"))
    assert "home/parent.html" in [t.name for t in home.templates]
    assert "Zebedee" in home.content.decode()


def test_it_opens_no_account_for_an_imported_parent_through_forgot_password(oakfield, families,
                                                                          django_capture_on_commit_callbacks):
    """Whether parents have accounts is the school's choice (the button above): a parent the roster import made an
    account for cannot open it with "forgot your password", which answers as for any other address."""
    parent = families.to_invite[0]
    with django_capture_on_commit_callbacks(execute=True):
        answers = {Client().post(reverse("accounts:password_reset"), {"email": email})["Location"]
                   for email in (parent.email, "nobody-at-all@t.example")}
    assert answers == {reverse("account_reset_password_done")}
    assert not OutboundEmail.objects.filter(kind="password_reset").exists() and mail.outbox == []
    parent.refresh_from_db()
    assert not parent.has_usable_password()


def test_it_keeps_agreement_links_working_for_parents_without_an_account(oakfield, families, people):
    """The agreement campaign emails every parent with an email, account or not, and the link opens without
    signing in."""
    from aup import services as aup_services
    from aup.models import Campaign, CampaignKind
    from tests.aup.helpers import publish_all, tokens_sent_to

    publish_all(oakfield, people.osl)
    aup_services.start_campaign(school=oakfield, actor=people.osl, kind=CampaignKind.AGREEMENT,
                                cohort=Campaign.Cohort.WHOLE_SCHOOL)
    parent = families.to_invite[0]
    assert not parent.has_usable_password()
    [token] = tokens_sent_to(parent.email)
    assert Client().get(f"/aup/sign/{token}/").status_code == 200


def test_it_lists_the_parents_and_carers_with_their_accounts(head, oakfield, families, people):
    head.post(invite_url(oakfield))
    response = head.get(reverse("people:parents", args=[oakfield.slug]))
    page = response.content.decode()
    assert "Grace Noemail" in page and "No email on record" in page
    assert escape(people.parent.full_name) in page and "Signed up" in page
    assert "Parent Number0" in page and "Invited, not yet accepted" in page
    assert escape(families.elsewhere.full_name) not in page and escape(families.left.full_name) not in page


def test_it_leaves_an_existing_parent_membership_alone_when_they_join_the_staff(head, oakfield, families):
    parent = families.to_invite[0]
    add_member(school=oakfield, user=parent, role=Role.PARENT)
    head.post(reverse("people:add", args=[oakfield.slug]),
              {"full_name": "X", "email": parent.email, "role": "staff"})
    assert set(parent.memberships.filter(is_active=True).values_list("role", flat=True)) == {Role.PARENT, Role.STAFF}
    assert User.objects.filter(email=parent.email).count() == 1
