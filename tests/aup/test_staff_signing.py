"""Staff, governors and visitors sign their agreements in the app; visitors can sign at the office kiosk."""

import pytest
from django.urls import reverse

from aup import selectors, services
from aup.documents import signed_text
from aup.models import Agreement, Audience, Signature
from onlinesafety.rules import RuleBroken
from onlinesafety.tokens import sha256_of
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def staff_version(school):
    return Agreement.objects.get(school=school, audience=Audience.STAFF).current_version


def test_it_shows_an_unsigned_member_the_agreement_first_once_after_login(client, published, people):
    client.post(reverse("accounts:login"), {"login": people.reporter.email, "password": TEST_PASSWORD})
    first = client.get(reverse("policies:to_read"))
    assert first.status_code == 302 and first["Location"].startswith(reverse("aup:mine"))
    assert "next=%2Fpolicies%2Fread%2F" in first["Location"]
    later = client.get(reverse("policies:to_read"))
    assert later.status_code == 200
    assert "acceptable use agreement to sign" in later.content.decode()


def test_it_lets_a_signed_member_go_straight_on(client, published, people):
    services.sign_personal(version=staff_version(published), user=people.reporter, school=published,
                           typed_name="Rita Reporter")
    client.post(reverse("accounts:login"), {"login": people.reporter.email, "password": TEST_PASSWORD})
    page = client.get(reverse("home"))
    assert page.status_code == 200 and "to sign" not in page.content.decode()


def test_it_makes_no_detour_when_nothing_is_published(client, oakfield, people):
    client.post(reverse("accounts:login"), {"login": people.reporter.email, "password": TEST_PASSWORD})
    assert client.get(reverse("home")).status_code == 200


def test_it_lets_a_member_sign_by_ticking_and_typing_their_name(client, published, people):
    version = staff_version(published)
    client.force_login(people.reporter)
    url = reverse("aup:sign_mine", args=[version.pk])
    refused = client.post(url, {"typed_name": "Rita Reporter"})
    assert refused.status_code == 200 and not Signature.objects.exists()
    response = client.post(url, {"has_read": "on", "typed_name": "Rita Reporter", "next": "/policies/read/"},
                           HTTP_USER_AGENT="Firefox", REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302 and response["Location"] == "/policies/read/"
    signature = Signature.objects.get()
    assert (signature.user, signature.version, signature.typed_name, signature.channel) == (
        people.reporter, version, "Rita Reporter", "in_app")
    assert (signature.ip_address, signature.user_agent) == ("198.51.100.4", "Firefox")
    assert signature.text_sha256 == sha256_of(signed_text(version))


def test_it_records_the_signer_behind_the_trusted_proxy_not_an_address_they_wrote(client, published, people,
                                                                                   settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.force_login(people.reporter)
    client.post(reverse("aup:sign_mine", args=[staff_version(published).pk]),
                {"has_read": "on", "typed_name": "Rita Reporter"},
                REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.4")
    assert Signature.objects.get().ip_address == "198.51.100.4"


def test_it_keeps_one_signature_when_signing_twice(client, published, people):
    version = staff_version(published)
    client.force_login(people.reporter)
    for _ in range(2):
        client.post(reverse("aup:sign_mine", args=[version.pk]), {"has_read": "on", "typed_name": "Rita R"})
    assert Signature.objects.count() == 1


def test_it_ignores_an_offsite_next(client, published, people):
    client.force_login(people.reporter)
    response = client.post(reverse("aup:sign_mine", args=[staff_version(published).pk]),
                           {"has_read": "on", "typed_name": "Rita R", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", ["home", "nosuchpage", "admin:index", "http://testserver/policies/read/"])
def test_it_follows_only_a_local_path_as_next(client, published, people, target):
    """A bare word is not resolved as a view name (that answered 500 for a name that does not exist)."""
    client.force_login(people.reporter)
    response = client.post(reverse("aup:sign_mine", args=[staff_version(published).pk]),
                           {"has_read": "on", "typed_name": "Rita R", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert Signature.objects.count() == 1


def test_it_refuses_to_sign_an_old_or_foreign_version(client, published, riverside, people):
    client.force_login(people.reporter)
    assert client.get(reverse("aup:sign_mine", args=[staff_version(riverside).pk])).status_code == 404
    old = staff_version(published)
    staff = old.agreement
    services.save_draft(agreement=staff, actor=people.osl, title=staff.title, text="Version two.")
    services.publish(agreement=staff, actor=people.osl)
    assert client.post(reverse("aup:sign_mine", args=[old.pk]),
                       {"has_read": "on", "typed_name": "Rita R"}).status_code == 404
    assert not Signature.objects.exists()


def test_it_answers_a_404_for_a_huge_id(client, published, people):
    client.force_login(people.reporter)
    assert client.get("/aup/mine/100000000000000000000/").status_code == 404


def test_it_records_one_visit_for_a_kiosk_form_sent_twice(published, people):
    for _ in range(2):
        services.sign_at_kiosk(school=published, witness=people.reporter, full_name="Alex Guitar",
                               organisation="Music service")
    assert Signature.objects.filter(channel="kiosk").count() == 1


def test_it_knows_who_signs_what(published, people):
    def audiences(user):
        return sorted(a.audience for a in selectors.unsigned_agreements(user, published))

    assert audiences(people.reporter) == ["staff"]
    assert audiences(people.governor) == ["staff"]
    assert audiences(people.visitor) == ["visitor"]
    assert audiences(people.parent) == []
    services.add_account_holder(school=published, actor=people.osl, user=people.reporter, accounts="Instagram")
    assert audiences(people.reporter) == ["social_media", "staff"]


def test_it_lets_only_staff_and_governors_hold_the_accounts(published, people):
    with pytest.raises(RuleBroken):
        services.add_account_holder(school=published, actor=people.osl, user=people.parent, accounts="X")


def test_it_lets_a_visitor_sign_at_the_kiosk_with_the_office_beside_them(client, published, people):
    services.sign_personal(version=staff_version(published), user=people.reporter, school=published,
                           typed_name="Rita Reporter")
    client.force_login(people.reporter)
    blank = client.post(reverse("aup:kiosk"), {"full_name": "", "organisation": "Music service"})
    assert blank.status_code == 200 and Signature.objects.filter(channel="kiosk").count() == 0
    response = client.post(reverse("aup:kiosk"), {"full_name": "Alex Guitar", "organisation": "Music service",
                                                  "visit_reason": "Lessons", "has_read": "on"})
    assert response.status_code == 302
    signature = Signature.objects.get(channel="kiosk")
    assert (signature.typed_name, signature.organisation, signature.witnessed_by) == (
        "Alex Guitar", "Music service", people.reporter)
    assert "Alex Guitar" in client.get(reverse("aup:visitor_log")).content.decode()
