"""The Pareto as a terminal chart (柏拉图): bars of failures, the cumulative share as a line.

Drawn by textual-plotext (Plotext in a Textual widget; follows the app's theme). Bars are
labelled by code (KF-01, KF) or by rank (1, 2 …) for departments: Plotext counts a
Chinese character as one cell, so Chinese labels would misalign the axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual_plotext import PlotextPlot

MAX_BARS = 12  # more do not fit 80 columns legibly; the table lists them all


@dataclass(frozen=True)
class ChartData:
    """What the chart shows: a label, a count and a cumulative percent per bar (the screen
    names the chart and its axes around it: Plotext's legend would cut Chinese words)."""

    labels: list[str]
    counts: list[int]
    cumulative: list[float]


class ParetoChart(PlotextPlot):
    """Bars (left axis: failures) and the cumulative share (right axis: 0–100 %)."""

    def show(self, data: ChartData) -> None:
        plt = self.plt
        plt.clear_figure()
        if data.counts:
            labels = data.labels[:MAX_BARS]
            positions = [float(n) for n in range(1, len(labels) + 1)]
            plt.bar(positions, data.counts[:MAX_BARS], width=0.6)
            plt.plot(
                positions,
                data.cumulative[:MAX_BARS],
                yside="right",
                marker="braille",
            )
            plt.xticks(positions, labels)
            # textual-plotext's stub types ``yside`` as a float; Plotext takes "left"/"right"
            plt.ylim(0, 100, yside="right")  # type: ignore[arg-type]
            top = max(data.counts)
            step = max(1, -(-top // 5))  # whole failures on the left axis, about five ticks
            plt.ylim(0, top + step / 2, yside="left")  # type: ignore[arg-type]
            plt.yticks([float(n) for n in range(0, top + 1, step)], yside="left")  # type: ignore[arg-type]
        self.refresh()
