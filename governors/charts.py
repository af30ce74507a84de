"""Small bar charts drawn as SVG, so the PDF keeps them as vector graphics. Small numbers keep their secret:
their bar is drawn at the threshold, hatched, and labelled "fewer than N"."""

import itertools

from django.utils.html import escape

from .figures import shown_group, small_number

WIDTH, LABEL, BAR_HEIGHT, GAP = 460, 150, 14, 6
_ids = itertools.count(1)
COLOURS = ("#1f5f8b", "#9bbcd6")


def bar_chart(rows, series=("This term",), title="") -> str:
    """``rows`` is a list of (label, [(count, count as shown), ...]) with one pair per series. A count shown as
    anything but itself ("fewer than 3", "withheld") gets a hatched bar of the threshold's length."""
    values = [count or 0 for _, cells in rows for count, _ in cells]
    top = max(values + [small_number()]) or 1
    scale = (WIDTH - LABEL - 90) / top
    per_row = len(series) * (BAR_HEIGHT + 2) + GAP
    height = 22 + per_row * len(rows) + (18 if len(series) > 1 else 0)
    hatch = f"hatch-{next(_ids)}"  # one id per chart: several charts share the PDF
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
             f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="2" height="4" fill="#888"/></pattern></defs>']
    y = 18
    for label, cells in rows:
        parts.append(f'<text x="0" y="{y + BAR_HEIGHT - 3}" font-size="9">{escape(str(label)[:40])}</text>')
        for index, (count, text) in enumerate(cells):
            hidden = text != str(count or 0)
            length = (small_number() if hidden else count or 0) * scale
            fill = f"url(#{hatch})" if hidden else COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{fill}"/>')
            parts.append(f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR_HEIGHT - 3}" font-size="9">'
                         f'{escape(text)}</text>')
            y += BAR_HEIGHT + 2
        y += GAP
    if len(series) > 1:
        for index, name in enumerate(series):
            x = LABEL + index * 110
            parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[index]}"/>'
                         f'<text x="{x + 14}" y="{y + 9}" font-size="9">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_rows(counts_by_series: list[list], labels: list[str]) -> list[tuple]:
    """Rows for ``bar_chart`` from one list of counts per series, each suppressed as a group."""
    shown_by_series = [shown_group(counts) for counts in counts_by_series]
    return [(label, [(counts[index], texts[index]) for counts, texts in zip(counts_by_series, shown_by_series,
                                                                            strict=True)])
            for index, label in enumerate(labels)]
