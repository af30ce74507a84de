"""Small bar charts drawn as SVG, so the PDF keeps them as vector graphics.

A held-back count keeps its secret: it has no bar at all, only a hatched marker of one fixed size and the words
the table prints ("fewer than 3", "withheld", "not given"), so nothing can be read from a length; and the scale
is set by the shown counts alone. Long labels wrap onto several lines rather than being cut.

Each chart is tagged in the PDF as a figure whose alternative text (the SVG's <title>) gives every bar in words.
WeasyPrint draws an SVG after the flowing text of its page, so the chart's own words extract after that page's
text; the same figures are in the table that follows each chart, in reading order."""

import itertools
import textwrap

from django.utils.html import escape

from onlinesafety.suppression import Figure, small_number

WIDTH, LABEL, BAR_HEIGHT, GAP, LINE = 460, 150, 14, 6, 11
LABEL_CHARACTERS = 27  # what fits the label column at font-size 9
MARKER = 8  # the side of the square marking a held-back count, the same for every one
_ids = itertools.count(1)
COLOURS = ("#1f5f8b", "#9bbcd6")


def label_lines(label: str) -> list[str]:
    """A label on as many lines as it needs: never cut, words kept whole where they fit a line."""
    return textwrap.wrap(str(label), LABEL_CHARACTERS, break_on_hyphens=False) or [""]


def bar_chart(rows: list[tuple[str, list[Figure]]], series=("This term",), title="") -> str:
    """``rows`` is a list of (label, [figure, ...]) with one printed figure per series."""
    top = max([cell.value for _, cells in rows for cell in cells if not cell.hidden] + [small_number()]) or 1
    scale = (WIDTH - LABEL - 90) / top
    heights = [_row_height(label, len(series)) for label, _ in rows]
    held_back = any(cell.hidden for _, cells in rows for cell in cells)
    legend = [(name, f'fill="{COLOURS[index]}"') for index, name in enumerate(series)] if len(series) > 1 else []
    if held_back:
        legend.append(("held back: no bar", ""))  # the hatch's fill is known once the pattern's id is
    height = 22 + sum(heights) + (18 if legend else 0)
    hatch = f"hatch-{next(_ids)}"  # one id per chart: several charts share the PDF
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img">',
             f"<title>{escape(described(rows, series, title))}</title>",
             f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="2" height="4" fill="#666"/></pattern></defs>']
    y = 18
    for (label, cells), row_height in zip(rows, heights, strict=True):
        parts.append(_label(label, y))
        bar_y = y
        for index, cell in enumerate(cells):
            parts.append(_bar(cell, bar_y, scale, COLOURS[index % len(COLOURS)], hatch))
            bar_y += BAR_HEIGHT + 2
        y += row_height
    for index, (name, fill) in enumerate(legend):
        x = LABEL + index * 95
        fill = fill or f'fill="url(#{hatch})" stroke="#666" stroke-width=".5"'
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" {fill}/>'
                     f'<text x="{x + 14}" y="{y + 9}" font-size="9">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _row_height(label: str, series: int) -> int:
    return max(series * (BAR_HEIGHT + 2), len(label_lines(label)) * LINE + 3) + GAP


def _label(label: str, y: int) -> str:
    lines = "".join(f'<tspan x="0" dy="{0 if index == 0 else LINE}">{escape(line)}</tspan>'
                    for index, line in enumerate(label_lines(label)))
    return f'<text class="label" x="0" y="{y + BAR_HEIGHT - 3}" font-size="9">{lines}</text>'


def _bar(cell: Figure, y: int, scale: float, colour: str, hatch: str) -> str:
    """A shown count's bar with its number; a held-back count's marker with its words and no bar."""
    words = f'font-size="9">{escape(cell.text)}</text>'
    if cell.hidden:
        return (f'<rect class="held-back" x="{LABEL}" y="{y + (BAR_HEIGHT - MARKER) / 2}" width="{MARKER}" '
                f'height="{MARKER}" fill="url(#{hatch})" stroke="#666" stroke-width=".5"/>'
                f'<text x="{LABEL + MARKER + 4}" y="{y + BAR_HEIGHT - 3}" font-style="italic" {words}')
    length = cell.value * scale
    bar = f'<rect class="bar" x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
    return (bar if cell.value else "") + f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR_HEIGHT - 3}" {words}'


def described(rows: list[tuple[str, list[Figure]]], series, title: str) -> str:
    """The chart in words, for its alternative text: "Title. Label: 5; Other label: fewer than 3."; with two
    series, each count is named by its series."""
    def cells(figures: list[Figure]) -> str:
        if len(series) == 1:
            return figures[0].text
        return ", ".join(f"{name.lower()} {cell.text}" for name, cell in zip(series, figures, strict=False))
    return f"{title}. " + "; ".join(f"{label}: {cells(figures)}" for label, figures in rows) + "."


def chart_rows(table_rows: list[tuple], series: int) -> list[tuple[str, list[Figure]]]:
    """Rows for ``bar_chart`` from a report table's (label, this term, last term) rows: the same figures, so the
    chart and the table hold back the same counts."""
    return [(row[0], list(row[1:1 + series])) for row in table_rows]
