"""Chinese text broken where Chinese breaks (中文折行): between any two characters.

Textual wraps text at spaces only, so a standard written without spaces (遵守劳动纪律，
按时到岗…) is one long word: after a label (``Standard:``) it jumps whole to the next
line and leaves the label alone on its own, and the lines below it fall out of a
panel of fixed height. ``fold`` breaks such text itself — at spaces as before, and
between Chinese characters too, never before closing punctuation (，。；、）…).
"""

from __future__ import annotations

import re

from rich.cells import cell_len

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CLOSING = "，。；：、！？）」』》〉】,.;:!?)"
# one Chinese character with the closing punctuation after it, a run of other
# characters with the spaces after it, or spaces
_TOKEN = re.compile(f"[{_WIDE}][{_CLOSING}]*\\s*|[^\\s{_WIDE}]+\\s*|\\s+")


def fold(text: str, width: int) -> str:
    """``text`` with a line break wherever a line would pass ``width`` cells."""
    if width <= 0:
        return text
    return "\n".join(_fold_line(line, width) for line in text.split("\n"))


def _fold_line(line: str, width: int) -> str:
    if cell_len(line) <= width:
        return line
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(line):
        if current and cell_len(current + token.rstrip()) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    lines.append(current.rstrip())
    return "\n".join(lines)
