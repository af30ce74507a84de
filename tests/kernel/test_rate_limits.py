"""Rate limits on the signed-out pages (onlinesafety.ratelimit): the invitation links' lockout, the public pages'
per-network rate, passwords tried per invitation, the 429 page, the site administrator's unlock (command and admin
action, both audited), failing open when the cache fails, and the shared cache's atomic counter under it.
The signing links' own limits: tests/aup/test_link_rate_limits.py."""

import logging
import re
import threading
from datetime import timezone as dt_timezone

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onlinesafety import ratelimit
from onlinesafety.accounts.models import Invitation
from onlinesafety.audit.models import AuditEvent
from onlinesafety.schools.people import services as people_services
from onlinesafety.schools.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ELSEWHERE = "203.0.113.9"
SET_PASSWORD = "/accounts/invitation/set-password/"
LINK = re.compile(r"/accounts/invitation/([A-Za-z0-9_-]+)/")


@pytest.fixture
def limits(settings, ratelimit_clock):
    settings.RATE_LIMIT_LINK_FAILURES = 3
    settings.RATE_LIMIT_LOCKOUT_MINUTES = 15
    settings.RATE_LIMIT_LINK_ACTIONS_PER_HOUR = 2
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 30
    return ratelimit_clock


@pytest.fixture
def invitation_token(oakfield, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people_services.add_member(school=oakfield, actor=people.head, full_name="Ann Example",
                                   email="ann@t.example", role=Role.STAFF)
    [message] = [m for m in mail.outbox if m.to == ["ann@t.example"]]
    return LINK.search(message.body).group(1)


def open_invitation(client, token, **extra):
    """The emailed address, then the token-less page it sends the browser to: that page's response."""
    first = client.get(reverse("accounts:invitation", args=[token]), **extra)
    return first if first.status_code != 302 else client.get(SET_PASSWORD, **extra)


def fail_invitations(client, times, **extra):
    for number in range(times):
        assert open_invitation(client, f"{'y' * 32}{number}", **extra).status_code == 404


def events(verb):
    return list(AuditEvent.objects.filter(verb=verb).order_by("pk"))


def public_page(school):
    return reverse("policies:public", args=[school.slug])


# ---------------------------------------------------------------- invitation links

def test_it_locks_a_network_out_of_the_invitation_pages_after_too_many_wrong_links(client, limits,
                                                                                  invitation_token):
    fail_invitations(client, 3)
    for response in (client.get(reverse("accounts:invitation", args=[invitation_token])), client.get(SET_PASSWORD),
                     client.post(SET_PASSWORD, {"new_password1": "x", "new_password2": "x"})):
        assert response.status_code == 429
        assert "Too many attempts from this network" in response.content.decode()
        assert invitation_token not in response.content.decode()
    assert open_invitation(Client(), invitation_token, REMOTE_ADDR=ELSEWHERE).status_code == 200
    [event] = events("ratelimit.locked_out")
    assert event.ip_address == "127.0.0.1" and invitation_token not in str(event.detail)
    limits.advance(15 * 60)
    assert open_invitation(client, invitation_token).status_code == 200


def test_it_does_not_count_the_invitation_page_opened_without_a_link(client, limits):
    for _ in range(5):
        assert client.get(SET_PASSWORD).status_code == 404
    assert events("ratelimit.locked_out") == []


def test_it_limits_the_passwords_tried_on_one_invitation(client, limits, invitation_token):
    open_invitation(client, invitation_token)
    mismatched = {"new_password1": "wobbly-lantern-pasture", "new_password2": "another-lantern-pasture"}
    assert [client.post(SET_PASSWORD, mismatched).status_code for _ in range(3)] == [400, 400, 429]
    [event] = events("ratelimit.link_limited")
    invitation = Invitation.objects.get(user__email="ann@t.example")
    assert (event.object_type, event.object_id, event.school) == (
        "accounts.invitation", str(invitation.pk), invitation.school)
    assert invitation.accepted_at is None


# ---------------------------------------------------------------- the public pages

def test_it_limits_the_requests_of_one_network_to_the_public_pages(client, limits, settings, oakfield):
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 3
    assert [client.get(public_page(oakfield)).status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    refused = client.get(public_page(oakfield))
    assert "Too many requests from this network" in refused.content.decode()
    assert refused["Retry-After"] == "59"  # the clock is stopped 1 s into the minute
    assert client.get(public_page(oakfield), REMOTE_ADDR=ELSEWHERE).status_code == 200
    [event] = events("ratelimit.public_limited")
    assert event.ip_address == "127.0.0.1" and event.detail == {"limit": "public", "most": 3, "seconds": 60}
    limits.advance(60)
    assert client.get(public_page(oakfield)).status_code == 200


def test_it_counts_the_link_pages_in_the_public_rate(client, limits, settings, oakfield):
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 2
    settings.RATE_LIMIT_LINK_FAILURES = 0  # off: only the rate is counted
    assert [client.get(reverse("aup:sign", args=["z" * 32])).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(public_page(oakfield)).status_code == 429


def test_it_counts_an_ipv6_network_by_its_slash_64(client, limits, settings, oakfield):
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 1
    assert client.get(public_page(oakfield), REMOTE_ADDR="2001:db8:1:2::1").status_code == 200
    assert client.get(public_page(oakfield), REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.get(public_page(oakfield), REMOTE_ADDR="2001:db8:1:3::1").status_code == 200
    # An IPv4 client given by a dual-stack socket is counted by its IPv4 address, not with every other one.
    assert client.get(public_page(oakfield), REMOTE_ADDR="::ffff:198.51.100.1").status_code == 200
    assert client.get(public_page(oakfield), REMOTE_ADDR="::ffff:198.51.100.2").status_code == 200
    assert client.get(public_page(oakfield), REMOTE_ADDR="198.51.100.2").status_code == 429


def test_it_switches_a_limit_off_at_zero(client, limits, settings, oakfield):
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 0
    assert {client.get(public_page(oakfield)).status_code for _ in range(40)} == {200}


def test_it_shows_the_429_page_in_the_sites_layout_and_keeps_it_out_of_caches(client, limits, settings, oakfield):
    settings.RATE_LIMIT_PUBLIC_PER_MINUTE = 1
    client.get(public_page(oakfield))
    response = client.get(public_page(oakfield))
    assert response.status_code == 429
    assert [t.name for t in response.templates][:2] == ["429.html", "base.html"]
    page = response.content.decode()
    assert 'class="navbar-brand"' in page and "<h1" in page and "try again in 1 minute" in page
    assert response["Cache-Control"] == "private, no-store"
    assert "Content-Security-Policy" in response


# ---------------------------------------------------------------- unlocking

def test_it_unlocks_a_network_from_the_command_with_an_audit_event(client, limits, invitation_token):
    fail_invitations(client, 3)
    assert open_invitation(client, invitation_token).status_code == 429
    call_command("clear_rate_limits", address="127.0.0.1", stdout=None)
    assert open_invitation(client, invitation_token).status_code == 200
    [event] = events("ratelimit.cleared")
    assert event.actor is None and event.detail == {"network": "127.0.0.1", "how": "command"}


def test_it_refuses_to_unlock_something_that_is_not_an_address(limits):
    with pytest.raises(CommandError, match="is not an IP address"):
        call_command("clear_rate_limits", address="the office")
    assert events("ratelimit.cleared") == []


def test_it_unlocks_the_networks_of_the_selected_events_from_the_admin(client, limits, invitation_token):
    fail_invitations(client, 3, REMOTE_ADDR=ELSEWHERE)
    locked = events("ratelimit.locked_out")[0]
    admin = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:audit_auditevent_changelist"),
                           {"action": "unlock_networks", "_selected_action": [locked.pk]}, follow=True)
    assert "Unlocked 1 network." in response.content.decode()
    client.logout()
    assert open_invitation(client, invitation_token, REMOTE_ADDR=ELSEWHERE).status_code == 200
    [cleared] = events("ratelimit.cleared")
    assert cleared.actor == admin and cleared.detail == {"network": ELSEWHERE, "how": "admin"}
    assert [e.object_id for e in events("admin.action")] == [str(locked.pk)]


# ---------------------------------------------------------------- when the cache fails

class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise DatabaseError("no such table: onlinesafety_cache")

        return fail


def test_it_serves_the_pages_without_limits_when_the_cache_fails(client, limits, monkeypatch, caplog, oakfield,
                                                                 invitation_token):
    monkeypatch.setattr(ratelimit, "_cache", BrokenCache)
    with caplog.at_level(logging.WARNING, logger="onlinesafety.ratelimit"):
        assert client.get(public_page(oakfield)).status_code == 200
        fail_invitations(client, 4)
        assert open_invitation(client, invitation_token).status_code == 200
    warnings = [r.getMessage() for r in caplog.records if r.name == "onlinesafety.ratelimit"]
    assert warnings and all("the cache is unavailable (DatabaseError)" in line for line in warnings)
    assert "127.0.0.1" not in caplog.text and invitation_token not in caplog.text


# ---------------------------------------------------------------- the counter and the shared cache

def test_it_keeps_a_counters_expiry_when_it_counts():
    cache = caches["default"]
    cache.add("counted", 1, timeout=3600)
    assert [cache.incr("counted") for _ in range(3)] == [2, 3, 4]
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM onlinesafety_cache WHERE cache_key LIKE %s", ["%counted"])
        [(expires,)] = cursor.fetchall()
    left = (expires if timezone.is_aware(expires) else timezone.make_aware(expires, dt_timezone.utc)) - timezone.now()
    assert left.total_seconds() > 3500  # Django's generic incr would have given it the default 300 seconds
    with pytest.raises(ValueError):
        cache.incr("never-added")


def test_it_loses_no_count_when_requests_count_at_the_same_moment(transactional_db):
    cache = caches["default"]
    cache.set("together", 0, timeout=600)

    def count():
        try:
            for _ in range(25):
                caches["default"].incr("together")
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert cache.get("together") == 150
    finally:
        cache.delete("together")


def test_it_costs_a_few_queries_to_count_a_request(client, limits, oakfield):
    client.get(public_page(oakfield))
    with CaptureQueriesContext(connection) as counted:
        client.get(public_page(oakfield))
    ratelimit_queries = [q["sql"] for q in counted.captured_queries if "onlinesafety_cache" in q["sql"]]
    assert len(ratelimit_queries) == 2  # the count's locked read and its write
