import datetime

import pytest
from django.utils import timezone

from filtering import services


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_change(oakfield, people, today):
    def make(actor=None, **fields):
        values = {"action": "unblock", "target_type": "domain", "target": "www.example.org",
                  "user_group": "pupils_ks2", "reason": "Year 6 history research", "lesson": "WW2",
                  "is_temporary": True, "starts_on": today, "ends_on": today + datetime.timedelta(days=13)}
        values.update(fields)
        return services.request_change(school=oakfield, actor=actor or people.reporter, **values)

    return make
