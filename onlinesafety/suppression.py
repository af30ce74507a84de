"""Counts for governors and trusts, suppressed by rule, so that no small count can be worked out from the rest.

Every count a report prints goes through here: on its own (``figure``) or as a table (``suppress``): rows by
columns, printed with any of its row totals, column totals and grand total, each a total given on the report.

1. Primary: a count from 1 to ``threshold - 1`` reads "fewer than N". A total that is fewer than N is not broken
   down: its parts, zeros too, read "not given" (two parts of a total of 2 would otherwise each be 1).
2. Secondary: then, while any hidden count could be worked out from what is printed, more is held back: the
   shown counts on the cheapest path that closes a cycle through it ("withheld", least held back in all), or,
   when none is left, a breakdown it is in as a whole ("not given"), or else everything but the fixed totals.
3. A zero is shown (it describes nobody), and a hidden zero may be worked out; so may a count of N or more that
   fixed totals give away whatever is held back. A small count never: ``Unprotectable`` is raised instead.

"Worked out" means what a reader can do with every figure printed: the shown counts, the totals, and what each
label says of its count: "fewer than N" is 1 to N-1, "withheld" is N or more (only counts that would otherwise
be shown are withheld, so a reader knows that much), "not given" is any count, zero included. A hidden count is
safe when at least two values of it fit all of that (whole numbers, none negative). So ten "fewer than 3" that
must add up to 20 are each 2, and "withheld" and "fewer than 3" that add up to 4 are 3 and 1: neither is safe.

How it is checked: a table with its totals is a flow network (the row totals flow into the rows, each count from
its row to its column, the column totals out of the columns, the grand total back round), and a whole-number
completion of the hidden counts is a circulation within the bounds the labels give. A count can take another
value exactly when a cycle through it can carry one more or one less (flow decomposition; the network's matrix
is totally unimodular, so whole numbers lose nothing): a breadth-first search. tests/kernel/test_suppression.py
checks the result on random tables against an independent exhaustive search of every completion.

What the caller must keep to, for the result to hold: rows and columns are listed whatever their counts (every
category, every month of the term: a row printed only when its count is not zero says so), rows are ordered by
what is shown only, and every other figure of the same report that the table's counts add up to is given here as
a total (``fixed`` when it is printed elsewhere too, so it is never withheld here).
"""

import enum
import heapq
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings

MIN_THRESHOLD = 3  # fewer than 3 is the least any report may protect, whatever the setting says


def small_number() -> int:
    """The threshold in force: ``GOVERNOR_REPORT_SMALL_NUMBER``, never below ``MIN_THRESHOLD``."""
    return max(MIN_THRESHOLD, settings.GOVERNOR_REPORT_SMALL_NUMBER)


class Status(enum.StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # 1 to threshold - 1
    WITHHELD = "withheld"  # threshold or more, held back so that a small count cannot be worked out
    NOT_GIVEN = "not given"  # any count, zero too: its total is small, or nothing less protects a small count


class Unprotectable(ValueError):
    """No suppression protects a small count of the table: too many of its totals are fixed (a caller's error)."""


@dataclass(frozen=True)
class Figure:
    """One count as the report prints it."""

    value: int
    status: Status
    threshold: int

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        if self.status is Status.SHOWN:
            return str(self.value)
        if self.status is Status.SMALL:
            return f"fewer than {self.threshold}"
        return self.status.value

    @property
    def hidden(self) -> bool:
        return self.status is not Status.SHOWN

    @property
    def bounds(self) -> tuple[int, float]:
        """What a reader can tell of the count from its label alone: (least, most), most ``math.inf`` if open."""
        return _bounds(self.status, self.value, self.threshold)


def _bounds(status: Status | None, value: int, threshold: int) -> tuple[int, float]:
    if status is Status.SHOWN:
        return value, value
    if status is Status.SMALL:
        return 1, threshold - 1
    if status is Status.WITHHELD:
        return threshold, math.inf
    return 0, math.inf  # not given, or a figure the report does not print


def check_threshold(threshold: int) -> int:
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The small-number threshold is at least {MIN_THRESHOLD}, not {threshold}.")
    return threshold


def figure(value: int, threshold: int) -> Figure:
    """A count printed on its own, adding up with nothing else printed: "fewer than N" from 1 to N-1."""
    check_threshold(threshold)
    return Figure(value, Status.SMALL if 0 < value < threshold else Status.SHOWN, threshold)


@dataclass(frozen=True)
class Totals:
    """The row totals (or the column totals, or the grand total) a table is printed with.

    ``values``: the totals as printed elsewhere, checked against the counts (by default their sums); ``fixed``:
    printed elsewhere on the report too (the term's number of incidents above its breakdowns), so never held back;
    ``overlapping``: a thing can be counted in more than one part (an incident with pupils in two key stages), so
    the parts add up to the total or more, each at most the total. Overlapping totals must be fixed, and the other
    direction must have no totals (each line then stands alone)."""

    values: Sequence[int] | None = None
    fixed: bool = False
    overlapping: bool = False


@dataclass(frozen=True)
class Table:
    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...] | None = None
    column_totals: tuple[Figure, ...] | None = None
    grand_total: Figure | None = None


# ---------------------------------------------------------------- the network

S, T = 0, 1  # the source the row totals leave, the sink the column totals reach (the grand total joins them)


@dataclass
class _Arc:
    tail: int
    head: int
    value: int
    status: Status | None  # None: not printed (a total the table is shown without, an overlap)
    fixed: bool = False
    cap: int | None = None  # most the count can be whatever its label: a part of an overlapping total

    @property
    def printed(self) -> bool:
        return self.status is not None


@dataclass
class _Line:
    """A total (an arc) and the parts that add up to it."""

    total: int
    parts: list[int] = field(default_factory=list)


class _Network:
    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.arcs: list[_Arc] = []
        self.at: dict[int, list[int]] = {}
        self.lines: list[_Line] = []

    def add(self, arc: _Arc) -> int:
        index = len(self.arcs)
        self.arcs.append(arc)
        self.at.setdefault(arc.tail, []).append(index)
        self.at.setdefault(arc.head, []).append(index)
        return index

    def bounds(self, index: int) -> tuple[int, float]:
        arc = self.arcs[index]
        least, most = _bounds(arc.status, arc.value, self.threshold)
        return least, most if arc.cap is None else min(most, arc.cap)

    def movable(self, index: int) -> bool:
        """Whether another whole-number completion gives this count another value: a cycle through it."""
        arc = self.arcs[index]
        least, most = self.bounds(index)
        return (arc.value < most and self._path(arc.head, arc.tail, index)) or (
            arc.value > least and self._path(arc.tail, arc.head, index))

    def _path(self, start: int, goal: int, skip: int) -> bool:
        seen, queue = {start}, deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                return True
            for index in self.at[node]:
                step = self._step(index, node, skip, withholding=False)
                if step is not None and step not in seen:
                    seen.add(step)
                    queue.append(step)
        return False

    def needs_protection(self, index: int) -> bool:
        arc = self.arcs[index]
        return arc.printed and arc.status is not Status.SHOWN and arc.value > 0

    def lines_of(self, index: int) -> list[_Line]:
        return [line for line in self.lines if line.total == index or index in line.parts]

    def hideable(self, indexes: Iterable[int]) -> list[int]:
        return [index for index in indexes if self.arcs[index].printed and not self.arcs[index].fixed]

    def set_status(self, indexes: Iterable[int], status: Status) -> dict[int, Status | None]:
        before = {}
        for index in indexes:
            if self.arcs[index].status is not status:
                before[index] = self.arcs[index].status
                self.arcs[index].status = status
        return before

    def restore(self, before: dict[int, Status | None]) -> None:
        for index, status in before.items():
            self.arcs[index].status = status

    # -------------------------------------------------------- the two steps

    def primary(self) -> None:
        for arc in self.arcs:
            if arc.printed:
                arc.status = Status.SMALL if 0 < arc.value < self.threshold else Status.SHOWN
        for line in self.lines:
            if self.arcs[line.total].status is Status.SMALL:
                self.set_status(self.hideable(line.parts), Status.NOT_GIVEN)

    def secondary(self) -> None:
        # Holding more back never makes a safe count unsafe, so each is proven once. A count of the threshold or
        # more that fixed totals give away (a table of one row: its total is the grand total) is left as it is:
        # nothing could hide it, and it is no small count.
        settled: set[int] = set()
        while True:
            unsafe = None
            for index in range(len(self.arcs)):
                if index in settled or not self.needs_protection(index):
                    continue
                if self.movable(index):
                    settled.add(index)
                else:
                    unsafe = index
                    break
            if unsafe is None:
                return
            if not self.protect(unsafe):
                if self.arcs[unsafe].value < self.threshold:
                    raise Unprotectable("Every figure that could be held back is, and the fixed totals still "
                                        "give a small count away.")
                settled.add(unsafe)

    def protect(self, index: int) -> bool:
        """Hold back what lets this count take another value: the shown counts on the cheapest cycle through it,
        or else a breakdown it is in, or else everything that is not fixed. False when nothing is left."""
        arc = self.arcs[index]
        least, most = self.bounds(index)
        paths: list[list[int]] = []
        for possible, start, goal in ((arc.value < most, arc.head, arc.tail), (arc.value > least, arc.tail, arc.head)):
            path = self._cheapest(start, goal, index) if possible else None
            if path:  # never empty: the count would have been movable
                paths.append(path)
        if paths:
            cheapest: list[int] = min(paths, key=self._cost)
            self.set_status(cheapest, Status.WITHHELD)
            return True
        # Only a breakdown as a whole is "not given", so that the label never depends on the count behind it.
        lines = sorted((line for line in self.lines_of(index) if self.arcs[line.total].printed),
                       key=lambda line: len(line.parts))
        for line in lines:
            before = self.set_status(self.hideable(line.parts), Status.NOT_GIVEN)
            if before and self.movable(index):
                return True
            self.restore(before)
        return any(self.set_status(self.hideable(everything), Status.NOT_GIVEN)
                   for everything in ([part for line in lines for part in line.parts], range(len(self.arcs))))

    def _cost(self, path: list[int]) -> tuple[int, int]:
        return sum(self.arcs[index].value for index in path), len(path)

    def _withholdable(self, index: int) -> bool:
        arc = self.arcs[index]
        return arc.status is Status.SHOWN and arc.value > 0 and not arc.fixed

    def _cheapest(self, start: int, goal: int, skip: int) -> list[int] | None:
        """The shown counts to withhold, least in all (then fewest), for a path from ``start`` to ``goal`` that
        can carry one unit: through hidden counts with room, or shown ones that would have it once withheld
        (withheld means at least the threshold, so one can give a unit only from above it)."""
        best: dict[int, tuple[int, int]] = {start: (0, 0)}
        came: dict[int, tuple[int, int]] = {}  # node -> (previous node, arc)
        queue = [((0, 0), start)]
        while queue:
            cost, node = heapq.heappop(queue)
            if node == goal:
                path = []
                while node != start:
                    node, index = came[node]
                    if self.arcs[index].status is Status.SHOWN:
                        path.append(index)
                return path
            if cost > best[node]:
                continue
            for index in self.at[node]:
                step = self._step(index, node, skip, withholding=True)
                if step is None:
                    continue
                added = (self.arcs[index].value, 1) if self.arcs[index].status is Status.SHOWN else (0, 0)
                total = (cost[0] + added[0], cost[1] + added[1])
                if step not in best or total < best[step]:
                    best[step], came[step] = total, (node, index)
                    heapq.heappush(queue, (total, step))
        return None

    def _step(self, index: int, node: int, skip: int, *, withholding: bool) -> int | None:
        """Where one more unit can go from ``node`` along this arc: as it is, or also once withheld."""
        if index == skip:
            return None
        arc = self.arcs[index]
        if arc.status is Status.SHOWN:
            if not (withholding and self._withholdable(index)):
                return None
            least, most = self.threshold, math.inf if arc.cap is None else arc.cap
        else:
            least, most = self.bounds(index)
        if arc.tail == node and arc.value < most:
            return arc.head
        if arc.head == node and arc.value > least:
            return arc.tail
        return None


# ---------------------------------------------------------------- building a table

def suppress(cells: Sequence[Sequence[int]], *, threshold: int, row_totals: Totals | None = None,
             column_totals: Totals | None = None, grand_total: Totals | None = None) -> Table:
    """The table as the report prints it. ``None`` for a kind of total: the table is printed without it."""
    check_threshold(threshold)
    grid = [list(row) for row in cells]
    width = len(grid[0]) if grid else 0
    if any(len(row) != width for row in grid) or any(not isinstance(n, int) or n < 0 for row in grid for n in row):
        raise ValueError("A table is rows of the same length of counts that are whole numbers, none negative.")
    _check_shape(row_totals, column_totals, grand_total)
    network = _Network(threshold)
    rows, columns = 2, 2 + len(grid)  # node numbers: S, T, then a node for each row, then for each column
    cell_arcs = [[network.add(_Arc(rows + i, columns + j, n, Status.SHOWN)) for j, n in enumerate(row)]
                 for i, row in enumerate(grid)]
    row_sums = [sum(row) for row in grid]
    column_sums = [sum(row[j] for row in grid) for j in range(width)]
    row_arcs = _margin(network, row_totals, row_sums, [(S, rows + i) for i in range(len(grid))],
                       [list(arcs) for arcs in cell_arcs], "row")
    column_arcs = _margin(network, column_totals, column_sums, [(columns + j, T) for j in range(width)],
                          [[arcs[j] for arcs in cell_arcs] for j in range(width)], "column")
    everything = sum(row_sums)
    if grand_total is not None and grand_total.values is not None and list(grand_total.values) != [everything]:
        raise ValueError("The grand total is the sum of every count.")
    grand = network.add(_Arc(T, S, everything, Status.SHOWN if grand_total else None,
                             fixed=bool(grand_total and grand_total.fixed)))
    if grand_total is not None:
        printed = [arc for arc in row_arcs + column_arcs if network.arcs[arc].printed]
        network.lines.append(_Line(grand, printed or [arc for arcs in cell_arcs for arc in arcs]))
    network.primary()
    network.secondary()

    def figure_of(index: int) -> Figure:
        return Figure(network.arcs[index].value, network.arcs[index].status or Status.SHOWN, threshold)

    return Table(
        cells=tuple(tuple(figure_of(arc) for arc in arcs) for arcs in cell_arcs),
        row_totals=tuple(figure_of(arc) for arc in row_arcs) if row_totals else None,
        column_totals=tuple(figure_of(arc) for arc in column_arcs) if column_totals else None,
        grand_total=figure_of(grand) if grand_total else None,
    )


def _check_shape(row_totals: Totals | None, column_totals: Totals | None, grand_total: Totals | None) -> None:
    for totals, others in ((row_totals, (column_totals, grand_total)), (column_totals, (row_totals, grand_total))):
        if totals is not None and totals.overlapping and (not totals.fixed or any(others)):
            raise ValueError("Overlapping totals are fixed, and the table has no other totals.")
    if grand_total is not None and grand_total.overlapping:
        raise ValueError("The grand total is the sum of every count; it cannot overlap.")


def _margin(network: _Network, totals: Totals | None, sums: list[int], ends: list[tuple[int, int]],
            parts: list[list[int]], name: str) -> list[int]:
    """The arcs of one kind of total (printed or not), one line each, and an overlap arc where parts overlap."""
    values = list(totals.values) if totals is not None and totals.values is not None else sums
    if len(values) != len(sums):
        raise ValueError(f"One {name} total for each {name}.")
    overlapping = bool(totals and totals.overlapping)
    arcs = []
    for (tail, head), total, summed, line_parts in zip(ends, values, sums, parts, strict=True):
        exact = total == summed
        within = 0 <= total <= summed and all(network.arcs[part].value <= total for part in line_parts)
        if not (exact or (overlapping and within)):
            raise ValueError(f"A {name} total is the sum of its counts (overlapping: at most, and at least each).")
        arc = network.add(_Arc(tail, head, total, Status.SHOWN if totals else None,
                               fixed=bool(totals and totals.fixed)))
        arcs.append(arc)
        if overlapping:
            network.add(_Arc(tail, head, summed - total, None))
            if not 0 < total < network.threshold:  # shown: no part is more (a small one is not broken down)
                for part in line_parts:
                    network.arcs[part].cap = total
        network.lines.append(_Line(arc, line_parts))
    return arcs
