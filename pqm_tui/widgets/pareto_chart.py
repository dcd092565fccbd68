"""The Pareto as a terminal chart (柏拉图): bars of failures, the cumulative share as dots.

Drawn cell by cell with Rich: bars in eighth blocks on the left axis (failures), the
cumulative share as dots on the right axis (0–100 %), the 80 % line dashed, a label
under each bar. Labels are codes (KF-01, KF) or ranks (1, 2 …) for departments; their
width is counted in terminal cells. (textual-plotext was tried first: it drops tick
labels in an order that changes with Python's hash seed, so one chart drew differently
from one run to the next.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pqm_tui.widgets.theme_colour import theme_colour

MAX_BARS = 15  # the vital few; the table lists every group
EIGHTHS = " ▁▂▃▄▅▆▇█"
RIGHT = 5  # "100%"


@dataclass(frozen=True)
class ChartData:
    """What the chart shows: a label, a count and a cumulative percent per bar (the screen
    names the chart and its axes around it)."""

    labels: list[str]
    counts: list[int]
    cumulative: list[float]


def _ticks(top: int) -> tuple[int, int]:
    """A whole-number step giving about four ticks, and the axis top (a multiple of it)."""
    step = max(1, -(-top // 4))
    return step, step * -(-top // step)


class ParetoChart(Widget):
    """Bars (left axis: failures) and the cumulative share (right axis: 0–100 %)."""

    DEFAULT_CSS = """
    ParetoChart { height: 1fr; min-height: 6; }
    """

    data: reactive[ChartData | None] = reactive(None)

    def show(self, data: ChartData) -> None:
        self.data = data

    def render(self) -> Text:
        data = self.data
        width, height = self.size.width, self.size.height
        if data is None or not data.counts or height < 4 or width < 20:
            return Text("")
        bar_style = theme_colour(self.app, "primary", "blue")
        dot_style = f"bold {theme_colour(self.app, 'error', 'red')}"
        axis_style = theme_colour(self.app, "foreground-muted", "grey50")
        step, top = _ticks(max(data.counts))
        left = len(str(top)) + 1
        plot_w = width - left - RIGHT - 1
        rows = height - 2  # the x axis and the labels below
        bars = min(len(data.counts), MAX_BARS, max(plot_w // 6, 1))  # a code fits under each
        slot = plot_w // bars
        bar_w = max(1, slot * 2 // 3)
        # cells[row][col]: (character, style) of the plot area, row 0 at the top
        cells = [[(" ", "")] * plot_w for _ in range(rows)]

        def row_of(fraction: float) -> int:
            """The row whose top edge is at ``fraction`` of the height (row 0 at the top)."""
            return rows - max(1, round(fraction * rows))

        eighty = row_of(0.8)  # the 80 % line of the Pareto principle
        for col in range(plot_w):
            cells[eighty][col] = ("┄", axis_style)
        for n in range(bars):
            start = n * slot + (slot - bar_w) // 2
            filled = round(data.counts[n] / top * rows * 8)
            for row in range(rows):
                from_bottom = rows - 1 - row
                level = max(0, min(8, filled - from_bottom * 8))
                if level:
                    for col in range(start, start + bar_w):
                        cells[row][col] = (EIGHTHS[level], bar_style)
            share = max(0.0, min(100.0, data.cumulative[n]))
            dot_row = rows - max(1, math.ceil(share / 100 * rows - 1e-9))
            cells[dot_row][start + bar_w // 2] = ("●", dot_style)

        counts_at: dict[int, str] = {}
        for tick in range(step, top + 1, step):
            counts_at.setdefault(row_of(tick / top), str(tick))
        percents_at = {row_of(p / 100): f"{p}%" for p in range(20, 101, 20)}
        lines = []
        for row in range(rows):
            line = Text(counts_at.get(row, "").rjust(left - 1) + "┤", style=axis_style)
            for char, style in cells[row]:
                line.append(char, style=style)
            line.append("├" + percents_at.get(row, ""), style=axis_style)
            lines.append(line)
        lines.append(Text("0".rjust(left - 1) + "└" + "─" * plot_w + "┘0%", style=axis_style))
        under = Text(" " * left)
        for n in range(bars):
            label = set_cell_size(data.labels[n], min(cell_len(data.labels[n]), slot - 1))
            pad = slot - cell_len(label)
            under.append(" " * (pad // 2) + label + " " * (pad - pad // 2))
        lines.append(under)
        return Text("\n").join(lines)
