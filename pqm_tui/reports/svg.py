"""SVG made by our own code: the section-score bar chart and the verification QR code."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

from pqm_tui.reports.context import SectionRow

BAR_HEIGHT = 16
GAP = 8
LABEL_WIDTH = 170
BAR_WIDTH = 330
FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"


def bar_chart(sections: Sequence[SectionRow], title: str) -> str:
    """Horizontal bars of section scores in percent (0–100), labels escaped.

    A section whose percent is not a number ("—": no applicable points) gets an
    empty dashed track with its text instead of a bar.
    """
    top = 24
    height = top + len(sections) * (BAR_HEIGHT + GAP) + 20
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">',
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + BAR_WIDTH * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 16}" '
            'stroke="#cccccc" stroke-width="0.5"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" font-size="9">{tick}</text>'
        )
    for n, section in enumerate(sections):
        y = top + n * (BAR_HEIGHT + GAP)
        label = escape(f"{section.code} {section.name}")
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 4}" text-anchor="end">{label}</text>'
        )
        try:
            percent = max(0.0, min(100.0, float(section.percent)))
        except ValueError:  # "—": nothing applicable, not checked — an empty track, no bar
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
                'fill="none" stroke="#bbbbbb" stroke-width="0.6" stroke-dasharray="3 2"/>'
                f'<text x="{LABEL_WIDTH + 4}" y="{y + BAR_HEIGHT - 4}" fill="#666666">'
                f"{escape(section.percent)}</text>"
            )
            continue
        colour = "#2e7d32" if percent >= 90 else "#f9a825" if percent >= 80 else "#c62828"
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH * percent / 100:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH * percent / 100 + 4:.1f}" '
            f'y="{y + BAR_HEIGHT - 4}">{escape(section.percent)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def qr_svg(payload: str, size_mm: int = 24) -> str:
    """A QR code of ``payload`` as inline SVG, printed ``size_mm`` wide whatever its modules.

    One path with a rectangle per run of dark modules in a row: qrcode's SVG factory
    drew a square per module (~1,000), which WeasyPrint parsed and filled one by one.
    """
    import qrcode

    code = qrcode.QRCode(border=1)  # error correction M, the smallest version that fits
    code.add_data(payload)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            start = x
            while x < len(row) and row[x]:
                x += 1
            if x > start:
                runs.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            x += 1
    n = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        f'width="{size_mm}mm" height="{size_mm}mm"><path d="{"".join(runs)}"/></svg>'
    )


PARETO_WIDTH = 640
PARETO_HEIGHT = 260
PARETO_MAX_BARS = 15  # more bars get too thin to label; the table lists every group


def pareto_chart(
    labels: Sequence[str],
    counts: Sequence[int],
    cumulative: Sequence[float],
    *,
    title: str,
    count_axis: str,
    cumulative_axis: str,
) -> str:
    """A Pareto chart (柏拉图): bars of counts, most first, on the left axis and the
    cumulative percent as a line with dots on the right axis (0–100 %); texts escaped.

    At most ``PARETO_MAX_BARS`` bars (the first ones: the vital few); labels are slanted
    so that item codes and department names fit under narrow bars.
    """
    labels, counts = list(labels)[:PARETO_MAX_BARS], list(counts)[:PARETO_MAX_BARS]
    cumulative = list(cumulative)[:PARETO_MAX_BARS]
    left, right, top, bottom = 44, 52, 42, 70
    plot_w = PARETO_WIDTH - left - right
    plot_h = PARETO_HEIGHT - top - bottom
    base = top + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PARETO_WIDTH}" '
        f'height="{PARETO_HEIGHT}" viewBox="0 0 {PARETO_WIDTH} {PARETO_HEIGHT}" '
        f'font-family="{FONT}" font-size="10">',
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
        f'<text x="0" y="{top - 8}" font-size="9">{escape(count_axis)}</text>',
        f'<text x="{left + plot_w + 6}" y="{top - 8}" font-size="9">'
        f"{escape(cumulative_axis)}</text>",
    ]
    highest = max(counts, default=0)
    step = max(1, -(-highest // 5))  # about five whole-number ticks
    scale_top = max(step * 5, 1)
    for n in range(6):  # grid lines with both axes' ticks
        y = base - plot_h * n / 5
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            'stroke="#dddddd" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9">'
            f"{step * n}</text>"
            f'<text x="{left + plot_w + 4}" y="{y + 3:.1f}" font-size="9">{20 * n}%</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555555"/>'
        f'<line x1="{left + plot_w}" y1="{top}" x2="{left + plot_w}" y2="{base}" '
        'stroke="#555555"/>'
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555555"/>'
    )
    slot = plot_w / max(len(counts), 1)
    points = []
    for n, (label, count, share) in enumerate(zip(labels, counts, cumulative, strict=True)):
        x = left + slot * n
        height = plot_h * count / scale_top
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{base - height:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{height:.1f}" fill="#4472c4"/>'
            f'<text x="{x + slot / 2:.1f}" y="{base - height - 3:.1f}" text-anchor="middle" '
            f'font-size="9">{count}</text>'
            f'<text transform="translate({x + slot / 2 + 3:.1f},{base + 10}) rotate(-35)" '
            f'text-anchor="end" font-size="9">{escape(label)}</text>'
        )
        points.append((x + slot / 2, base - plot_h * max(0.0, min(share, 100.0)) / 100))
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#c00000" stroke-width="1.5"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#c00000"/>' for x, y in points]
        eighty = base - plot_h * 0.8  # the 80 % line of the Pareto principle
        parts.append(
            f'<line x1="{left}" y1="{eighty:.1f}" x2="{left + plot_w}" y2="{eighty:.1f}" '
            'stroke="#c00000" stroke-width="0.6" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


TREND_WIDTH = 640
TREND_HEIGHT = 230
TREND_COLOURS = ("#1f4e9c", "#e07b00")  # the project, the average
BAND_COLOURS = {1: "#2e7d32", 0: "#888888", -1: "#c62828"}  # pay rise, none, cut


def trend_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    thresholds: Sequence[tuple[float, int]],
    *,
    title: str,
) -> str:
    """Monthly scores as lines (考核趋势): one polyline with dots per series (name and a
    score per month, None a gap), the first series' values written above its dots, and
    the band thresholds (lowest score, pay adjustment) as dashed lines, green for a
    rise and red for a cut, their scores on the right; texts escaped."""
    left, right, top, bottom = 36, 40, 44, 24
    plot_w = TREND_WIDTH - left - right
    plot_h = TREND_HEIGHT - top - bottom
    base = top + plot_h
    values = [v for _, scores in series for v in scores if v is not None]
    values += [t for t, _ in thresholds if t > 0]
    low = max(0, (int(min(values, default=75.0)) - 5) // 5 * 5)
    span = 100 - low

    def y_of(value: float) -> float:
        return base - plot_h * (max(low, min(100.0, value)) - low) / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{TREND_WIDTH}" '
        f'height="{TREND_HEIGHT}" viewBox="0 0 {TREND_WIDTH} {TREND_HEIGHT}" '
        f'font-family="{FONT}" font-size="10">',
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    x_legend = float(left)
    for n, (name, _) in enumerate(series):
        colour = TREND_COLOURS[n % len(TREND_COLOURS)]
        parts.append(
            f'<line x1="{x_legend:.1f}" y1="28" x2="{x_legend + 16:.1f}" y2="28" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{x_legend + 8:.1f}" cy="28" r="2.5" fill="{colour}"/>'
            f'<text x="{x_legend + 20:.1f}" y="31" font-size="9">{escape(name)}</text>'
        )
        x_legend += 40 + 9 * len(name)
    for tick in range(low, 101, 5 if span <= 40 else 10):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            'stroke="#eeeeee" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9">{tick}</text>'
        )
    for score, pay in thresholds:
        if not low < score < 100:
            continue
        y = y_of(score)
        colour = BAND_COLOURS[(pay > 0) - (pay < 0)]
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="0.8" stroke-dasharray="4 3"/>'
            f'<text x="{left + plot_w + 4}" y="{y + 3:.1f}" font-size="9" fill="{colour}">'
            f"{score:g}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#555555"/>'
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555555"/>'
    )
    slot = plot_w / max(len(labels), 1)
    for n, label in enumerate(labels):
        parts.append(
            f'<text x="{left + slot * (n + 0.5):.1f}" y="{base + 14}" text-anchor="middle" '
            f'font-size="9">{escape(label)}</text>'
        )
    for n, (_, scores) in enumerate(series):
        colour = TREND_COLOURS[n % len(TREND_COLOURS)]
        runs: list[list[tuple[float, float]]] = [[]]
        for m, value in enumerate(scores):
            if value is None:
                runs.append([])
                continue
            point = (left + slot * (m + 0.5), y_of(value))
            runs[-1].append(point)
            parts.append(
                f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2.8" fill="{colour}"/>'
            )
            if n == 0:
                others = [o[1][m] for o in series[1:]]
                below = any(
                    o is not None and o > value for o in others
                )  # the label away from the other line
                parts.append(
                    f'<text x="{point[0]:.1f}" y="{point[1] + (11 if below else -5):.1f}" '
                    'text-anchor="middle" '
                    f'font-size="8" fill="{colour}">{value:g}</text>'
                )
        for run in runs:
            if len(run) > 1:
                line = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
                )
    parts.append("</svg>")
    return "".join(parts)
