"""The Pareto chart as SVG for documents (柏拉图): bars, cumulative line, escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pqm_tui.reports.svg import PARETO_HEIGHT, PARETO_MAX_BARS, pareto_chart

NS = "{http://www.w3.org/2000/svg}"


def chart(labels: list[str], counts: list[int], cumulative: list[float]) -> ET.Element:
    svg = pareto_chart(
        labels,
        counts,
        cumulative,
        title="不合格柏拉图<b>",
        count_axis="处数",
        cumulative_axis="累计",
    )
    return ET.fromstring(svg)  # well-formed: user text escaped


def test_bars_heights_and_cumulative_line() -> None:
    root = chart(["KF-01", "HJ-01", "客服部"], [5, 2, 2], [55.6, 77.8, 100.0])
    bars = [r for r in root.iter(f"{NS}rect")]
    assert len(bars) == 3
    heights = [float(b.get("height", 0)) for b in bars]
    assert heights[0] > heights[1] == heights[2] > 0
    dots = [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in root.iter(f"{NS}circle")]
    assert len(dots) == 3 and dots[0][1] > dots[1][1] > dots[2][1]  # rising to 100 %
    top = min(float(t.get("y1", PARETO_HEIGHT)) for t in root.iter(f"{NS}line"))
    assert dots[2][1] == top  # 100 % at the top of the plot
    texts = "".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "不合格柏拉图<b>" in texts and "客服部" in texts and "100%" in texts


def test_at_most_the_first_bars_and_nothing_for_no_data() -> None:
    many = chart([f"A-{n}" for n in range(30)], list(range(30, 0, -1)), [3.0] * 30)
    assert len(list(many.iter(f"{NS}rect"))) == PARETO_MAX_BARS
    empty = chart([], [], [])
    assert not list(empty.iter(f"{NS}rect")) and not list(empty.iter(f"{NS}polyline"))


def test_left_axis_has_whole_numbers() -> None:
    root = chart(["KF-01"], [7], [100.0])
    left_axis = [t for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]
    ticks = [t.text or "" for t in left_axis if re.fullmatch(r"\d+", t.text or "")]
    assert ticks == ["0", "2", "4", "6", "8", "10"]  # steps of 2 above the highest bar (7)
