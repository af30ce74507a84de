"""What several aup pages share."""

from ..models import CampaignKind

ROWS_PER_PAGE = 100


def kind_from(value: object) -> CampaignKind:
    """The campaign kind named in a request; the acceptable use agreement for anything else."""
    return CampaignKind(str(value)) if value in CampaignKind.values else CampaignKind.AGREEMENT


def families(count: int) -> str:
    return f"{count} {'family' if count == 1 else 'families'}"
