"""Time-ordered UUIDs (UUIDv7 layout): unique across laptops, index-friendly."""

from __future__ import annotations

import os
import time
import uuid


def new_id() -> str:
    """A UUIDv7 string: 48-bit millisecond timestamp, then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= (rand >> 68) << 64  # 12 random bits
    value |= 0b10 << 62  # RFC 4122 variant
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


SHORT_LENGTH = 8


def short_id(full: str) -> str:
    """The id as shown to people: its last 8 hex digits (the random part)."""
    return full[-SHORT_LENGTH:]
