"""Sensible bounds for what users type (输入范围): dates, months, counts, codes — said once.

A date PQM records (a reply, a receipt, a new deadline, a circular's month) lies
between 2000-01-01 (before any company using PQM kept records in it) and five years
after today. A count (``--limit``, a version number) is a whole number from its
minimum to 100,000. Anything else is refused with one message (``errors.input.*``)
before it reaches a query, a date calculation or a CHECK constraint.
"""

from __future__ import annotations

import re
from datetime import date

from pqm_tui.model.errors import RuleError

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 5
MAX_COUNT = 100_000
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def latest(today: date) -> date:
    """The last date accepted: five years after ``today`` (28 February for 29 February)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_date(day: date, today: date) -> date:
    """``day`` when it lies from 2000-01-01 to five years after ``today``."""
    if not EARLIEST <= day <= latest(today):
        raise RuleError(
            "errors.input.date_range",
            date=day.isoformat(),
            earliest=EARLIEST.isoformat(),
            latest=latest(today).isoformat(),
        )
    return day


def parse_date(text: str, today: date) -> date:
    """A typed ``YYYY-MM-DD`` date within the bounds."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise RuleError("errors.input.bad_date", text=text[:40]) from None
    return check_date(day, today)


def check_month(text: str, today: date) -> str:
    """A typed ``YYYY-MM`` month whose first day lies within the bounds."""
    found = MONTH.match(text.strip())
    if found is None:
        raise RuleError("errors.input.bad_month", text=text[:40])
    first = date(int(found[1]) or 1, int(found[2]), 1)  # year 0000 does not exist: refused
    if int(found[1]) == 0 or not EARLIEST <= first <= latest(today):
        raise RuleError(
            "errors.input.month_range",
            month=text.strip(),
            earliest=EARLIEST.isoformat()[:7],
            latest=latest(today).isoformat()[:7],
        )
    return text.strip()


def parse_count(text: str | int, minimum: int = 0) -> int:
    """A typed whole number from ``minimum`` to 100,000 (a limit, a version number)."""
    raw = str(text).strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", raw) or not minimum <= int(raw) <= MAX_COUNT:
        raise RuleError("errors.input.count", text=raw[:40], minimum=minimum, maximum=MAX_COUNT)
    return int(raw)


def check_code(text: str) -> str:
    """A verification code that is not empty (nor only spaces)."""
    if not text.strip():
        raise RuleError("errors.input.empty_code")
    return text
