"""Plain-text tables whose columns line up with wide (CJK) characters."""

from __future__ import annotations

from collections.abc import Sequence

from wcwidth import wcswidth


def width(text: str) -> int:
    """Display width in terminal cells (a Chinese character is 2)."""
    w = wcswidth(text)
    return w if w >= 0 else len(text)


def pad(text: str, cells: int) -> str:
    return text + " " * max(cells - width(text), 0)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows under headers, columns padded to display width, two spaces apart."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
