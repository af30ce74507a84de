"""What several aup pages share."""

ROWS_PER_PAGE = 100


def families(count: int) -> str:
    return f"{count} {'family' if count == 1 else 'families'}"
