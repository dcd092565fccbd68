"""Points (分值) as people type and read them: 1, 0.5, 1.5."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def parse_points(text: str) -> Decimal | None:
    """A deduction typed by a person ("1", "0.5", "1.5"), or None when not a number."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_points(value: Decimal) -> str:
    """Points, scores and percentages as people write them: 1, 0.5, 87.5 (no trailing zeros)."""
    return f"{value.normalize():f}"
