"""The people page: members by role, adding a member of staff (one account per email, one membership per role,
whatever is sent twice), changing and ending roles, the guard rails on the headteacher's role, the chair and the
link governors, and an audit event for each change."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from onlinesafety.accounts.models import Invitation
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import Membership
from onlinesafety.schools.people import services
from onlinesafety.schools.roles import Role
from tests.factories import TEST_PASSWORD, ParentLinkFactory, PupilFactory, member_of

pytestmark = pytest.mark.django_db
User = get_user_model()


def membership(user, school, role):
    return Membership.objects.get(user=user, school=school, role=role)


def add(client, school, **fields):
    data = {"full_name": "Ann Example", "email": "ann@t.example", "role": "staff", "job_title": "Year 2 teacher"}
    data.update(fields)
    return client.post(reverse("people:add", args=[school.slug]), data)


def verbs():
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


@pytest.fixture
def head_client(client, people):
    client.force_login(people.head)
    return client


def test_it_lists_members_by_role_with_governors_visitors_and_a_count_of_parents(head_client, oakfield, people):
    PupilFactory(school=oakfield)
    ParentLinkFactory(parent=people.parent, pupil=PupilFactory(school=oakfield))
    page = head_client.get(reverse("people:list", args=[oakfield.slug])).content.decode()
    for heading in ("Headteacher", "Designated Safeguarding Lead", "IT technician", "Staff member", "Governors",
                    "Visitors", "Parents and carers"):
        assert heading in page
    assert escape(people.reporter.full_name) in page and escape(people.visitor.full_name) in page
    assert escape(people.parent.full_name) not in page  # parents are a count, with a link to their list
    assert "1 parent or carer of pupils on roll" in page
    assert reverse("people:parents", args=[oakfield.slug]) in page
    assert escape(people.riverside_dsl.full_name) not in page


def test_it_adds_a_member_of_staff_with_a_new_account_and_emails_an_invitation(
        head_client, oakfield, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = add(head_client, oakfield)
    assert response.status_code == 302
    user = User.objects.get(email="ann@t.example")
    assert user.full_name == "Ann Example" and not user.has_usable_password()
    member = membership(user, oakfield, Role.STAFF)
    assert member.is_active and member.job_title == "Year 2 teacher"
    assert Invitation.objects.filter(user=user, school=oakfield, accepted_at=None, withdrawn_at=None).count() == 1
    [email] = [m for m in mail.outbox if m.to == ["ann@t.example"]]
    assert "/accounts/invitation/" in email.body
    assert {"account.created", "membership.added", "invitation.sent"} <= set(verbs())
    page = head_client.get(response["Location"]).content.decode()
    assert "Ann Example has been added as Staff member" in page and "Invited, not yet accepted" in page


def test_it_reuses_the_existing_account_with_that_email_and_never_makes_a_second(head_client, oakfield, people):
    riverside_teacher = member_of(people.riverside_dsl.memberships.get().school, Role.STAFF,
                                  email="moves@river.example")
    name = riverside_teacher.full_name
    users = User.objects.count()
    response = add(head_client, oakfield, email="MOVES@River.Example", full_name="Someone Else", role="dsl")
    assert response.status_code == 302
    assert User.objects.count() == users
    riverside_teacher.refresh_from_db()
    assert riverside_teacher.full_name == name  # an existing name is never overwritten
    assert membership(riverside_teacher, oakfield, Role.DSL).is_active
    assert not Invitation.objects.filter(user=riverside_teacher).exists()  # they can sign in already
    assert "sign in as before" in head_client.get(response["Location"]).content.decode()


def test_it_gives_one_person_several_roles(head_client, oakfield, people):
    assert add(head_client, oakfield, email=people.reporter.email, role="deputy_dsl").status_code == 302
    roles = set(Membership.objects.filter(user=people.reporter, school=oakfield, is_active=True)
                .values_list("role", flat=True))
    assert roles == {Role.STAFF, Role.DEPUTY_DSL}


def test_it_makes_one_membership_and_one_invitation_when_the_form_is_sent_twice(
        head_client, oakfield, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = add(head_client, oakfield)
        second = add(head_client, oakfield)
    assert first.status_code == second.status_code == 302
    user = User.objects.get(email="ann@t.example")
    assert Membership.objects.filter(user=user, school=oakfield).count() == 1
    assert Invitation.objects.filter(user=user).count() == 1
    assert len([m for m in mail.outbox if m.to == ["ann@t.example"]]) == 1
    assert verbs().count("membership.added") == 1
    assert "already holds the role Staff member" in head_client.get(second["Location"]).content.decode()


def test_it_offers_every_role_but_parent_with_none_chosen(head_client, oakfield):
    page = head_client.get(reverse("people:add", args=[oakfield.slug])).content.decode()
    radios = re.findall(r'<input type="radio" name="role" value="([a-z_]+)"[^>]*>', page)
    assert radios == ["headteacher", "dsl", "deputy_dsl", "online_safety_lead", "technician", "staff", "governor",
                      "visitor"]
    assert "checked" not in " ".join(re.findall(r'<input type="radio"[^>]*>', page))


def test_it_shows_each_problem_in_the_gov_uk_pattern_and_saves_nothing(head_client, oakfield):
    users, memberships = User.objects.count(), Membership.objects.count()
    response = add(head_client, oakfield, full_name="", email="not an email", role="", job_title="x" * 101)
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index("There is a problem"):page.index("</ul>", page.index("There is a problem"))]
    for anchor, message in (("#id_full_name", "Enter the person&#x27;s full name"),
                            ("#id_email", "Enter an email address in the correct format, like name@example.com"),
                            ("#id_role_0", "Choose the role they will hold"),
                            ("#id_job_title", "Job title must be 100 characters or fewer")):
        assert f'href="{anchor}">{message}' in summary
    assert 'id="id_full_name-error"' in page and 'aria-describedby="id_full_name-error"' in page
    assert 'aria-invalid="true"' in page and "<title>Error: Add a member of staff" in page
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_it_refuses_governor_flags_for_another_role_and_null_bytes_without_a_500(head_client, oakfield):
    response = add(head_client, oakfield, role="staff", is_chair="on", is_link_governor="on")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_is_chair">Only a governor can be chair of governors' in page
    assert 'href="#id_is_link_governor">Only a governor can be a link governor' in page
    assert add(head_client, oakfield, full_name="Ann\x00Example").status_code == 400
    assert add(head_client, oakfield, role="parent").status_code == 400
    assert not User.objects.filter(email="ann@t.example").exists()


def test_it_adds_a_governor_as_chair_in_place_of_the_current_chair(head_client, oakfield, people):
    response = add(head_client, oakfield, email="newchair@t.example", role="governor", is_chair="on",
                   is_link_governor="on")
    assert response.status_code == 302
    new = membership(User.objects.get(email="newchair@t.example"), oakfield, Role.GOVERNOR)
    assert new.is_chair and new.is_safeguarding_governor
    assert not membership(people.chair, oakfield, Role.GOVERNOR).is_chair
    assert Membership.objects.filter(school=oakfield, is_chair=True, is_active=True).count() == 1
    assert f"in place of {escape(people.chair.full_name)}" in head_client.get(response["Location"]).content.decode()


def test_it_changes_a_role_by_replacing_it(head_client, oakfield, people):
    old = membership(people.reporter, oakfield, Role.STAFF)
    old.job_title = "Year 3 teacher"
    old.save()
    url = reverse("people:change_role", args=[oakfield.slug, old.pk])
    page = head_client.get(url).content.decode()
    assert 'value="staff"' not in page and "checked" not in page  # the current role is not offered
    response = head_client.post(url, {"role": "online_safety_lead"})
    assert response.status_code == 302
    old.refresh_from_db()
    new = membership(people.reporter, oakfield, Role.ONLINE_SAFETY_LEAD)
    assert not old.is_active and new.is_active and new.job_title == "Year 3 teacher"
    event = AuditEvent.objects.get(verb="membership.role_changed")
    assert event.detail["from"] == "staff" and event.detail["to"] == "online_safety_lead"
    # Sent twice: the second finds it done and changes nothing.
    again = head_client.post(url, {"role": "online_safety_lead"})
    assert again.status_code == 302 and verbs().count("membership.role_changed") == 1
    assert "had already been changed" in head_client.get(again["Location"]).content.decode()


def test_it_refuses_to_change_to_a_role_already_held(head_client, oakfield, people):
    add(head_client, oakfield, email=people.reporter.email, role="technician")
    staff = membership(people.reporter, oakfield, Role.STAFF)
    response = head_client.post(reverse("people:change_role", args=[oakfield.slug, staff.pk]), {"role": "technician"})
    assert response.status_code == 400
    assert "They already hold the role IT technician too" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_it_ends_a_membership_and_the_leaver_loses_access_at_once(client, oakfield, people, trust_admin):
    leaver = people.reporter
    pupil = PupilFactory(school=oakfield)
    client.force_login(leaver)
    assert client.get(reverse("schools:pupil_detail", args=[pupil.pk])).status_code == 200
    from django.test import Client

    admin = Client()
    admin.force_login(people.head)
    member = membership(leaver, oakfield, Role.STAFF)
    page = admin.get(reverse("people:end", args=[oakfield.slug, member.pk])).content.decode()
    assert "their account is switched off" in page
    response = admin.post(reverse("people:end", args=[oakfield.slug, member.pk]))
    assert response.status_code == 302
    # Their own next click: the session no longer signs them in, and nothing of the school opens.
    after = client.get(reverse("schools:pupil_detail", args=[pupil.pk]))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
    assert not client.login(username=leaver.email, password=TEST_PASSWORD)
    leaver.refresh_from_db()
    member.refresh_from_db()
    assert not leaver.is_active and not member.is_active
    assert leaver.full_name and Membership.objects.filter(pk=member.pk).exists()  # kept, with their name
    assert {"membership.ended", "account.closed"} <= set(verbs())
    assert "their account is switched off" in admin.get(response["Location"]).content.decode()
    # Sent twice: one ending.
    assert admin.post(reverse("people:end", args=[oakfield.slug, member.pk])).status_code == 302
    assert verbs().count("membership.ended") == 1


def test_it_keeps_the_leavers_name_on_their_past_records(client, head_client, oakfield, people):
    from tests.incidents.helpers import bulk_incidents

    [incident] = bulk_incidents(oakfield, people.reporter, 1)
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.reporter, oakfield,
                                                                             Role.STAFF).pk]))
    client.force_login(people.dsl)
    case = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    assert f"by {escape(people.reporter.full_name)}" in case


def test_it_keeps_access_elsewhere_for_a_leaver_with_another_school(head_client, oakfield, riverside, people):
    member_of(riverside, Role.GOVERNOR, email=people.governor.email)
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.governor, oakfield,
                                                                             Role.GOVERNOR).pk]))
    people.governor.refresh_from_db()
    assert people.governor.is_active
    assert not Membership.objects.filter(user=people.governor, school=oakfield, is_active=True).exists()
    assert Membership.objects.filter(user=people.governor, school=riverside, is_active=True).exists()
    assert not AuditEvent.objects.filter(verb="account.closed").exists()


def test_it_keeps_the_account_of_a_member_with_another_role_in_the_school(head_client, oakfield, people):
    add(head_client, oakfield, email=people.reporter.email, role="governor")
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.reporter, oakfield,
                                                                             Role.STAFF).pk]))
    people.reporter.refresh_from_db()
    assert people.reporter.is_active
    assert membership(people.reporter, oakfield, Role.GOVERNOR).is_active


def test_it_never_lets_a_headteacher_end_or_change_their_own_headteacher_role(head_client, oakfield, people):
    own = membership(people.head, oakfield, Role.HEADTEACHER)
    for name in ("people:end", "people:change_role"):
        url = reverse(name, args=[oakfield.slug, own.pk])
        response = head_client.get(url)
        assert response.status_code == 403 and "Someone else must" not in response.content.decode()
        assert "You cannot end or change your own headteacher role" in response.content.decode()
        assert head_client.post(url, {"role": "staff"}).status_code == 403
    own.refresh_from_db()
    assert own.is_active
    list_page = head_client.get(reverse("people:list", args=[oakfield.slug])).content.decode()
    assert "Someone else must change your headteacher role" in list_page
    with pytest.raises(RuleBroken, match="own headteacher role"):
        services.end_membership(membership=own, actor=people.head)


def test_it_needs_a_new_headteacher_named_before_the_last_one_goes(client, oakfield, people, trust_admin):
    client.force_login(trust_admin)
    head = membership(people.head, oakfield, Role.HEADTEACHER)
    url = reverse("people:end", args=[oakfield.slug, head.pk])
    page = client.get(url).content.decode()
    assert "New headteacher" in page
    options = re.findall(r'<option value="(\d+)"', page)
    staff_ids = {str(u.pk) for u in (people.reporter, people.other_staff, people.technician, people.dsl,
                                     people.deputy, people.osl)}
    assert set(options) == staff_ids  # staff only: not governors, parents, visitors, or the head themselves
    response = client.post(url, {})
    assert response.status_code == 400
    assert 'href="#id_successor">Choose the new headteacher' in response.content.decode()
    head.refresh_from_db()
    assert head.is_active
    with pytest.raises(RuleBroken, match="only headteacher"):
        services.end_membership(membership=head, actor=trust_admin)
    assert client.post(url, {"successor": people.chair.pk}).status_code == 400  # a governor is not staff
    assert client.post(url, {"successor": people.dsl.pk}).status_code == 302
    head.refresh_from_db()
    assert not head.is_active and membership(people.dsl, oakfield, Role.HEADTEACHER).is_active
    assert AuditEvent.objects.filter(verb="membership.added", detail__successor_of=head.pk).exists()


def test_it_changes_the_last_headteachers_role_only_with_a_successor(client, oakfield, people, site_admin):
    client.force_login(site_admin)
    head = membership(people.head, oakfield, Role.HEADTEACHER)
    url = reverse("people:change_role", args=[oakfield.slug, head.pk])
    assert client.post(url, {"role": "staff"}).status_code == 400
    assert client.post(url, {"role": "staff", "successor": people.deputy.pk}).status_code == 302
    assert membership(people.head, oakfield, Role.STAFF).is_active
    assert membership(people.deputy, oakfield, Role.HEADTEACHER).is_active


def test_it_lets_another_headteacher_end_a_headteachers_role(client, oakfield, people):
    co_head = member_of(oakfield, Role.HEADTEACHER, email="cohead@t.example")
    client.force_login(co_head)
    head = membership(people.head, oakfield, Role.HEADTEACHER)
    page = client.get(reverse("people:end", args=[oakfield.slug, head.pk])).content.decode()
    assert "New headteacher" not in page  # another headteacher remains
    assert client.post(reverse("people:end", args=[oakfield.slug, head.pk])).status_code == 302
    head.refresh_from_db()
    assert not head.is_active


def test_it_moves_the_chair_keeping_one_chair_per_school(head_client, oakfield, people):
    governor = membership(people.governor, oakfield, Role.GOVERNOR)
    url = reverse("people:chair", args=[oakfield.slug, governor.pk])
    response = head_client.post(url, {"chair": "yes"})
    assert f"in place of {escape(people.chair.full_name)}" in head_client.get(response["Location"]).content.decode()
    assert head_client.post(url, {"chair": "yes"}).status_code == 302  # twice: still one chair
    chairs = Membership.objects.filter(school=oakfield, is_chair=True, is_active=True)
    assert list(chairs.values_list("user_id", flat=True)) == [people.governor.pk]
    assert verbs().count("membership.chair_set") == 1 and "membership.chair_cleared" in verbs()
    head_client.post(url, {"chair": "no"})
    assert not Membership.objects.filter(school=oakfield, is_chair=True).exists()
    staff = membership(people.reporter, oakfield, Role.STAFF)
    refused = head_client.post(reverse("people:chair", args=[oakfield.slug, staff.pk]), {"chair": "yes"}, follow=True)
    assert "Only a governor can be chair" in refused.content.decode()
    staff.refresh_from_db()
    assert not staff.is_chair


def test_it_sets_and_clears_the_link_governor_flag_once_however_often_it_is_sent(head_client, oakfield, people):
    chair = membership(people.chair, oakfield, Role.GOVERNOR)
    url = reverse("people:link_governor", args=[oakfield.slug, chair.pk])
    head_client.post(url, {"link": "yes"})
    head_client.post(url, {"link": "yes"})
    chair.refresh_from_db()
    assert chair.is_safeguarding_governor and verbs().count("membership.link_governor_set") == 1
    head_client.post(url, {"link": "no"})
    chair.refresh_from_db()
    assert not chair.is_safeguarding_governor and "membership.link_governor_cleared" in verbs()


def test_it_takes_the_chair_and_link_flags_away_with_the_governor_role(head_client, oakfield, people):
    chair = membership(people.chair, oakfield, Role.GOVERNOR)
    chair.is_safeguarding_governor = True
    chair.save()
    head_client.post(reverse("people:end", args=[oakfield.slug, chair.pk]))
    chair.refresh_from_db()
    assert not (chair.is_active or chair.is_chair or chair.is_safeguarding_governor)


def test_it_gives_a_returning_member_their_account_and_role_back(head_client, oakfield, people):
    member = membership(people.reporter, oakfield, Role.STAFF)
    head_client.post(reverse("people:end", args=[oakfield.slug, member.pk]))
    assert add(head_client, oakfield, email=people.reporter.email, role="staff").status_code == 302
    member.refresh_from_db()
    people.reporter.refresh_from_db()
    assert member.is_active and people.reporter.is_active
    assert Membership.objects.filter(user=people.reporter, school=oakfield).count() == 1
    assert "account.reopened" in verbs()


def test_it_records_that_an_account_was_switched_off_because_its_last_role_ended(head_client, oakfield, people):
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.reporter, oakfield,
                                                                             Role.STAFF).pk]))
    people.reporter.refresh_from_db()
    assert not people.reporter.is_active and people.reporter.closed_with_last_role
    add(head_client, oakfield, email=people.reporter.email, role="staff")
    people.reporter.refresh_from_db()
    assert people.reporter.is_active and not people.reporter.closed_with_last_role


def switch_off_in_the_admin(user):
    """The site administrator switches the account off on purpose, in the Django admin."""
    from django.test import Client

    admin = Client()
    admin.force_login(User.objects.create_superuser("root@site.example", "a-long-admin-password",
                                                    full_name="Site Root"))
    response = admin.post(reverse("admin:accounts_user_change", args=[user.pk]), {
        "email": user.email, "full_name": user.full_name, "is_staff": "", "is_superuser": "",
        "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})  # is_active left unticked
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert not user.is_active and not user.closed_with_last_role


def test_it_does_not_reopen_an_account_the_site_administrator_switched_off(head_client, oakfield, people):
    switch_off_in_the_admin(people.reporter)
    before = list(Membership.objects.filter(user=people.reporter).values_list("pk", "role", "is_active"))
    response = add(head_client, oakfield, email=people.reporter.email, role="governor")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "switched off by the site administrator" in page
    people.reporter.refresh_from_db()
    assert not people.reporter.is_active
    assert list(Membership.objects.filter(user=people.reporter).values_list("pk", "role", "is_active")) == before
    assert "account.reopened" not in verbs() and not Invitation.objects.filter(user=people.reporter).exists()
    with pytest.raises(RuleBroken, match="Ask the site administrator"):
        services.add_member(school=oakfield, actor=people.head, full_name="X", email=people.reporter.email,
                            role=Role.STAFF)


def test_it_does_not_reopen_an_account_switched_off_after_leaving_and_again_by_the_site_administrator(
        head_client, oakfield, people):
    """Switched back on in the admin, then off again: the last word is the site administrator's."""
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.reporter, oakfield,
                                                                             Role.STAFF).pk]))
    people.reporter.refresh_from_db()
    people.reporter.is_active = True  # the admin's tick box
    people.reporter.save(update_fields=["is_active"])
    people.reporter.refresh_from_db()
    assert not people.reporter.closed_with_last_role
    switch_off_in_the_admin(people.reporter)
    assert add(head_client, oakfield, email=people.reporter.email, role="staff").status_code == 400


def test_it_lets_the_site_administrator_reopen_an_account_from_the_people_page(client, oakfield, people,
                                                                               site_admin):
    switch_off_in_the_admin(people.reporter)
    client.force_login(site_admin)
    assert add(client, oakfield, email=people.reporter.email, role="governor").status_code == 302
    people.reporter.refresh_from_db()
    assert people.reporter.is_active
    assert AuditEvent.objects.get(verb="account.reopened").actor == site_admin


def test_it_audits_every_change_with_the_actor_and_the_school(head_client, oakfield, people):
    add(head_client, oakfield)
    governor = membership(people.governor, oakfield, Role.GOVERNOR)
    head_client.post(reverse("people:chair", args=[oakfield.slug, governor.pk]), {"chair": "yes"})
    head_client.post(reverse("people:link_governor", args=[oakfield.slug, governor.pk]), {"link": "no"})
    staff = membership(people.reporter, oakfield, Role.STAFF)
    head_client.post(reverse("people:change_role", args=[oakfield.slug, staff.pk]), {"role": "technician"})
    head_client.post(reverse("people:end", args=[oakfield.slug, membership(people.visitor, oakfield,
                                                                             Role.VISITOR).pk]))
    events = AuditEvent.objects.filter(verb__regex=r"^(account|membership|invitation)\.")
    assert set(events.values_list("verb", flat=True)) >= {
        "account.created", "membership.added", "invitation.sent", "membership.chair_cleared", "membership.chair_set",
        "membership.role_changed", "membership.ended", "account.closed"}
    assert set(events.values_list("actor_id", flat=True)) == {people.head.pk}
    assert set(events.values_list("school_id", flat=True)) == {oakfield.pk}


@pytest.mark.parametrize(("name", "data"), [("chair", {"chair": "maybe"}), ("chair", {}),
                                            ("link_governor", {"link": "perhaps"}), ("resend", {"seen": "abc"})])
def test_it_changes_nothing_for_a_button_value_the_page_never_gives(head_client, oakfield, people, name, data):
    """A value other than the page's own is refused, not read as "no" (which would end a chair)."""
    target = people.chair if name != "resend" else people.reporter
    role = Role.GOVERNOR if name != "resend" else Role.STAFF
    before = verbs()
    response = head_client.post(reverse(f"people:{name}", args=[oakfield.slug, membership(target, oakfield, role).pk]),
                                data, follow=True)
    assert "Nothing was changed: " in response.content.decode()
    assert verbs() == before and membership(people.chair, oakfield, Role.GOVERNOR).is_chair
