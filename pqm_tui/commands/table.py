"""Plain-text tables whose columns line up with wide (CJK) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ZERO_WIDTH = {"Mn", "Me", "Cf"}  # combining marks, enclosing marks, format characters


def width(text: str) -> int:
    """Display width in terminal cells: a wide (Chinese) or full-width character is 2,
    a combining mark or a format character (zero-width joiner) 0, any other 1.

    The standard library's Unicode tables, not ``wcwidth`` (whose tables cost a
    command's start more than the rest of ``pqm inspection list``)."""
    cells = 0
    for char in text:
        if unicodedata.category(char) in ZERO_WIDTH:
            continue
        cells += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return cells


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
