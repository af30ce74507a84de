"""The client's address behind a trusted proxy: X-Forwarded-For is believed only from TRUSTED_PROXIES, and then only
its right-most address that is not one of them; from anyone else it is ignored, so nobody can write another address
into the audit trail."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from onlinesafety.audit.models import AuditEvent
from onlinesafety.clientaddress import client_ip
from tests.factories import TEST_PASSWORD

PROXY = "10.0.0.2"
CLIENT = "198.51.100.7"
SPOOFED = "203.0.113.66"


def address_of(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client_ip(RequestFactory().get("/", **headers))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of(CLIENT, SPOOFED) == CLIENT


def test_it_ignores_x_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy(behind_proxy):
    assert address_of(CLIENT, f"{SPOOFED}, 10.0.0.2") == CLIENT


def test_it_takes_the_address_the_trusted_proxy_saw_not_what_the_client_wrote_before_it(behind_proxy):
    assert address_of(PROXY, CLIENT) == CLIENT
    assert address_of(PROXY, f"{SPOOFED}, {CLIENT}") == CLIENT


def test_it_passes_over_every_trusted_proxy_in_a_chain(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    assert address_of(PROXY, f"{SPOOFED}, {CLIENT}, 10.1.1.1, 2001:db8::5") == CLIENT


def test_it_takes_the_first_address_when_every_hop_is_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address_of(PROXY, "10.9.9.9, 10.1.1.1") == "10.9.9.9"


def test_it_keeps_the_proxy_address_when_the_header_is_missing_or_not_an_address(behind_proxy):
    assert address_of(PROXY) == PROXY
    assert address_of(PROXY, "") == PROXY
    assert address_of(PROXY, f"{CLIENT}, unknown") == PROXY
    assert address_of(PROXY, "198.51.100.7:5555") == PROXY


def test_it_reads_ipv6_clients_and_proxies(settings):
    settings.TRUSTED_PROXIES = ["fd00::/8"]
    assert address_of("fd00::1", "2001:db8::7") == "2001:db8::7"
    assert address_of("2001:db8::9", "2001:db8::7") == "2001:db8::9"


def test_it_has_no_address_without_a_request_or_a_valid_peer():
    assert client_ip(None) is None
    assert address_of("") is None


@pytest.mark.django_db
def test_it_records_the_client_behind_the_proxy_in_the_audit_trail(client, behind_proxy, make_member, oakfield):
    person = make_member(oakfield, email="proxy@t.example")
    client.post(reverse("accounts:login"), {"login": person.email, "password": TEST_PASSWORD},
                REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}")
    assert AuditEvent.objects.get(verb="auth.login").ip_address == CLIENT


@pytest.mark.django_db
def test_it_records_the_real_peer_when_someone_sends_x_forwarded_for_straight_to_the_app(
        client, behind_proxy, make_member, oakfield):
    person = make_member(oakfield, email="direct@t.example")
    client.post(reverse("accounts:login"), {"login": person.email, "password": TEST_PASSWORD},
                REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=SPOOFED)
    assert AuditEvent.objects.get(verb="auth.login").ip_address == CLIENT
