"""A project's monthly scores as a terminal chart (考核趋势): the project and the average.

Drawn cell by cell with Rich, like the Pareto chart: one slot per month; the project's
scores as ``●`` joined by dots, the average of the projects in scope as ``○``; the
band thresholds (95, 90, 80, 75 by default) as dashed lines, green for a pay rise and
red for a cut, their scores on the left axis. Under the axis each month's number and,
on two rows, the two series' values, so that every figure is readable as text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pqm_tui.services.points import format_points
from pqm_tui.widgets.theme_colour import theme_colour

LEFT = 4  # "100┤"
UNDER = 4  # the x axis, the months, the project's values, the average's values
PROJECT, AVERAGE, BOTH = "●", "○", "◉"


@dataclass(frozen=True)
class Threshold:
    """A band's lowest score (档位线) and its pay adjustment (the line's colour)."""

    score: Decimal
    pay_adjust_percent: int


@dataclass(frozen=True)
class TrendData:
    """What the chart shows: per month a label, the project's score and the average."""

    labels: list[str]
    scores: list[Decimal | None]
    average: list[Decimal | None]
    thresholds: list[Threshold]


def value_text(value: Decimal | None) -> str:
    """A score as written under the chart: ``78.8``, ``100``; ``·`` when there is none."""
    return "·" if value is None else format_points(value)


def y_range(data: TrendData) -> tuple[int, int]:
    """The axis from a multiple of 5 below every value and threshold (and 5 under) to 100."""
    values = [v for v in (*data.scores, *data.average) if v is not None]
    values += [t.score for t in data.thresholds if t.score > 0]
    lowest = min(values, default=Decimal(75))
    low = max(0, (int(lowest) - 5) // 5 * 5)
    return low, 100


class TrendChart(Widget):
    """Two series over the months, band thresholds as lines (left axis: score)."""

    DEFAULT_CSS = """
    TrendChart { height: 1fr; min-height: 9; }
    """

    data: reactive[TrendData | None] = reactive(None)

    def show(self, data: TrendData) -> None:
        self.data = data

    def render(self) -> Text:
        data = self.data
        width, height = self.size.width, self.size.height
        rows = height - UNDER
        if data is None or not data.labels or rows < 4 or width < 30:
            return Text("")
        project_style = f"bold {theme_colour(self.app, 'primary', 'blue')}"
        average_style = theme_colour(self.app, "warning", "yellow")
        axis_style = theme_colour(self.app, "foreground-muted", "grey50")
        slot = (width - LEFT) // len(data.labels)
        plot_w = slot * len(data.labels)
        low, top = y_range(data)

        def row_of(value: float) -> int:
            share = (top - float(value)) / (top - low)
            return max(0, min(rows - 1, round(share * (rows - 1))))

        lines_at = {t.score: row_of(float(t.score)) for t in data.thresholds if low < t.score < top}

        def point_row(value: Decimal) -> int:
            """A score's row, on the right side of every band line (78.8 under 80's)."""
            row = row_of(float(value))
            for score, line in lines_at.items():
                if value < score and row <= line:
                    row = min(rows - 1, line + 1)
                elif value >= score and row > line:
                    row = line
            return row

        def centre(n: int) -> int:
            return n * slot + slot // 2

        cells = [[(" ", "")] * plot_w for _ in range(rows)]
        axis: dict[int, str] = {0: str(top), rows - 1: str(low)}
        for threshold in data.thresholds:
            if not low < threshold.score < top:
                continue
            row = row_of(float(threshold.score))
            style = self._band_style(threshold.pay_adjust_percent, axis_style)
            cells[row] = [("┈", style)] * plot_w
            axis[row] = value_text(threshold.score)
        for series, mark, style in (
            (data.average, AVERAGE, average_style),
            (data.scores, PROJECT, project_style),
        ):
            self._join(cells, series, row_of, centre, style)
            for n, value in enumerate(series):
                if value is not None:
                    row, col = point_row(value), centre(n)
                    both = mark == PROJECT and cells[row][col][0] == AVERAGE
                    cells[row][col] = (BOTH if both else mark, style)

        lines = []
        for row in range(rows):
            line = Text(axis.get(row, "").rjust(LEFT - 1) + "┤", style=axis_style)
            for char, style in cells[row]:
                line.append(char, style=style)
            lines.append(line)
        lines.append(Text(" " * (LEFT - 1) + "└" + "─" * plot_w, style=axis_style))
        lines.append(self._under(Text(" " * LEFT), data.labels, slot, axis_style))
        for mark, series, style in (
            (PROJECT, data.scores, project_style),
            (AVERAGE, data.average, average_style),
        ):
            gutter = Text(mark.rjust(LEFT - 1) + " ", style=style)
            lines.append(self._under(gutter, [value_text(v) for v in series], slot, ""))
        return Text("\n").join(lines)

    @staticmethod
    def _under(gutter: Text, texts: list[str], slot: int, style: str) -> Text:
        """A row of texts centred under the slots (cut to the slot's width)."""
        line = gutter.copy()
        for text in texts:
            line.append(text[: slot - 1].center(slot), style=style)
        return line

    @staticmethod
    def _join(
        cells: list[list[tuple[str, str]]],
        series: list[Decimal | None],
        row_of: Callable[[float], int],
        centre: Callable[[int], int],
        style: str,
    ) -> None:
        """Dots between consecutive months' points (a line with a gap where one is missing)."""
        for n in range(len(series) - 1):
            a, b = series[n], series[n + 1]
            if a is None or b is None:
                continue
            start, end = centre(n), centre(n + 1)
            for col in range(start + 1, end):
                value = float(a) + (float(b) - float(a)) * (col - start) / (end - start)
                row = row_of(value)
                if cells[row][col][0] in (" ", "┈"):
                    cells[row][col] = ("·", style)

    def _band_style(self, pay: int, neutral: str) -> str:
        if pay > 0:
            return theme_colour(self.app, "success", "green")
        if pay < 0:
            return theme_colour(self.app, "error", "red")
        return neutral
