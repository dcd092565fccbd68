"""What is due (工作节奏, 000 篇4): the rhythm of checks, reports and deadlines.

* the quality group's checks twice a month, before the 15th and before the 28th
  (城市公司月检): due when the project has no monthly inspection in that half;
* every project's monthly self-check (项目自检) report, due on the Monday of
  the following month's second week;
* rectification items whose deadline falls within the next 2 days;
* items overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from pqm_tui.model import cadence, organisation
from pqm_tui.model.entities import InspectionKind

SOON_DAYS = 2


@dataclass(frozen=True)
class DueEntry:
    """One thing due: ``kind`` names the message, ``due`` its date, ``project`` if any."""

    kind: str  # group-check, self-check, deadline-soon, overdue
    due: date
    project: str = ""
    count: int = 0


def self_check_report_due(month_start: date) -> date:
    """Monday of the second week of the month after ``month_start``'s month."""
    following = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    first_monday = following + timedelta(days=(7 - following.weekday()) % 7)
    return first_monday + timedelta(days=7)


def _group_window(today: date) -> tuple[date, date, date]:
    """The current half-month window of the quality group's check: (start, due, end)."""
    if today.day < 15:
        return today.replace(day=1), today.replace(day=14), today.replace(day=14)
    return today.replace(day=15), today.replace(day=27), today.replace(day=27)


def due_items(db: Database, today: date) -> list[DueEntry]:
    """Everything due, most urgent first."""
    entries: list[DueEntry] = []
    start, due, _end = _group_window(today)
    if today.day <= 27:
        for project in organisation.list_projects(db):
            if not cadence.has_monthly_since(db, project.id, start):
                entries.append(DueEntry("group-check", due, project.name))
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    report_due = self_check_report_due(last_month)
    if today <= report_due:
        month_end = today.replace(day=1)
        for project in organisation.list_projects(db):
            if not cadence.has_self_check_between(db, project.id, last_month, month_end):
                entries.append(DueEntry("self-check", report_due, project.name))
    soon = today + timedelta(days=SOON_DAYS)
    for name, first, n in cadence.open_deadlines_between(db, today, soon):
        entries.append(DueEntry("deadline-soon", first, name, n))
    for name, first, n in cadence.open_deadlines_before(db, today):
        entries.append(DueEntry("overdue", first, name, n))
    order = {"overdue": 0, "deadline-soon": 1, "group-check": 2, "self-check": 3}
    return sorted(entries, key=lambda e: (order[e.kind], e.due, e.project))


def half_month(day: date) -> tuple[date, date]:
    """The half-month ``day`` falls in (半月): [1st, 15th) or [15th, 1st of next month)."""
    if day.day < 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=15), (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def earlier_in_half_month(
    db: Database, project_id: str, kind: InspectionKind, day: date
) -> str | None:
    """When an inspection of the same kind and project already started in ``day``'s
    half-month (a second one is asked about first), else None. Re-inspections may repeat."""
    if kind == InspectionKind.REINSPECTION:
        return None
    start, end = half_month(day)
    earlier = cadence.started_between(db, project_id, kind.value, start, end)
    return earlier[0] if earlier else None
