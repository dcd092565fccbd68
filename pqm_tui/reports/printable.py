"""Printed text that cannot spoof or stall (打印文字净化): every ``{{ … }}`` of a template.

- Bidi controls (U+202A–202E, U+2066–2069, U+200E/F) would reorder what is printed
  (an RTL override makes "TXT.EXE" read "EXE.TXT"): they are shown as ``[U+202E]``.
- Other control and format characters (NUL, ESC, BOM …) are removed; line breaks and
  tabs stay, emoji joiners (U+200C/D) stay.
- A run of 40+ characters without a break opportunity gets a zero-width space every
  2 characters: WeasyPrint breaks such a run character by character with a cost that
  grows with the square of its length (a 20,000-character note took 44–50 s).
- A character that no installed font has (``fc-list :charset=…``) would print as a
  box: it is printed as ``[U+2A6A5]`` and reported by name.

A ``file:`` URL of ours (a photo, the logo; ASCII, URL characters only, at most
2,048 of them) is left as it is: it is an attribute, not printed text.

Only the printed text changes; the context and its content hash (the verification
code) are computed from the recorded text as before.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
KEPT_FORMAT = frozenset("\u200b\u200c\u200d")  # ZWSP, ZWNJ, ZWJ (emoji sequences)
KEPT_CONTROLS = frozenset("\n\t")
ZWSP = "\u200b"
RUN = 40  # characters without a break opportunity before one is added
STEP = 2  # one break opportunity every STEP characters of such a run
# Runs WeasyPrint cannot break: no space and no CJK character (CJK breaks anywhere).
UNBROKEN = re.compile(
    r"[^\s\u2e80-\u2fff\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    r"\U00020000-\U0003ffff]{" + str(RUN) + ",}"
)


FILE_URL = re.compile(r"file://[\w%/.~:@!$&'()*+,;=-]{1,2048}", re.ASCII)


def _surely_covered(char: str) -> bool:
    """Characters every PQM machine has a font for (the CJK font and DejaVu)."""
    code = ord(char)
    return (
        code < 0x2000
        or 0x3000 <= code <= 0x30FF
        or 0x4E00 <= code <= 0x9FEF
        or 0xFF00 <= code <= 0xFFEF
    )


@lru_cache(maxsize=4096)
def has_font(char: str) -> bool:
    """True when some installed font has ``char`` (fontconfig decides, as Pango does)."""
    if _surely_covered(char) or shutil.which("fc-list") is None:
        return True
    out = subprocess.run(
        ["fc-list", f":charset={ord(char):x}", "family"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return bool(out.strip())


def describe(char: str) -> str:
    """A character by name: ``𪚥 U+2A6A5 CJK UNIFIED IDEOGRAPH-2A6A5``."""
    return f"{char} U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')}"


class Printable:
    """Cleans text for printing and remembers the characters it could not print."""

    def __init__(self) -> None:
        self.unprintable: dict[str, str] = {}  # character → its description

    def __call__(self, text: str) -> str:
        if FILE_URL.fullmatch(text):
            return text
        kept: list[str] = []
        for char in text:
            if char in BIDI:
                kept.append(f"[U+{ord(char):04X}]")
            elif char in KEPT_CONTROLS or char in KEPT_FORMAT:
                kept.append(char)
            elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
                continue
            elif not has_font(char):
                self.unprintable.setdefault(char, describe(char))
                kept.append(f"[U+{ord(char):04X}]")
            else:
                kept.append(char)
        return UNBROKEN.sub(_breakable, "".join(kept))


def _breakable(run: re.Match[str]) -> str:
    text = run.group(0)
    return ZWSP.join(text[i : i + STEP] for i in range(0, len(text), STEP))
