"""The boundary for MIS data APIs: an adapter turns a provider's records into the same ``RawRow`` values by field
that a CSV export gives through its column mapping, so the import (checking, the dry run, applying) is the same
whatever the rows came from. Adding a provider is one module here with a class that has ``records(kind)``, and a
line in ``adapter_for``; nothing else changes.
"""

from collections.abc import Iterator
from typing import Protocol

from django.conf import settings

from onlinesafety.rules import RuleBroken
from onlinesafety.schools.models import School

from ..models import RosterSettings
from ..parsing import RawRow


class ProviderError(RuleBroken):
    """The provider could not be read (unreachable, refused, or an answer of the wrong shape). The message names
    no one and never carries the token."""


class Adapter(Protocol):
    name: str

    def records(self, kind: str) -> Iterator[RawRow]:
        """Every record of ``kind`` (pupils, contacts, staff) as values by field, in the provider's order."""
        ...


def adapter_for(school: School) -> Adapter | None:
    """The school's MIS API adapter, if the installation has a provider token and the school its provider id."""
    from .wonde import WondeAdapter

    provider_id = RosterSettings.objects.filter(school=school).values_list("provider_school_id", flat=True).first()
    if not provider_id or not settings.WONDE_API_TOKEN:
        return None
    return WondeAdapter(base_url=settings.WONDE_API_URL, token=settings.WONDE_API_TOKEN, school_id=provider_id)
