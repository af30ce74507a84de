"""What a reader can work out from a suppressed table, found without the kernel's method: every whole-number
completion that fits what is printed, searched exhaustively (bounds propagated, then branching), and every
completion found checked again, equation by equation, before it counts as a witness.

The reader's model is built from the printed table only: a shown count is itself, "fewer than N" is 1 to N-1,
"withheld" is N or more, "not given" and an unprinted total are any count; every row and column adds up to its
total (or, for overlapping totals, to it or more, each part at most the total); the grand total is everything."""

import math
from dataclasses import dataclass

from onlinesafety.suppression import Table, Totals


@dataclass
class Model:
    names: list[str]  # one per unknown
    truth: list[int]
    least: list[int]
    most: list[float]
    equations: list[list[tuple[int, int]]]  # each: [(coefficient, unknown)], adding up to 0
    figures: dict[str, int]  # printed hidden figure -> its unknown


def reader_model(cells: list[list[int]], table: Table, rows: Totals | None, columns: Totals | None,
                 grand: Totals | None) -> Model:
    names, truth, least, most, figures = [], [], [], [], {}

    def unknown(name: str, value: int, shown=None) -> int:
        names.append(name)
        truth.append(value)
        bounds = (0, math.inf) if shown is None else read(str(shown), shown.threshold)
        if shown is not None and bounds[0] != bounds[1]:
            figures[name] = len(names) - 1
        least.append(bounds[0])
        most.append(bounds[1])
        return len(names) - 1

    x = [[unknown(f"cell {i},{j}", n, table.cells[i][j]) for j, n in enumerate(row)] for i, row in enumerate(cells)]
    width = len(cells[0]) if cells else 0
    equations = []

    def lines(totals, printed, groups, name):
        for index, group in enumerate(groups):
            summed = sum(truth[part] for part in group)
            value = totals.values[index] if totals is not None and totals.values is not None else summed
            total = unknown(f"{name} {index}", value, printed[index] if printed else None)
            equation = [(1, part) for part in group] + [(-1, total)]
            if totals is not None and totals.overlapping:
                equation.append((-1, unknown(f"{name} {index} overlap", summed - value)))
                for part in group:  # each part at most the total
                    room = unknown(f"{name} {index} room {part}", value - truth[part])
                    equations.append([(1, part), (1, room), (-1, total)])
            equations.append(equation)

    lines(rows, table.row_totals, x, "row")
    lines(columns, table.column_totals, [[row[j] for row in x] for j in range(width)], "column")
    everything = [cell for row in x for cell in row]
    g = unknown("grand", sum(truth[cell] for cell in everything), table.grand_total if grand else None)
    equations.append([(1, cell) for cell in everything] + [(-1, g)])
    return Model(names, truth, least, most, equations, figures)


def read(text: str, threshold: int) -> tuple[int, float]:
    """What a reader takes from a printed label, as the report's footnote explains it."""
    if text.isdigit():
        return int(text), int(text)
    return {f"fewer than {threshold}": (1, threshold - 1), "withheld": (threshold, math.inf),
            "not given": (0, math.inf)}[text]


def consistent(model: Model, values: list[int]) -> bool:
    return all(model.least[k] <= v <= model.most[k] for k, v in enumerate(values)) and all(
        sum(a * values[k] for a, k in equation) == 0 for equation in model.equations)


class TooLong(Exception):
    pass


def other_value(model: Model, unknown: int, budget: int = 200_000) -> list[int] | None:
    """A completion giving ``unknown`` a value other than its true one, checked; None if there is none."""
    ceiling = 4 * sum(model.truth) + 20  # no witness needs more: a cycle moves each count by one
    least = list(model.least)
    most = [min(m, ceiling) for m in model.most]
    v = model.truth[unknown]
    nodes = [0]
    for low, high in ((least[unknown], v - 1), (v + 1, most[unknown])):
        if low > high:
            continue
        lo, hi = list(least), list(most)
        lo[unknown], hi[unknown] = low, high
        found = _search(model, lo, hi, nodes, budget)
        if found is not None:
            assert consistent(model, found), "the search found a completion that does not fit"
            assert found[unknown] != v
            return found
    return None


def _propagate(model: Model, lo: list, hi: list) -> bool:
    changed = True
    while changed:
        changed = False
        for equation in model.equations:
            top = sum(hi[k] if a > 0 else -lo[k] for a, k in equation)
            bottom = sum(lo[k] if a > 0 else -hi[k] for a, k in equation)
            if bottom > 0 or top < 0:
                return False
            for a, k in equation:
                # a*x_k = -(rest); rest ranges over [bottom - own_bottom, top - own_top]
                own_top, own_bottom = (hi[k], lo[k]) if a > 0 else (-lo[k], -hi[k])
                rest_top, rest_bottom = top - own_top, bottom - own_bottom
                if a > 0:
                    new_lo, new_hi = max(lo[k], -rest_top), min(hi[k], -rest_bottom)
                else:
                    new_lo, new_hi = max(lo[k], rest_bottom), min(hi[k], rest_top)
                if new_lo > new_hi:
                    return False
                if (new_lo, new_hi) != (lo[k], hi[k]):
                    lo[k], hi[k] = new_lo, new_hi
                    changed = True
                    top = sum(hi[j] if b > 0 else -lo[j] for b, j in equation)
                    bottom = sum(lo[j] if b > 0 else -hi[j] for b, j in equation)
    return True


def _search(model: Model, lo: list, hi: list, nodes: list, budget: int) -> list[int] | None:
    nodes[0] += 1
    if nodes[0] > budget:
        raise TooLong
    if not _propagate(model, lo, hi):
        return None
    open_ = [k for k in range(len(lo)) if lo[k] < hi[k]]
    if not open_:
        return [int(v) for v in lo]
    k = min(open_, key=lambda k: hi[k] - lo[k])
    for n in _nearest_first(model.truth[k], int(lo[k]), int(hi[k])):
        found = _search(model, [*lo[:k], n, *lo[k + 1:]], [*hi[:k], n, *hi[k + 1:]], nodes, budget)
        if found is not None:
            return found
    return None


def worked_out(cells, table: Table, rows=None, columns=None, grand=None) -> list[tuple[str, int]]:
    """The printed hidden figures (not zero) a reader can work out exactly, with their values."""
    model = reader_model(cells, table, rows, columns, grand)
    return [(name, model.truth[unknown]) for name, unknown in model.figures.items()
            if model.truth[unknown] and other_value(model, unknown) is None]


def _nearest_first(truth: int, low: int, high: int):
    start = min(max(truth, low), high)
    yield start
    for step in range(1, high - low + 1):
        if start - step < low and start + step > high:
            return
        for n in (start - step, start + step):
            if low <= n <= high:
                yield n
