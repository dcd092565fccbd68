"""Periods of the failure analysis (统计期间): a month, a quarter or a year of local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodKind(StrEnum):
    """How long a period of the analysis is (月 / 季度 / 年)."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    """The month, quarter or year of local days that holds ``first``."""

    kind: PeriodKind
    first: date

    @classmethod
    def holding(cls, kind: PeriodKind, day: date) -> Period:
        if kind == PeriodKind.MONTH:
            return cls(kind, day.replace(day=1))
        if kind == PeriodKind.QUARTER:
            return cls(kind, date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
        return cls(kind, date(day.year, 1, 1))

    @property
    def months(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]

    @property
    def last(self) -> date:
        """The period's last day."""
        return self.shifted(1).first - timedelta(days=1)

    def shifted(self, step: int) -> Period:
        """The period ``step`` periods later (earlier when negative)."""
        index = self.first.year * 12 + self.first.month - 1 + step * self.months
        return Period(self.kind, date(index // 12, index % 12 + 1, 1))

    def name(self) -> str:
        """2026-11, 2026Q4 or 2026: as the CLI's --month / --quarter say it."""
        if self.kind == PeriodKind.MONTH:
            return self.first.strftime("%Y-%m")
        if self.kind == PeriodKind.QUARTER:
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)
