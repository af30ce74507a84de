"""The boundary for MIS data APIs: an adapter turns a provider's records into the same ``RawRow`` values by field
that a CSV export gives through its column mapping, so the import (checking, the dry run, applying) is the same
whatever the rows came from. Adding a provider is one module here with a class that has ``check_school()`` and
``records(kind)``, and a line in ``provider_adapter``; nothing else changes. Every fetch first checks that the
provider's school is this school (its URN), so a wrong id can never bring another school's people in.
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

    def check_school(self) -> None:
        """Raise ``ProviderError`` unless the provider's record of this school id is this school (its URN)."""
        ...

    def records(self, kind: str) -> Iterator[RawRow]:
        """Every record of ``kind`` (pupils, contacts, staff) as values by field, in the provider's order, after
        checking (as ``check_school``) that the provider's school is this school."""
        ...


def adapter_for(school: School) -> Adapter | None:
    """The school's MIS API adapter, if the installation has a provider token and the school its provider id."""
    found = RosterSettings.objects.filter(school=school).values_list("provider_school_id", "dfe_number").first()
    if not found or not found[0] or not settings.WONDE_API_TOKEN:
        return None
    return provider_adapter(school, provider_school_id=found[0], dfe_number=found[1])


def provider_adapter(school: School, *, provider_school_id: str, dfe_number: str) -> Adapter:
    """The adapter for this school at this provider id (the id being saved is checked with it first)."""
    from .wonde import WondeAdapter

    return WondeAdapter(base_url=settings.WONDE_API_URL, token=settings.WONDE_API_TOKEN,
                        school_id=provider_school_id, urn=school.urn, dfe_number=dfe_number)
