import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed, RuleBroken
from policies import schedule, services
from policies.models import ApprovingBody, Policy, PolicyVersion, Review, Stage

pytestmark = pytest.mark.django_db


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def post(client, name, policy, data=None, **kwargs):
    return client.post(reverse(f"policies:{name}", args=[policy.pk]), data or {}, **kwargs)


def test_it_takes_a_policy_from_review_to_approval(client, people, make_policy, django_capture_on_commit_callbacks):
    policy = make_policy(approving_body=ApprovingBody.GOVERNING_BODY, review_cycle_months=24)
    assert policy.next_review_on == datetime.date(2028, 1, 10)
    client.force_login(people.osl)
    assert post(client, "start_review", policy, {"reason": "scheduled"}).status_code == 302
    assert post(client, "draft", policy, {"change_summary": "Adds AI", "text": "The new policy."}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, "submit", policy).status_code == 302
    policy.refresh_from_db()
    assert policy.stage == Stage.AWAITING_APPROVAL
    assert {m.to[0] for m in mail.outbox} == {people.chair.email, people.governor.email}

    client.force_login(people.head)  # a governing-body policy is not the head's to approve
    today = timezone.localdate()
    assert post(client, "approve", policy, {"approved_on": today.isoformat()}).status_code == 403
    client.force_login(people.chair)
    response = post(client, "approve", policy, {"approved_on": today.isoformat(), "minute_reference": "FGB 20/11/26 6"})
    assert response.status_code == 302
    policy.refresh_from_db()
    version = policy.current_version
    assert (version.number, version.state, version.approved_by) == (1, PolicyVersion.State.PUBLISHED, people.chair)
    assert version.minute_reference == "FGB 20/11/26 6"
    assert (policy.stage, policy.last_approved_on) == (Stage.CURRENT, today)
    assert policy.next_review_on == schedule.add_months(today, 24)
    assert policy.reviews.get().completed_at is not None
    verbs = list(AuditEvent.objects.filter(object_id=str(policy.pk), object_type="policies.policy")
                 .order_by("pk").values_list("verb", flat=True))
    assert verbs == ["policy.created", "policy.review_started", "policy.draft_saved", "policy.submitted",
                     "policy.approved"]


def test_it_never_changes_a_published_version(people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="First")
    services.submit_for_approval(policy=policy, actor=people.osl)
    services.approve(policy=policy, actor=people.head, approved_on=timezone.localdate())
    policy.refresh_from_db()
    services.start_review(policy=policy, actor=people.osl)
    draft = services.save_draft(policy=policy, actor=people.osl, change_summary="v2", text="Second")
    assert draft.number == 2
    assert PolicyVersion.objects.get(number=1, policy=policy).text == "First"


def test_it_accepts_word_and_pdf_by_content_only(client, people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    client.force_login(people.osl)
    fake = SimpleUploadedFile("policy.docx", b"PK\x03\x04 not really a word file", content_type="application/msword")
    response = post(client, "draft", policy, {"change_summary": "x", "document": fake})
    assert response.status_code == 200 and "is not a PDF or Word (.docx) file" in response.content.decode()
    assert policy.versions.count() == 0
    real = SimpleUploadedFile("policy.docx", docx_bytes(), content_type="application/octet-stream")
    assert post(client, "draft", policy, {"change_summary": "x", "document": real}).status_code == 302
    version = policy.versions.get()
    assert version.document_type.endswith("wordprocessingml.document") and len(version.sha256) == 64


def test_it_refuses_an_empty_draft_and_a_second_open_review(client, people, make_policy):
    policy = make_policy()
    client.force_login(people.osl)
    post(client, "start_review", policy, {"reason": "scheduled"})
    response = post(client, "draft", policy, {"change_summary": "Nothing"})
    assert "Write the policy or upload its document" in response.content.decode()
    response = post(client, "start_review", policy, {"reason": "threat"}, follow=True)
    assert b"already under review" in response.content
    assert Review.objects.count() == 1


def test_it_returns_a_draft_for_changes(people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="First")
    services.submit_for_approval(policy=policy, actor=people.osl)
    services.send_back(policy=policy, actor=people.head, reason="Add the new filtering section")
    policy.refresh_from_db()
    assert policy.stage == Stage.UNDER_REVIEW
    assert policy.versions.get().state == PolicyVersion.State.DRAFT


def test_it_refuses_approval_dated_in_the_future_or_by_the_wrong_body(people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="x")
    services.submit_for_approval(policy=policy, actor=people.osl)
    with pytest.raises(RuleBroken):
        services.approve(policy=policy, actor=people.head, approved_on=datetime.date(2099, 1, 1))
    with pytest.raises(NotAllowed, match="Only the headteacher can approve this policy."):  # a right, not a state
        services.approve(policy=policy, actor=people.chair, approved_on=timezone.localdate())
    with pytest.raises(RuleBroken):  # before the review even started
        services.approve(policy=policy, actor=people.head, approved_on=datetime.date(2001, 1, 1))
    assert Policy.objects.get(pk=policy.pk).stage == Stage.AWAITING_APPROVAL


def test_it_starts_an_early_review_from_an_incident(client, people, make_policy):
    from incidents import services as incident_services
    from tests.incidents.helpers import incident_fields

    policy = make_policy(title="Social Media Policy")
    incident = incident_services.report_incident(school=policy.school, reporter=people.reporter,
                                                 **incident_fields(policy.school))
    client.force_login(people.dsl)
    case = client.get(reverse("incidents:case", args=[incident.pk])).content.decode()
    url = reverse("policies:early_review_for_incident", args=[incident.pk])
    assert url in case
    assert client.post(url, {"policy": policy.pk, "detail": "Group chats are not covered"}).status_code == 302
    review = policy.reviews.get()
    assert (review.reason, review.incident_id, review.started_by) == (Review.Reason.INCIDENT, incident.pk, people.dsl)
    client.force_login(people.other_staff)  # cannot see the case, so cannot use it
    assert client.get(url).status_code == 404


def test_it_lets_only_the_right_people_run_the_review(client, people, make_policy):
    policy = make_policy()
    client.force_login(people.other_staff)
    assert post(client, "start_review", policy, {"reason": "scheduled"}).status_code == 403
    assert post(client, "start_review", policy, {"reason": "threat"}).status_code == 403
    assert client.get(reverse("policies:draft", args=[policy.pk])).status_code == 403
    client.force_login(people.deputy)  # the safeguarding team may call an early review, not a scheduled one
    assert post(client, "start_review", policy, {"reason": "scheduled"}).status_code == 403
    assert post(client, "start_review", policy, {"reason": "threat", "detail": "New app"}).status_code == 302


def test_it_refuses_a_broken_word_file_without_failing(client, people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    broken = bytearray(docx_bytes())
    central = broken.find(b"PK\x01\x02")
    broken[central + 6:central + 8] = b"\xff\x00"  # "needs zip version 25.5 to open"
    client.force_login(people.osl)
    upload = SimpleUploadedFile("policy.docx", bytes(broken), content_type="application/octet-stream")
    response = post(client, "draft", policy, {"change_summary": "x", "document": upload})
    assert response.status_code == 200 and policy.versions.count() == 0


def test_it_keeps_long_file_names_within_bounds(people, make_policy):
    from onlinesafety.uploads import check_upload

    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    upload = check_upload(SimpleUploadedFile("a" * 240 + ".docx", docx_bytes()),
                          allowed=("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
                          max_bytes=10**7)
    assert len(services.save_draft(policy=policy, actor=people.osl, change_summary="x", upload=upload)
               .document_name) == 200


def test_it_refuses_titles_on_two_lines_and_serves_any_title_safely(client, people, make_policy):
    client.force_login(people.osl)
    response = client.post(reverse("policies:create"), {
        "title": "Online\nSafety", "kind": "other", "owner": people.osl.pk, "owner_role": "staff",
        "approving_body": "headteacher", "review_cycle_months": 12})
    assert "Write the title on one line" in response.content.decode()
    policy = make_policy(title="Children’s Online Safety")
    services.start_review(policy=policy, actor=people.osl)
    draft = services.save_draft(policy=policy, actor=people.osl, change_summary="x", text="Text")
    response = client.get(reverse("policies:version", args=[policy.pk, draft.pk]))
    assert response.status_code == 200 and "filename*=utf-8''" in response["Content-Disposition"]


def test_it_refuses_odd_characters_in_an_early_review(client, people, make_policy):
    from incidents import services as incident_services
    from tests.incidents.helpers import incident_fields

    policy = make_policy()
    incident = incident_services.report_incident(school=policy.school, reporter=people.reporter,
                                                 **incident_fields(policy.school))
    client.force_login(people.dsl)
    url = reverse("policies:early_review_for_incident", args=[incident.pk])
    assert client.post(url, {"policy": policy.pk, "detail": "a\x00b"}).status_code == 400
    assert client.post(url, {"policy": 999999}).status_code == 400
    assert policy.reviews.count() == 0


def test_it_puts_a_cleared_next_review_date_back_from_the_cycle(client, people, make_policy):
    policy = make_policy()
    client.force_login(people.head)
    data = {"title": policy.title, "kind": policy.kind, "owner": people.osl.pk, "owner_role": policy.owner_role,
            "approving_body": policy.approving_body, "review_cycle_months": 6, "last_approved_on": "2026-01-10",
            "next_review_on": ""}
    assert client.post(reverse("policies:edit", args=[policy.pk]), data).status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == datetime.date(2026, 7, 10)


def test_it_reminds_readers_only_of_policies_staff_must_read(people, make_policy):
    policy = make_policy(staff_must_read=False)
    with pytest.raises(RuleBroken):
        services.remind_readers(policy=policy, actor=people.osl, readers=[people.reporter])


def test_it_checks_each_persons_right_again_in_the_services(people, make_policy):
    policy = make_policy()  # owned by the Online Safety Lead, approved by the headteacher
    details = {"title": "Mine", "kind": "other", "owner": people.reporter, "owner_role": "staff",
               "approving_body": "headteacher"}
    with pytest.raises(NotAllowed):
        services.create_policy(school=policy.school, actor=people.technician, **details)
    with pytest.raises(NotAllowed):
        services.update_policy(policy=policy, actor=people.reporter, title="Mine")
    with pytest.raises(NotAllowed):
        services.start_review(policy=policy, actor=people.other_staff)
    with pytest.raises(NotAllowed):  # the safeguarding team calls an early review, not a scheduled one
        services.start_review(policy=policy, actor=people.deputy)
    services.start_review(policy=policy, actor=people.deputy, reason=Review.Reason.THREAT, detail="New app")
    with pytest.raises(NotAllowed):  # ... and the owner runs it
        services.save_draft(policy=policy, actor=people.deputy, change_summary="x", text="x")
    services.save_draft(policy=policy, actor=people.osl, change_summary="x", text="x")
    with pytest.raises(NotAllowed):
        services.submit_for_approval(policy=policy, actor=people.deputy)
    services.submit_for_approval(policy=policy, actor=people.osl)
    with pytest.raises(NotAllowed):
        services.send_back(policy=policy, actor=people.osl, reason="Not mine to return")
    policy.refresh_from_db()
    assert (policy.title, policy.stage, Policy.objects.count()) == ("Policy 1", Stage.AWAITING_APPROVAL, 1)
