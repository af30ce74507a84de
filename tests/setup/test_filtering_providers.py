"""The filtering and monitoring providers: filtering's small settings page, and its set-up checklist item."""

import pytest
from django.urls import reverse

from filtering import services
from filtering.models import FilteringSettings
from onlinesafety.audit.models import AuditEvent
from onlinesafety.rules import NotAllowed, RuleBroken
from onlinesafety.setup import checklist_for

pytestmark = pytest.mark.django_db

URL = reverse("filtering:settings")
DATA = {"filtering_provider": "  NetSweeper  ", "monitoring_provider": "Smoothwall Monitor"}


def item(school, today):
    return next(i for i in checklist_for(school, today).items if i.code == "filtering_provider")


def test_it_records_the_providers_and_ticks_the_item_off(client, oakfield, people, on_today):
    assert not item(oakfield, on_today).done
    client.force_login(people.dsl)
    assert client.get(URL).status_code == 200
    response = client.post(URL, DATA)
    assert response.status_code == 302
    settings = FilteringSettings.objects.get(school=oakfield)
    assert (settings.filtering_provider, settings.monitoring_provider, settings.providers_recorded_by) == (
        "NetSweeper", "Smoothwall Monitor", people.dsl)
    assert AuditEvent.objects.get(verb="filtering.providers_recorded").actor == people.dsl
    assert item(oakfield, on_today).done
    page = client.get(URL).content.decode()
    assert 'value="NetSweeper"' in page and "Last recorded on" in page
    # The annual review starts from them.
    assert 'value="NetSweeper"' in client.get(reverse("filtering:review_new")).content.decode()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"filtering_provider": ""}, "filtering_provider", "Enter the filtering provider."),
    ({"monitoring_provider": "   "}, "monitoring_provider", "Enter the monitoring provider."),
    ({"filtering_provider": "x" * 151}, "filtering_provider", "Use 150 characters or fewer."),
])
def test_it_shows_what_is_missing_and_saves_nothing(client, oakfield, people, changes, field, message):
    client.force_login(people.head)
    response = client.post(URL, {**DATA, **changes})
    assert response.status_code == 400
    assert f'<a class="alert-link" href="#id_{field}">{message}</a>' in response.content.decode()
    assert not FilteringSettings.objects.filter(school=oakfield).exclude(filtering_provider="").exists()


def test_the_service_checks_the_right_and_both_names(oakfield, people):
    with pytest.raises(NotAllowed):
        services.record_providers(school=oakfield, actor=people.technician, filtering_provider="A",
                                  monitoring_provider="B")
    with pytest.raises(RuleBroken):
        services.record_providers(school=oakfield, actor=people.head, filtering_provider="A", monitoring_provider=" ")
    assert not FilteringSettings.objects.filter(school=oakfield).exists()


def test_it_keeps_the_schools_other_settings(oakfield, people):
    FilteringSettings.objects.create(school=oakfield, max_unblock_days=14)
    services.record_providers(school=oakfield, actor=people.head, filtering_provider="A", monitoring_provider="B")
    assert FilteringSettings.objects.get(school=oakfield).max_unblock_days == 14
