"""Months of the assessment (考核月): close days, periods, where a carry-over is deducted.

The month is scored and closes on its close day (每月30日, the last day when the month
is shorter, as in February): it is published from that day on. A re-inspection
failed in a month is circulated in that month's circular (通报) and its carry-over is
deducted in the next month's assessment (下月考核; 000 篇4 §四.3 "在下次考核中给予扣分").
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


def carry_over_month(day: date) -> str:
    """The month a re-inspection failed on ``day`` is deducted in (下月考核): the next
    calendar month, the one after the circular (通报) that names it."""
    return next_month(month_of(day))
