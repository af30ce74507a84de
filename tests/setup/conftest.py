import datetime

import pytest

# A day in the autumn term of 2026 to 2027: the tests' "today" wherever the academic year matters.
TODAY = datetime.date(2026, 10, 5)


@pytest.fixture
def on_today(monkeypatch):
    """timezone.localdate() and now() are fixed at 09:00 on TODAY (London)."""
    import zoneinfo

    from django.utils import timezone

    moment = datetime.datetime.combine(TODAY, datetime.time(9), zoneinfo.ZoneInfo("Europe/London"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return TODAY
