"""Every form of the people pages and the invitation sent twice with one token writes once: one member added, one
round of invitations, one new link, one password set."""

import pytest
from django.urls import reverse

from onlinesafety.mail.models import OutboundEmail
from onlinesafety.schools.models import Membership
from onlinesafety.schools.people import services
from onlinesafety.schools.roles import Role
from tests.factories import ParentLinkFactory, PupilFactory, member_of
from tests.sent_twice import assert_sent_once, forms_sent_twice

from .test_invitations import LINK, SET_PASSWORD, url_of

pytestmark = pytest.mark.django_db


def _people(name, membership, data):
    def case(s):
        return s.people.head, reverse(f"people:{name}", args=[s.school.slug, membership(s).pk]), data
    return case


def _of(person, role):
    return lambda s: Membership.objects.get(user=getattr(s.people, person), school=s.school, role=role)


def _invite_staff(s):
    user = member_of(s.school, Role.STAFF, email="nopassword@t.example")
    user.set_unusable_password()
    user.save()
    return s.people.head, reverse("people:invite_staff", args=[s.school.slug]), {}


def _resend(s):
    services.add_member(school=s.school, actor=s.people.head, full_name="Ann Example", email="ann@t.example",
                        role=Role.STAFF)
    membership = Membership.objects.get(user__email="ann@t.example", school=s.school)
    seen = membership.user.invitations.values_list("pk", flat=True).get()
    return s.people.head, reverse("people:resend", args=[s.school.slug, membership.pk]), {"seen": seen}


def _parents(s):
    carer = member_of(s.school, Role.PARENT, email="carer@t.example")
    carer.set_unusable_password()
    carer.save()
    ParentLinkFactory(parent=carer, pupil=PupilFactory(school=s.school))
    return s.people.head, reverse("people:invite_parents", args=[s.school.slug]), {}


def _accept(s):
    services.add_member(school=s.school, actor=s.people.head, full_name="Ann Example", email="ann@t.example",
                        role=Role.STAFF)
    body = OutboundEmail.objects.filter(to="ann@t.example").values_list("body", flat=True).get()  # not sent yet
    token = LINK.search(body).group(2)
    s.client.get(url_of(token))
    return None, SET_PASSWORD, {"new_password1": "wobbly-lantern-pasture", "new_password2": "wobbly-lantern-pasture"}


CASES = {
    "add a member": ("people:add", lambda s: (s.people.head, reverse("people:add", args=[s.school.slug]), {
        "full_name": "Ann Example", "email": "ann@t.example", "role": "staff", "job_title": "Year 2 teacher"})),
    "change a role": ("people:change_role", _people("change_role", _of("reporter", Role.STAFF),
                                                    {"role": "technician"})),
    "end a role": ("people:end", _people("end", _of("reporter", Role.STAFF), {})),
    "make chair": ("people:chair", _people("chair", _of("governor", Role.GOVERNOR), {"chair": "yes"})),
    "make link governor": ("people:link_governor", _people("link_governor", _of("governor", Role.GOVERNOR),
                                                           {"link": "yes"})),
    "send a new link": ("people:resend", _resend),
    "invite staff": ("people:invite_staff", _invite_staff),
    "invite parents": ("people:invite_parents", _parents),
    "set the password from an invitation": ("accounts:invitation_set_password", _accept),
}


class Setting:
    def __init__(self, school, people, client):
        self.school, self.people, self.client = school, people, client


@pytest.mark.parametrize(**forms_sent_twice(CASES))
def test_it_writes_once_when_a_form_is_sent_twice(client, oakfield, people, case,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user, url, data = case(Setting(oakfield, people, client))
        if user is not None:
            client.force_login(user)
        assert_sent_once(client, url, data)
