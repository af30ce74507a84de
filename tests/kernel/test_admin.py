import pytest
from django.urls import reverse

from tests.factories import PupilFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "schools_school", "accounts_user", "schools_membership", "schools_pupil", "schools_term",
    "schools_schoolclass", "audit_auditevent", "mail_outboundemail",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_it_opens_each_admin_list_for_a_site_administrator(client, oakfield, model):
    PupilFactory(school=oakfield)
    TermFactory(school=oakfield)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_it_keeps_school_members_out_of_the_admin(client, dsl):
    client.force_login(dsl)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_it_adds_a_user_by_email_in_the_admin(client):
    from django.contrib.auth import get_user_model

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "New.Person@Example.org", "full_name": "New Person", "password1": "a-long-passphrase-1",
         "password2": "a-long-passphrase-1", "usable_password": "true",
         "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = get_user_model().objects.get(email="new.person@example.org")
    from onlinesafety.audit.models import AuditEvent

    assert AuditEvent.objects.filter(verb="admin.added", object_type="accounts.user", object_id=str(user.pk)).exists()


def _link_form(pupil, contact):
    from onlinesafety.schools.admin import ParentLinkInlineForm
    from onlinesafety.schools.models import ParentLink

    return ParentLinkInlineForm({"contact": contact.pk, "relationship": ParentLink.Relationship.MOTHER,
                                 "has_parental_responsibility": "on", "priority": 1},
                                instance=ParentLink(pupil=pupil))


def test_it_sets_a_parent_link_s_account_from_its_contact_in_the_admin(oakfield):
    from onlinesafety.schools.models import Contact

    carer = UserFactory()
    contact = Contact.objects.create(school=oakfield, full_name="A Carer", email=carer.email, user=carer)
    form = _link_form(PupilFactory(school=oakfield), contact)
    assert form.is_valid(), form.errors
    assert "parent" not in form.fields
    assert form.save().parent == carer


def test_it_refuses_a_parent_link_to_another_school_s_contact_in_the_admin(oakfield, riverside):
    from onlinesafety.schools.models import Contact, ParentLink

    elsewhere = Contact.objects.create(school=riverside, full_name="Someone Else")
    form = _link_form(PupilFactory(school=oakfield), elsewhere)
    assert not form.is_valid() and "another school" in form.errors["contact"][0]
    assert not ParentLink.objects.exists()


def test_it_shows_a_pupil_s_parent_links_in_the_admin(client, oakfield):
    from onlinesafety.schools.models import ParentLink
    from onlinesafety.schools.services import link_parent

    pupil = PupilFactory(school=oakfield)
    link_parent(pupil=pupil, parent=UserFactory(full_name="Shown Carer"), relationship=ParentLink.Relationship.FATHER)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:schools_pupil_change", args=[pupil.pk]))
    assert response.status_code == 200 and "Shown Carer" in response.content.decode()
