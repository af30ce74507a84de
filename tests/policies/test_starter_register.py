"""The starter policy register of a new school: its policies "not yet uploaded" with no owner named, uploading
the school's own policy, and what an unnamed owner means for the register, the calendar and the reminders."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.models import AuditEvent
from onlinesafety.mail.models import OutboundEmail
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.schools.models import Phase
from onlinesafety.schools.roles import Role
from policies import defaults, reminders, selectors, services
from policies.models import ApprovingBody, Duty, Policy, PolicyKind, PolicyVersion, Stage
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

STARTERS = {"online_safety", "acceptable_use", "safeguarding", "data_protection", "mobile_devices", "social_media",
            "remote_learning", "staff_conduct"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def register(oakfield):
    services.set_up_starter_register(school=oakfield)
    return {policy.starter_code: policy for policy in Policy.objects.filter(school=oakfield)}


def test_it_starts_the_register_with_every_starter_policy(register):
    assert set(register) == STARTERS
    for policy in register.values():
        assert policy.stage == Stage.NOT_UPLOADED and policy.owner is None
        assert policy.owner_role and policy.review_cycle_months and policy.approving_body
        assert policy.current_version is None and policy.next_review_on is None
    assert register["safeguarding"].owner_role == Role.DSL
    assert register["online_safety"].owner_role == Role.ONLINE_SAFETY_LEAD
    assert register["data_protection"].review_cycle_months == 24
    assert {p.kind for p in register.values()} >= {PolicyKind.SAFEGUARDING, PolicyKind.REMOTE_LEARNING,
                                                   PolicyKind.STAFF_CONDUCT}


def test_it_adds_only_what_is_missing(oakfield, people):
    Policy.objects.create(school=oakfield, title="online safety policy", kind=PolicyKind.ONLINE_SAFETY,
                          owner=people.osl, owner_role=Role.ONLINE_SAFETY_LEAD,
                          approving_body=ApprovingBody.GOVERNING_BODY)
    assert services.set_up_starter_register(school=oakfield) == 7  # the school's own online safety policy stays
    assert services.set_up_starter_register(school=oakfield) == 0
    assert Policy.objects.filter(school=oakfield).count() == 8
    assert AuditEvent.objects.filter(verb="policy.starter_register_added").count() == 1


def test_a_management_committee_approves_at_a_pupil_referral_unit():
    bodies = {p["code"]: p["approving_body"] for p in defaults.starter_policies_for(Phase.ALTERNATIVE)}
    assert bodies["online_safety"] == ApprovingBody.MANAGEMENT_COMMITTEE
    assert bodies["acceptable_use"] == ApprovingBody.HEADTEACHER


def test_the_register_shows_not_yet_uploaded_and_no_owner(client, register, people):
    client.force_login(people.governor)
    page = client.get(reverse("policies:register")).content.decode()
    assert page.count("Not yet uploaded") >= 8 and "Not yet named" in page
    filtered = client.get(reverse("policies:register"), {"status": "not_uploaded"})
    assert len(filtered.context["page"].object_list) == 8
    assert filtered.context["counts"]["not_uploaded"] == 8
    detail = client.get(reverse("policies:detail", args=[register["safeguarding"].pk])).content.decode()
    assert "not uploaded yet" in detail and "Not yet named" in detail
    assert "Upload the policy in force" not in detail  # a governor may read it, not upload it


def upload(client, policy, **data):
    values = {"approved_on": "2026-09-15", "minute_reference": "FGB 15/09/2026"}
    values.update(data)
    return client.post(reverse("policies:upload", args=[policy.pk]), values)


def test_it_uploads_the_schools_own_policy_as_version_one(client, register, people):
    policy = register["safeguarding"]
    client.force_login(people.dsl)
    assert b"Upload the policy in force" in client.get(reverse("policies:detail", args=[policy.pk])).content
    response = upload(client, policy, document=SimpleUploadedFile("Safeguarding.pdf", PDF,
                                                                  content_type="application/pdf"))
    assert response.status_code == 302
    policy.refresh_from_db()
    version = policy.current_version
    assert (policy.stage, version.number, version.state, version.approved_on, version.document_name) == (
        Stage.CURRENT, 1, PolicyVersion.State.PUBLISHED, datetime.date(2026, 9, 15), "Safeguarding.pdf")
    assert policy.last_approved_on == datetime.date(2026, 9, 15)
    assert policy.next_review_on == datetime.date(2027, 9, 15)
    assert len(version.sha256) == 64 and version.minute_reference == "FGB 15/09/2026"
    assert AuditEvent.objects.get(verb="policy.uploaded").actor == people.dsl
    # Sent again: the policy is on the register now; nothing more is made.
    again = upload(client, policy, text="Our policy")
    assert again.status_code == 400 and PolicyVersion.objects.filter(policy=policy).count() == 1


def test_it_uploads_typed_text_too(client, register, people):
    client.force_login(people.head)
    assert upload(client, register["remote_learning"], text="Remote learning: how we teach at home.").status_code == 302
    assert register["remote_learning"].versions.get().text.startswith("Remote learning")


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Upload the policy&#x27;s document, or paste its text below."),
    ({"text": "x", "approved_on": "2099-01-01"}, "The approval date cannot be in the future."),
    ({"text": "x", "approved_on": ""}, "Enter the date the policy was last approved."),
    ({"document": SimpleUploadedFile("policy.pdf", b"not a pdf", content_type="application/pdf")}, ""),
])
def test_it_refuses_bad_uploads_and_saves_nothing(client, register, people, data, message):
    client.force_login(people.head)
    response = upload(client, register["online_safety"], **data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    if message:
        assert message in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_only_the_leads_head_or_owner_upload(client, register, people):
    policy = register["online_safety"]
    for person in ("reporter", "governor", "technician"):
        client.force_login(getattr(people, person))
        assert upload(client, policy, text="x").status_code == 403
    with pytest.raises(NotAllowed):
        services.upload_policy_in_force(policy=policy, actor=people.governor, approved_on=timezone.localdate(),
                                        text="x")
    policy.owner = people.reporter  # once named, the owner may
    policy.save()
    services.upload_policy_in_force(policy=policy, actor=people.reporter, approved_on=timezone.localdate(), text="x")
    with pytest.raises(RuleBroken):
        services.upload_policy_in_force(policy=policy, actor=people.head, approved_on=timezone.localdate(), text="y")


def test_a_starter_policy_can_be_written_here_through_a_review_instead(register, people):
    policy = register["social_media"]
    services.start_review(policy=policy, actor=people.head)
    services.save_draft(policy=policy, actor=people.head, change_summary="First", text="Our social media rules.")
    services.submit_for_approval(policy=policy, actor=people.head)
    chair = people.chair
    services.approve(policy=policy, actor=chair, approved_on=timezone.localdate())
    policy.refresh_from_db()
    assert policy.stage == Stage.CURRENT and policy.current_version.number == 1


def test_an_owner_not_yet_named_leaves_the_headteacher_to_hear_of_the_review(register, people, oakfield):
    Duty.objects.update(next_due_on=datetime.date(2028, 6, 1))
    policy = register["staff_conduct"]
    today = datetime.date(2026, 11, 23)
    services.upload_policy_in_force(policy=policy, actor=people.head, approved_on=datetime.date(2025, 11, 30),
                                    text="Code of conduct.")
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2026, 11, 30) and policy.owner is None
    items = [item for item in selectors.calendar_items(oakfield, today) if item.kind == "policy"]
    assert [item.owner for item in items] == ["Headteacher (owner not yet named)"]
    with mock.patch("onlinesafety.mail.tasks.deliver_email.apply_async"):
        assert reminders.send_due_reminders(now=timezone.make_aware(datetime.datetime(2026, 11, 23, 9))) == 1
    from onlinesafety.mail.services import deliver

    for email in OutboundEmail.objects.filter(sent_at__isnull=True):
        deliver(email.pk)
    assert [message.to[0] for message in mail.outbox] == [people.head.email]


def test_a_policy_can_be_added_without_an_owner(client, oakfield, people):
    client.force_login(people.head)
    response = client.post(reverse("policies:create"), {
        "title": "Cyberbullying Policy", "kind": "other", "owner": "", "owner_role": Role.DSL,
        "approving_body": ApprovingBody.HEADTEACHER, "review_cycle_months": 12})
    assert response.status_code == 302
    assert Policy.objects.get(title="Cyberbullying Policy").owner is None


def test_a_school_made_another_way_has_no_starter_register():
    assert not Policy.objects.filter(school=SchoolFactory()).exists()
