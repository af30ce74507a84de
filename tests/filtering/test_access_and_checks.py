import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filtering import services
from filtering.models import CHECK_CATEGORIES, AnnualReview, ChangeRequest
from onlinesafety.rules import NotAllowed, RuleBroken
from policies.models import Duty
from tests.people import EVERYONE

pytestmark = pytest.mark.django_db

PEOPLE = EVERYONE
STAFF = {"reporter", "other_staff", "technician", "dsl", "deputy", "osl", "head"}
OVERSIGHT = {"technician", "dsl", "deputy", "osl", "head"}
LOG = OVERSIGHT | {"governor", "chair"}
LEADS = {"dsl", "deputy", "osl", "head"}


def status(person, allowed, elsewhere=403):
    if person == "riverside_dsl":
        return elsewhere
    return 200 if person in allowed else 403


@pytest.mark.parametrize("person", PEOPLE)
def test_it_matches_the_access_matrix(client, people, make_change, person):
    change = make_change()
    review = services.record_review(
        school=change.school, actor=people.head, reviewed_on=timezone.localdate(), senior_leader=people.head,
        governor=people.governor, filtering_provider="F", monitoring_provider="M", categories_blocked="All",
        alert_route="Email", alert_speed="15 min", out_of_hours="Laptops filtered", training="Done",
        findings="Fine", actions="None")
    client.force_login(getattr(people, person))
    pages = {
        # A governor asks for no change and would see none listed: the change log is theirs instead.
        reverse("filtering:changes"): status(person, STAFF, 200),
        reverse("filtering:change_new"): status(person, STAFF, 200),
        reverse("filtering:change", args=[change.pk]): status(person, OVERSIGHT | {"reporter"}, 404)
        if person not in ("other_staff", "governor", "chair") else 404,
        reverse("filtering:log"): status(person, LOG, 200),
        reverse("filtering:log_csv"): status(person, LOG, 200),
        reverse("filtering:report"): status(person, STAFF | {"visitor", "governor", "chair"}, 200),
        reverse("filtering:checks"): status(person, LOG, 200),
        reverse("filtering:check_new"): status(person, OVERSIGHT, 200),
        reverse("filtering:review_new"): status(person, LEADS, 200),
        reverse("filtering:review", args=[review.pk]): status(person, LOG, 404),
        reverse("filtering:imports"): status(person, {"technician", "dsl", "deputy", "osl"}, 200),
    }
    for url, expected in pages.items():
        assert client.get(url).status_code == expected, (person, url)
    approve = client.post(reverse("filtering:change_step", args=[change.pk, "approve"]), {
        "educational_benefit": "x", "risks": "y", "supervision": "z"})
    change.refresh_from_db()
    assert (change.status == ChangeRequest.Status.APPROVED) == (person in LEADS), person
    assert approve.status_code in (302, 403, 404)


def test_it_lists_with_a_fixed_number_of_queries(client, people, make_change, django_assert_max_num_queries):
    for _ in range(3):
        make_change()
    client.force_login(people.dsl)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("filtering:changes"))
    with django_assert_max_num_queries(20) as few_log:
        client.get(reverse("filtering:log"))
    for _ in range(30):
        make_change()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("filtering:changes"))
    with django_assert_max_num_queries(len(few_log.captured_queries)):
        client.get(reverse("filtering:log"))


def test_it_filters_and_exports_the_change_log(client, people, make_change):
    change = make_change(target="first.example")
    make_change(target="second.example")
    services.reject(change=change, actor=people.dsl, note="=cmd|' /C calc'!A0")
    client.force_login(people.governor)
    page = client.get(reverse("filtering:log"), {"status": "rejected"})
    assert {e.change_id for e in page.context["page"]} == {change.pk}
    csv_text = b"".join(client.get(reverse("filtering:log_csv"), {"status": "rejected"}).streaming_content).decode()
    assert "first.example" in csv_text and "second.example" not in csv_text
    assert "'=cmd" in csv_text  # spreadsheet formulas are neutralised
    wrong = client.get(reverse("filtering:log"), {"from": "not-a-date", "status": "nope"})
    assert wrong.status_code == 400 and list(wrong.context["page"]) == []  # an error, never the whole log


def test_it_completes_the_monthly_duty_with_a_check(client, oakfield, people):
    duty = Duty.objects.get(school=oakfield, code="filtering_check")
    first_due = duty.next_due_on
    client.force_login(people.technician)
    data = {"checked_on": timezone.localdate().isoformat(), "method": "Online test", "devices": "Laptops",
            "user_groups": "KS2", **{f"result_{code}": "pass" for code, _ in CHECK_CATEGORIES}}
    data["result_proxies"] = "fail"
    assert client.post(reverse("filtering:check_new"), data).status_code == 302
    duty.refresh_from_db()
    assert duty.next_due_on > first_due
    assert "Proxies and filter bypass" in client.get(reverse("filtering:checks")).content.decode()
    future = {**data, "checked_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()}
    assert client.post(reverse("filtering:check_new"), future).status_code == 400


def test_it_lets_only_the_named_governor_sign_off_the_review(client, oakfield, people):
    duty = Duty.objects.get(school=oakfield, code="filtering_monitoring_review")
    review = services.record_review(
        school=oakfield, actor=people.head, reviewed_on=timezone.localdate(), senior_leader=people.head,
        governor=people.governor, filtering_provider="F", monitoring_provider="M", categories_blocked="All",
        alert_route="Email", alert_speed="15 min", out_of_hours="Laptops filtered", training="Done",
        findings="Fine", actions="None")
    client.force_login(people.chair)
    client.post(reverse("filtering:review", args=[review.pk]))
    assert AnnualReview.objects.get().signed_off_at is None
    client.force_login(people.governor)
    client.post(reverse("filtering:review", args=[review.pk]))
    assert AnnualReview.objects.get().signed_off_at is not None
    assert Duty.objects.get(pk=duty.pk).next_due_on != duty.next_due_on


def test_it_turns_a_reported_site_into_a_request_or_an_incident(client, people):
    client.force_login(people.visitor)
    response = client.post(reverse("filtering:report"), {"url": "https://bad.example/", "problem": "reachable",
                                                         "description": "Pupils found violent videos here"})
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.action, change.is_temporary, change.from_report) == ("block", False, True)
    response = client.post(reverse("filtering:report"), {"url": "https://x.example/", "problem": "harm"})
    assert response.url == reverse("incidents:report")
    assert ChangeRequest.objects.count() == 1
    client.force_login(people.reporter)
    client.post(reverse("filtering:report"), {"url": "https://museum.example/", "problem": "needed",
                                              "description": "Year 4 Romans topic"})
    unblock = ChangeRequest.objects.get(action="unblock")
    assert unblock.is_temporary and (unblock.ends_on - unblock.starts_on).days == 27
    response = client.post(reverse("filtering:report"), {"url": "javascript:x", "problem": "needed",
                                                         "description": "x"})
    assert response.status_code == 400


def make_review(school, people, actor=None):
    return services.record_review(
        school=school, actor=actor or people.head, reviewed_on=timezone.localdate(), senior_leader=people.head,
        governor=people.governor, filtering_provider="F", monitoring_provider="M", categories_blocked="All",
        alert_route="Email", alert_speed="15 min", out_of_hours="Laptops filtered", training="Done",
        findings="Fine", actions="None")


def test_it_answers_403_to_anyone_but_the_named_governor_signing_off(client, oakfield, people):
    review = make_review(oakfield, people)
    url = reverse("filtering:review", args=[review.pk])
    client.force_login(people.chair)
    assert "Sign off this review" not in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(people.governor)
    assert "Sign off this review" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    again = client.post(url, follow=True)  # the same form sent twice: a message, not an error page
    assert "Nothing was changed: This review is already signed off." in again.content.decode()
    assert "Sign off this review" not in again.content.decode()
    with pytest.raises(NotAllowed, match="The governor named on the review signs it off."):
        services.sign_off_review(review=review, actor=people.chair)
    with pytest.raises(RuleBroken, match="already signed off"):
        services.sign_off_review(review=review, actor=people.governor)


def test_it_checks_who_records_checks_and_reviews_in_the_service_too(oakfield, people):
    with pytest.raises(NotAllowed):
        services.record_check(school=oakfield, actor=people.governor, checked_on=timezone.localdate(), method="x",
                              devices="x", user_groups="x", results={})
    with pytest.raises(NotAllowed):
        make_review(oakfield, people, actor=people.technician)


def test_it_shows_only_the_tabs_and_buttons_a_person_can_open(client, people):
    client.force_login(people.reporter)
    page = client.get(reverse("filtering:changes")).content.decode()
    assert reverse("filtering:report") in page and reverse("filtering:change_new") in page
    assert reverse("filtering:log") not in page and reverse("filtering:imports") not in page
    client.force_login(people.technician)
    page = client.get(reverse("filtering:checks")).content.decode()
    assert reverse("filtering:check_new") in page and reverse("filtering:review_new") not in page
    client.force_login(people.governor)
    page = client.get(reverse("filtering:checks")).content.decode()
    assert reverse("filtering:check_new") not in page and reverse("filtering:imports") not in page
    assert client.get(reverse("filtering:changes")).status_code == 403
