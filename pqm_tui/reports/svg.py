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
    """A QR code of ``payload`` as inline SVG (qrcode's SVG path factory, no network)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1)
    text: str = image.to_string(encoding="unicode")
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2 :]
    # Fixed printed size whatever the module count.
    head, rest = text.split(">", 1)
    head = head.replace('width="', 'data-w="').replace('height="', 'data-h="')
    return f'{head} width="{size_mm}mm" height="{size_mm}mm">{rest}'
