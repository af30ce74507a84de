"""Every policies URL for each kind of person, in their own school and in another."""


import pytest
from django.urls import reverse
from django.utils import timezone

from policies import services
from policies.models import Duty
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

PEOPLE = EVERYONE
STAFF = {"reporter", "other_staff", "technician", "dsl", "deputy", "osl", "head"}
REGISTER = STAFF | {"chair", "governor"}
EDITORS = {"dsl", "deputy", "osl", "head"}


@pytest.fixture
def published(make_policy, people):
    policy = make_policy(staff_must_read=True)
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="Text")
    services.submit_for_approval(policy=policy, actor=people.osl)
    services.approve(policy=policy, actor=people.head, approved_on=timezone.localdate())
    policy.refresh_from_db()
    return policy


def expected(person, allowed, other_school_status=403):
    if person == "riverside_dsl":
        return other_school_status
    return 200 if person in allowed else 403


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix(client, people, oakfield, published, person):
    duty = Duty.objects.get(school=oakfield, code="filtering_check")
    client.force_login(getattr(people, person))
    version = published.current_version
    pages = {
        reverse("policies:register"): 200 if person in REGISTER or person == "riverside_dsl" else 403,
        reverse("policies:create"): 200 if person in EDITORS or person == "riverside_dsl" else 403,
        reverse("policies:to_read"): 200 if person in STAFF or person == "riverside_dsl" else 403,
        reverse("policies:compliance"): 200 if person in REGISTER or person == "riverside_dsl" else 403,
        reverse("policies:detail", args=[published.pk]): expected(person, REGISTER, 404),
        reverse("policies:edit", args=[published.pk]): expected(person, EDITORS, 404),
        reverse("policies:version", args=[published.pk, version.pk]): expected(person, REGISTER, 404),
        reverse("policies:draft", args=[published.pk]): expected(person, {"osl", "head"}, 404),
        reverse("policies:duty", args=[duty.pk]): expected(person, REGISTER, 404),
        reverse("policies:public", args=[oakfield.slug]): 200,
        reverse("policies:public_file", args=[oakfield.slug, published.pk]): 200,
    }
    for url, status in pages.items():
        assert client.get(url).status_code == status, (person, url)


def test_it_serves_the_public_page_without_a_login(client, published, oakfield):
    assert client.get(reverse("policies:public", args=[oakfield.slug])).status_code == 200
    assert client.get(reverse("policies:register")).status_code == 302


@pytest.mark.parametrize(
    ("person", "status"),
    [("reporter", 403), ("technician", 403), ("osl", 403), ("governor", 403), ("chair", 403), ("head", 302)],
)
def test_it_lets_only_the_approving_body_approve(client, people, make_policy, person, status):
    policy = make_policy()  # approved by the headteacher
    services.start_review(policy=policy, actor=people.osl)
    services.save_draft(policy=policy, actor=people.osl, change_summary="v1", text="Text")
    services.submit_for_approval(policy=policy, actor=people.osl)
    client.force_login(getattr(people, person))
    today = timezone.localdate().isoformat()
    response = client.post(reverse("policies:approve", args=[policy.pk]), {"approved_on": today})
    assert response.status_code == status
