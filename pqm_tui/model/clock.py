"""Time in the configured timezone: ISO-8601 stamps with offset and local dates.

A ``Clock`` is passed to the repository and services so tests can fix "now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
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

    def local_date_of(self, stamp: str) -> date:
        """The local date (in this clock's timezone) of an ISO-8601 stamp."""
        return datetime.fromisoformat(stamp).astimezone(self.tz).date()
