"""A sign-in with Microsoft leaves no address, secret, code or token in any log line, every logger at DEBUG."""

import logging

import pytest

from tests.sso.helpers import SECRET, microsoft_identity, sign_in_through

pytestmark = pytest.mark.django_db


def test_it_logs_no_address_secret_code_or_token_while_signing_in(client, fake_provider, microsoft, staff_dsl,
                                                                   caplog):
    fake_provider.sign_in_as(**microsoft_identity(staff_dsl.email))
    with caplog.at_level(logging.DEBUG):
        assert sign_in_through(client, fake_provider, microsoft).status_code == 302
        fake_provider.sign_in_as(**microsoft_identity("stranger@oakfield.sch.uk"))
        client.logout()
        assert sign_in_through(client, fake_provider, microsoft).status_code == 403
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the flow logged nothing at all: the check would prove nothing"
    [exchange, _] = fake_provider.token_requests
    secrets = [SECRET, staff_dsl.email, "stranger@oakfield.sch.uk", exchange["code"], exchange["code_verifier"],
               *fake_provider.access_tokens]
    for secret in secrets:
        assert secret not in logged
