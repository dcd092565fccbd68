"""Small helpers to turn SQLite rows into entity fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def points(value: float | int | str | Decimal) -> Decimal:
    """A stored REAL as a two-place Decimal (0.5 stays 0.5, never 0.49999)."""
    return Decimal(str(value)).quantize(Decimal("0.01")).normalize() + Decimal(0)


def json_list(value: str | None) -> list[Any]:
    """A JSON-array column as a list."""
    return list(json.loads(value)) if value else []


def as_bool(value: int | None) -> bool:
    """An INTEGER 0/1 column as bool."""
    return bool(value)
