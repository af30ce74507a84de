"""The webhook is open to the internet: wrong secrets lock a network out (the kernel's link-failure lockout,
``onlinesafety.ratelimit``), and its body has a size limit of its own; every refusal is JSON."""

import pytest
from django.urls import reverse

from monitoring import services
from monitoring.models import MonitoringAlert
from onlinesafety.audit.models import AuditEvent
from onlinesafety.uploads import MEGABYTE

from .conftest import alert_json

pytestmark = pytest.mark.django_db


def _post(client, url, secret, address="198.51.100.7", **extra):
    return client.post(url, data="{}", content_type="application/json", REMOTE_ADDR=address,
                       headers={"X-Monitoring-Secret": secret}, **extra)


def test_it_limits_wrong_secrets_sent_to_the_webhook(client, secret, oakfield, settings):
    """Guards the lockout: after ``RATE_LIMIT_LINK_FAILURES`` wrong secrets that network is refused with 429 JSON
    (with Retry-After), even with the right secret, audited once; another network is not."""
    settings.RATE_LIMIT_LINK_FAILURES = 3
    url = reverse("monitoring:webhook", args=[oakfield.slug])
    codes = [_post(client, url, f"guess-{n}").status_code for n in range(6)]
    assert codes == [403, 403, 403, 429, 429, 429], codes
    locked = _post(client, url, secret)
    assert locked.status_code == 429 and "wrong secrets" in locked.json()["error"] and locked["Retry-After"]
    assert AuditEvent.objects.filter(verb="ratelimit.locked_out").count() == 1
    assert _post(client, url, secret, address="203.0.113.9").status_code == 400  # "{}" is no alert


def test_it_refuses_a_body_over_the_webhooks_limit_in_json(client, secret, oakfield, send):
    """Guards the endpoint's own size limit (``MAX_WEBHOOK_BYTES``, below the site's): 413 JSON, the body unread."""
    url = reverse("monitoring:webhook", args=[oakfield.slug])
    response = _post(client, url, secret, CONTENT_LENGTH=str(services.MAX_WEBHOOK_BYTES + 1))
    assert response.status_code == 413
    assert "smaller batches" in response.json()["error"]
    assert not MonitoringAlert.objects.exists()
    assert send(alert_json(), secret).status_code == 200


def test_it_answers_a_body_over_the_sites_limit_in_json_too(client, secret, oakfield, settings):
    """Guards the middleware's refusal (``MAX_REQUEST_BYTES``) for this endpoint: JSON, not the HTML page."""
    url = reverse("monitoring:webhook", args=[oakfield.slug])
    response = _post(client, url, secret, CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + MEGABYTE))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json" and "error" in response.json()
