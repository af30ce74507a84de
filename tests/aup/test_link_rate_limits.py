"""Rate limits on the parents' signing links: a network that opens too many links that do not work (unknown,
expired, used) is locked out of every link page for a while, a working link included, with one audit event per
lockout and no token anywhere; answers posted and PDF copies are limited per link; other networks are unaffected."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aup.models import Signature, SigningLink
from onlinesafety.audit.models import AuditEvent
from tests.aup.helpers import answer_form

pytestmark = pytest.mark.django_db

ELSEWHERE = "203.0.113.9"
WRONG = "x" * 32  # the shape of a token, but nobody's


@pytest.fixture
def limits(settings, ratelimit_clock):
    settings.RATE_LIMIT_LINK_FAILURES = 3
    settings.RATE_LIMIT_LOCKOUT_MINUTES = 15
    settings.RATE_LIMIT_LINK_ACTIONS_PER_HOUR = 2
    return ratelimit_clock


def landing(token):
    return reverse("aup:sign", args=[token])


def every_page_of(token, pupil):
    return [landing(token)] + [reverse(name, args=[token, pupil.pk])
                               for name in ("aup:sign_child", "aup:sign_done", "aup:sign_copy")]


def fail(client, times, **extra):
    for number in range(times):
        assert client.get(landing(f"{WRONG}{number}"), **extra).status_code == 404


def lockouts():
    return list(AuditEvent.objects.filter(verb="ratelimit.locked_out").order_by("pk"))


def test_it_answers_a_network_with_too_many_wrong_links_429_even_for_the_right_one(client, limits, token, family):
    fail(client, 3)
    for url in every_page_of(token, family.younger):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 429, url
        assert "Too many attempts from this network" in page and "try again in 15 minutes" in page
        assert token not in page and "Ada" not in page
        assert response["Retry-After"] == str(15 * 60)
    assert client.post(reverse("aup:sign_child", args=[token, family.younger.pk]), answer_form()).status_code == 429
    assert not Signature.objects.filter(pupil=family.younger).exists()


def test_it_serves_the_links_until_the_limit(client, limits, token):
    fail(client, 2)
    assert client.get(landing(token)).status_code == 200


def test_it_leaves_other_networks_alone(client, limits, token):
    fail(client, 3)
    assert client.get(landing(token)).status_code == 429
    assert client.get(landing(token), REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_it_opens_the_links_again_once_the_lockout_is_over(client, limits, token):
    fail(client, 3)
    limits.advance(15 * 60 - 1)
    response = client.get(landing(token))
    assert response.status_code == 429 and "try again in 1 minute" in response.content.decode()
    limits.advance(2)
    assert client.get(landing(token)).status_code == 200


def test_it_records_one_audit_event_per_lockout_without_the_token(client, limits, token):
    fail(client, 3)
    for _ in range(5):
        client.get(landing(token))
    [event] = lockouts()
    assert (event.ip_address, event.actor, event.school, event.object_id) == ("127.0.0.1", None, None, "")
    assert event.detail == {"limit": "link-failures", "failures": 3, "minutes": 15}
    limits.advance(15 * 60 + 1)
    fail(client, 3)
    assert len(lockouts()) == 2
    assert not AuditEvent.objects.filter(detail__icontains=token).exists()


def test_it_counts_expired_and_used_links_as_links_that_do_not_work(client, limits, token, family):
    for pupil in (family.younger, family.older):
        client.post(reverse("aup:sign_child", args=[token, pupil.pk]), answer_form())
    assert client.get(landing(token)).status_code == 410  # used
    SigningLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(landing(token)).status_code == 410  # expired
    assert lockouts() == []
    fail(client, 1)
    assert client.get(landing(token)).status_code == 429 and len(lockouts()) == 1


def test_it_keeps_the_token_out_of_the_logs_of_a_lockout(client, limits, token, caplog):
    fail(client, 3)
    with caplog.at_level("INFO"):
        client.get(landing(token))
    assert "Too Many Requests" in caplog.text
    assert token not in caplog.text and "/aup/sign/[token]/" in caplog.text


def test_it_limits_the_answers_posted_through_one_link(client, limits, token, family, people):
    child = reverse("aup:sign_child", args=[token, family.younger.pk])
    for _ in range(2):
        assert client.post(child, answer_form(typed_name="")).status_code in (200, 400)  # a form error: nothing saved
    response = client.post(child, answer_form())
    assert response.status_code == 429
    assert "This link has been used many times" in response.content.decode()
    assert not Signature.objects.filter(pupil=family.younger).exists()
    assert client.get(child).status_code == 200  # reading the page is not a heavy action
    [event] = AuditEvent.objects.filter(verb="ratelimit.link_limited")
    link = SigningLink.objects.get(invitation__parent=family.parent)
    assert (event.object_type, event.object_id, event.school) == (
        "aup.signinglink", str(link.pk), family.younger.school)
    assert client.post(child, answer_form()).status_code == 429
    assert AuditEvent.objects.filter(verb="ratelimit.link_limited").count() == 1
    limits.advance(60 * 60)
    assert client.post(child, answer_form()).status_code == 302
    assert Signature.objects.filter(pupil=family.younger).count() == 1


def test_it_limits_each_link_on_its_own(client, limits, token, family):
    from tests.aup.helpers import tokens_sent_to

    for _ in range(3):
        client.post(reverse("aup:sign_child", args=[token, family.younger.pk]), answer_form(typed_name=""))
    their_token = tokens_sent_to(family.other_carer.email)[0]
    response = client.post(reverse("aup:sign_child", args=[their_token, family.younger.pk]), answer_form())
    assert response.status_code == 302


def test_it_limits_the_pdf_copies_made_through_one_link(client, limits, settings, token, family):
    settings.RATE_LIMIT_LINK_ACTIONS_PER_HOUR = 3  # the answer, then two copies
    client.post(reverse("aup:sign_child", args=[token, family.younger.pk]), answer_form())
    copy = reverse("aup:sign_copy", args=[token, family.younger.pk])
    assert [client.get(copy).status_code for _ in range(3)] == [200, 200, 429]


def test_it_counts_each_client_behind_the_trusted_proxy_apart(client, limits, settings, token):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    fail(client, 3, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client.get(landing(token), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.get(landing(token), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
    assert lockouts()[0].ip_address == "198.51.100.7"
