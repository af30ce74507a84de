import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from onlinesafety.rules import NotAllowed
from policies import services
from policies.models import Acknowledgement
from policies.selectors import register, status_counts
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def publish(policy, people, text="The policy text.", approver=None):
    services.start_review(policy=policy, actor=policy.owner)
    services.save_draft(policy=policy, actor=policy.owner, change_summary="New", text=text)
    services.submit_for_approval(policy=policy, actor=policy.owner)
    services.approve(policy=policy, actor=approver or people.head, approved_on=timezone.localdate())
    policy.refresh_from_db()
    return policy


def test_it_works_out_each_status_in_the_database(people, make_policy):
    make_policy(next_review_on=datetime.date(2026, 11, 1))  # overdue
    make_policy(next_review_on=datetime.date(2026, 12, 10))  # due soon
    make_policy(next_review_on=datetime.date(2027, 6, 1))  # approved
    under_review = make_policy(next_review_on=datetime.date(2026, 10, 1))  # overdue, but a review is open
    services.start_review(policy=under_review, actor=people.osl)
    counts = status_counts(register(people.head, under_review.school, TODAY))
    assert counts == {"overdue": 1, "due_soon": 1, "approved": 1, "under_review": 1}


@pytest.mark.parametrize(
    ("person", "status"),
    [("reporter", 200), ("technician", 200), ("dsl", 200), ("osl", 200), ("head", 200), ("governor", 200),
     ("chair", 200), ("parent", 403), ("visitor", 403)],
)
def test_it_shows_the_register_to_staff_and_governors_only(client, people, make_policy, person, status):
    policy = make_policy()
    client.force_login(getattr(people, person))
    assert client.get(reverse("policies:register")).status_code == status
    assert client.get(reverse("policies:detail", args=[policy.pk])).status_code == (200 if status == 200 else 403)
    assert client.get(reverse("policies:create")).status_code == (200 if person in {"dsl", "osl", "head"} else 403)


def test_it_keeps_other_schools_policies_out(client, people, make_policy, riverside):
    policy = make_policy()
    client.force_login(people.riverside_dsl)
    assert client.get(reverse("policies:detail", args=[policy.pk])).status_code == 404
    assert policy.title.encode() not in client.get(reverse("policies:register")).content


def test_it_lists_the_register_in_a_fixed_number_of_queries(client, people, make_policy,
                                                            django_assert_max_num_queries):
    for _ in range(5):
        make_policy()
    client.force_login(people.head)
    with django_assert_max_num_queries(20) as five:
        client.get(reverse("policies:register"))
    for _ in range(45):
        make_policy()
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(reverse("policies:register"))
    assert len(response.context["page"].object_list) == 50


def test_it_adds_a_policy_and_works_out_the_next_review(client, people):
    client.force_login(people.osl)
    response = client.post(reverse("policies:create"), {
        "title": "Online Safety Policy", "kind": "online_safety", "owner": people.osl.pk,
        "owner_role": "online_safety_lead", "approving_body": "governing_body", "review_cycle_months": 12,
        "last_approved_on": "2026-02-28", "staff_must_read": "on", "is_public": "on",
    })
    assert response.status_code == 302
    client.post(reverse("policies:create"), {"title": "online safety policy", "kind": "other",
                                             "owner": people.osl.pk, "owner_role": "staff",
                                             "approving_body": "headteacher", "review_cycle_months": 12})
    from policies.models import Policy

    assert Policy.objects.get().next_review_on == datetime.date(2027, 2, 28)


def test_it_lets_staff_acknowledge_once_and_the_owner_see_who(client, people, make_policy,
                                                                django_capture_on_commit_callbacks):
    policy = publish(make_policy(staff_must_read=True), people)
    client.force_login(people.reporter)
    page = client.get(reverse("policies:to_read")).content.decode()
    assert policy.title in page and "I have read it" in page
    for _ in range(2):
        client.post(reverse("policies:acknowledge", args=[policy.pk]))
    assert Acknowledgement.objects.filter(user=people.reporter).count() == 1
    assert "I have read it" not in client.get(reverse("policies:to_read")).content.decode()

    client.force_login(people.osl)
    detail = client.get(reverse("policies:detail", args=[policy.pk]))
    table = dict(detail.context["acknowledgements"])
    assert table[people.reporter] is not None and table[people.other_staff] is None
    assert people.parent not in table and people.governor not in table
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("policies:remind", args=[policy.pk]))
    reminded = {m.to[0] for m in mail.outbox}
    assert people.other_staff.email in reminded and people.reporter.email not in reminded
    response = client.post(reverse("policies:remind", args=[policy.pk]), follow=True)
    assert b"A reminder went today already" in response.content


def test_it_asks_for_a_new_version_to_be_read_again(client, people, make_policy):
    policy = publish(make_policy(staff_must_read=True), people)
    services.acknowledge(version=policy.current_version, user=people.reporter)
    publish(policy, people, text="Second version")
    client.force_login(people.reporter)
    assert "I have read it" in client.get(reverse("policies:to_read")).content.decode()


def test_it_shows_only_that_schools_published_policies_on_the_public_page(client, people, make_policy, riverside):
    published = publish(make_policy(title="Online Safety Policy"), people, text="Our online safety rules.")
    never_published = make_policy(title="Draft Only Policy")
    hidden = publish(make_policy(title="Internal Policy", is_public=False), people)
    other_school = SchoolFactory(slug="elsewhere")
    response = client.get(reverse("policies:public", args=["oak-test"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert published.title in body and never_published.title not in body and hidden.title not in body
    pdf = client.get(reverse("policies:public_file", args=["oak-test", published.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(__import__("io").BytesIO(pdf.content)).pages[0].extract_text()
    assert "Online Safety Policy" in text and "Our online safety rules." in text
    assert client.get(reverse("policies:public_file", args=["oak-test", never_published.pk])).status_code == 404
    assert client.get(reverse("policies:public_file", args=[other_school.slug, published.pk])).status_code == 404
    assert client.get(reverse("policies:public", args=["no-such-school"])).status_code == 404


def test_it_shows_drafts_only_to_those_who_review_them(client, people, make_policy):
    policy = make_policy()
    services.start_review(policy=policy, actor=people.osl)
    draft = services.save_draft(policy=policy, actor=people.osl, change_summary="x", text="Draft words")
    url = reverse("policies:version", args=[policy.pk, draft.pk])
    client.force_login(people.reporter)
    assert client.get(url).status_code == 404
    client.force_login(people.osl)
    assert client.get(url).status_code == 200


def test_it_lets_only_staff_acknowledge_a_policy(people, make_policy):
    policy = publish(make_policy(staff_must_read=True), people)
    with pytest.raises(NotAllowed):
        services.acknowledge(version=policy.current_version, user=people.governor)
    assert not Acknowledgement.objects.exists()


def test_it_lists_no_policies_for_a_status_that_does_not_exist(client, people, make_policy):
    make_policy()
    client.force_login(people.governor)
    response = client.get(reverse("policies:register"), {"status": "everything"})
    assert response.status_code == 400 and list(response.context["page"]) == []
    assert 'id="error-summary"' in response.content.decode()
    assert len(client.get(reverse("policies:register"), {"status": "approved"}).context["page"]) == 1
