"""Small bar charts drawn as SVG, so the PDF keeps them as vector graphics. A held-back count keeps its secret:
its bar is hatched at the threshold's length and labelled as the table labels it, a count "not given" has no bar,
and the scale is set by the shown counts alone (a bar's length would otherwise give the largest hidden one)."""

import itertools

from django.utils.html import escape

from onlinesafety.suppression import Figure, Status, small_number

WIDTH, LABEL, BAR_HEIGHT, GAP = 460, 150, 14, 6
_ids = itertools.count(1)
COLOURS = ("#1f5f8b", "#9bbcd6")


def bar_chart(rows: list[tuple[str, list[Figure]]], series=("This term",), title="") -> str:
    """``rows`` is a list of (label, [figure, ...]) with one printed figure per series."""
    threshold = small_number()
    top = max([cell.value for _, cells in rows for cell in cells if not cell.hidden] + [threshold]) or 1
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
        for index, cell in enumerate(cells):
            length = 0 if cell.status is Status.NOT_GIVEN else (threshold if cell.hidden else cell.value) * scale
            fill = f"url(#{hatch})" if cell.hidden else COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{fill}"/>')
            parts.append(f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR_HEIGHT - 3}" font-size="9">'
                         f'{escape(cell.text)}</text>')
            y += BAR_HEIGHT + 2
        y += GAP
    if len(series) > 1:
        for index, name in enumerate(series):
            x = LABEL + index * 110
            parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLOURS[index]}"/>'
                         f'<text x="{x + 14}" y="{y + 9}" font-size="9">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_rows(table_rows: list[tuple], series: int) -> list[tuple[str, list[Figure]]]:
    """Rows for ``bar_chart`` from a report table's (label, this term, last term) rows: the same figures, so the
    chart and the table hold back the same counts."""
    return [(row[0], list(row[1:1 + series])) for row in table_rows]
