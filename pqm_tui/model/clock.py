"""Time in the configured timezone: ISO-8601 stamps with offset and local dates.

A ``Clock`` is passed to the repository and services so tests can fix "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


def system_timezone() -> tzinfo:
    """The machine's local timezone."""
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def resolve_timezone(name: str | None) -> tzinfo:
    """A timezone by IANA name (e.g. Asia/Shanghai); the system's when ``name`` is empty."""
    return ZoneInfo(name) if name else system_timezone()


@dataclass(frozen=True)
class Clock:
    """Source of the current time in one timezone."""

    tz: tzinfo = field(default_factory=system_timezone)
    source: Callable[[], datetime] | None = None

    def now(self) -> datetime:
        """Aware current time in the clock's timezone."""
        current = self.source() if self.source else datetime.now(self.tz)
        return current.astimezone(self.tz)

    def now_iso(self) -> str:
        """Current time as ISO-8601 with offset, millisecond precision."""
        return self.now().isoformat(timespec="milliseconds")

    def today(self) -> date:
        """Today's local date in the clock's timezone."""
        return self.now().date()

    def local_time_of(self, stamp: str) -> str:
        """An ISO-8601 stamp as ``YYYY-MM-DD HH:MM`` in this clock's timezone."""
        return datetime.fromisoformat(stamp).astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def local_date_of(self, stamp: str) -> date:
        """The local date (in this clock's timezone) of an ISO-8601 stamp."""
        return datetime.fromisoformat(stamp).astimezone(self.tz).date()


def timezone_name(tz: tzinfo) -> str:
    """A name ``timezone_named`` resolves: the IANA key, or the UTC offset as ±HH:MM."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    offset = datetime.now(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def timezone_named(name: str) -> tzinfo | None:
    """The timezone ``timezone_name`` gave (None for "", a name not recorded)."""
    if not name:
        return None
    if name[0] in "+-":
        hours, minutes = name[1:].split(":")
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-offset if name[0] == "-" else offset)
    return ZoneInfo(name)


def utc_iso(stamp: str | None) -> str | None:
    """An ISO-8601 stamp with offset as UTC (millisecond precision); None and "" stay None.

    A stamp without offset (not written by PQM) is kept as it is rather than guessed.
    """
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        return stamp
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
