"""Deadlines (整改期限) in local dates: receipt date + N days."""

from __future__ import annotations

from datetime import date, timedelta


def deadline_from_receipt(received: date, days: int) -> date:
    """The rectification deadline: the receipt's local date plus ``days``."""
    return received + timedelta(days=days)


def days_left(deadline: date, today: date) -> int:
    """Days until the deadline (0 = due today, negative = overdue by that many days)."""
    return (deadline - today).days
