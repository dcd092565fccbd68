"""Months of the assessment (考核月): close days, periods, where a carry-over is deducted.

The month is scored and closes on its close day (每月30日, the last day when the month
is shorter, as in February). A re-inspection failed on a day belongs to the period
of the first close on or after it; its carry-over is deducted in the month after
(下月考核, 000 篇4 §四.3 "在下次考核中给予扣分").
"""

from __future__ import annotations

import calendar
from datetime import date


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"


def close_date(month: str, close_day: int = 30) -> date:
    """The day ``month`` is scored and closes (每月30日; the last day when shorter)."""
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, min(close_day, calendar.monthrange(year, mon)[1]))


def assessment_period(day: date, close_day: int = 30) -> str:
    """The month whose assessment (on its close day) is the first on or after ``day``."""
    month = month_of(day)
    return month if day <= close_date(month, close_day) else next_month(month)


def carry_over_month(day: date, close_day: int = 30) -> str:
    """The month a re-inspection failed on ``day`` is deducted in (下月考核): the one after."""
    return next_month(assessment_period(day, close_day))
