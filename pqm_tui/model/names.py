"""Names as people read them (名称比较): look-alike spellings of one name, phone numbers.

``name_key`` folds what a reader takes for the same name — the middle dots of
锦程·天府花园 (· ・ ‧ • …, or none), full- and half-width forms (NFKC), spaces and letter
case — so that two spellings of one project, area or person are recognised as one. ``is_phone``
says whether a text is a phone number people here have (电话): a mainland mobile
(1[3-9] and 9 digits, spaces or dashes between groups, +86 before) or a landline with
its area code (028-8555 1234, (010) 1234 5678, an extension after 转, ext, x or #),
or a 400/800 service number (400-820-8820).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Middle dots a name is written with (after NFKC, which already folds ･ and Greek ·).
_DOTS = re.compile("[\u00b7\u0387\u16eb\u2022\u2027\u2219\u22c5\u2e31\u30fb\ua78f\uff65]")
_SPACES = re.compile(r"\s+")

_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_HOTLINE = re.compile(r"[48]00\d{7}")  # 400/800 service numbers (客服热线)
_AREA = r"(?:0\d{2,3}|\(0\d{2,3}\)|\+?86[ -]?0?[1-9]\d{1,2})"
_LANDLINE = re.compile(
    _AREA + r"[ -]?\d{3,4}[ -]?\d{4}(?:[ -]?(?:转|ext\.?|x|#|-)[ ]?\d{1,6})?",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)  # an import compares each new name with every one in its place
def name_key(name: str) -> str:
    """The name with look-alike characters folded: equal keys read as the same name."""
    folded = unicodedata.normalize("NFKC", name)
    return _SPACES.sub("", _DOTS.sub("", folded)).casefold()


def lookalike(name: str, existing: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The first of ``existing`` that reads as ``name`` (the same key), or None."""
    key = name_key(name)
    return next((other for other in existing if name_key(other) == key), None)


def is_phone(text: str) -> bool:
    """True for a mainland mobile number or a landline with its area code."""
    text = unicodedata.normalize("NFKC", text).strip()  # full-width digits and brackets
    digits = re.sub(r"[ -]", "", text)
    if digits.startswith("0086"):
        digits = digits[2:]
    return bool(
        _MOBILE.fullmatch(digits) or _HOTLINE.fullmatch(digits) or _LANDLINE.fullmatch(text)
    )
