"""Queries behind "what is due" (``services.cadence``): checks done and deadlines by project."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from pqm_tui.model.inspection_list import NOT_ABANDONED
from pqm_tui.model.rectification import APPEALED


def has_monthly_since(db: Database, project_id: str, start: date) -> bool:
    """True when the project has a monthly inspection started on or after ``start``."""
    row = db.execute(
        f"""SELECT 1 FROM inspections i WHERE project_id = ? AND kind = 'monthly'
             AND substr(started_at, 1, 10) >= ? AND {NOT_ABANDONED.format(ref="i.id")} LIMIT 1""",
        [project_id, start.isoformat()],
    ).fetchone()
    return bool(row)


def has_self_check_between(db: Database, project_id: str, start: date, end: date) -> bool:
    """True when the project has a self-check started in ``[start, end)``."""
    row = db.execute(
        f"""SELECT 1 FROM inspections i WHERE project_id = ? AND kind = 'self'
             AND substr(started_at, 1, 10) >= ? AND substr(started_at, 1, 10) < ?
             AND {NOT_ABANDONED.format(ref="i.id")} LIMIT 1""",
        [project_id, start.isoformat(), end.isoformat()],
    ).fetchone()
    return bool(row)


def open_deadlines_between(db: Database, first: date, last: date) -> list[tuple[str, date, int]]:
    """(project name, earliest deadline, count) of open items due in ``[first, last]``
    (not those under appeal: their deadline is suspended)."""
    return [
        (name, date.fromisoformat(earliest), n)
        for name, earliest, n in db.execute(
            f"""SELECT p.name, min(r.deadline), count(*) FROM rectification_items r
               JOIN projects p ON p.id = r.project_id
               WHERE r.status IN ('open', 'replied') AND r.status = 'open'
                 AND r.deadline >= ? AND r.deadline <= ? AND r.id NOT IN ({APPEALED})
               GROUP BY p.name ORDER BY min(r.deadline)""",
            [first.isoformat(), last.isoformat()],
        )
    ]


def open_deadlines_before(db: Database, day: date) -> list[tuple[str, date, int]]:
    """(project name, earliest deadline, count) of open items whose deadline is before ``day``
    (overdue; not those under appeal: their deadline is suspended)."""
    return [
        (name, date.fromisoformat(earliest), n)
        for name, earliest, n in db.execute(
            f"""SELECT p.name, min(r.deadline), count(*) FROM rectification_items r
               JOIN projects p ON p.id = r.project_id
               WHERE r.status IN ('open', 'replied') AND r.status = 'open' AND r.deadline < ?
                 AND r.id NOT IN ({APPEALED})
               GROUP BY p.name ORDER BY min(r.deadline)""",
            [day.isoformat()],
        )
    ]


def started_between(db: Database, project_id: str, kind: str, start: date, end: date) -> list[str]:
    """Start times of the project's (not abandoned) inspections of ``kind`` in ``[start, end)``."""
    return [
        str(at)
        for (at,) in db.execute(
            f"""SELECT started_at FROM inspections i WHERE project_id = ? AND kind = ?
                 AND substr(started_at, 1, 10) >= ? AND substr(started_at, 1, 10) < ?
                 AND {NOT_ABANDONED.format(ref="i.id")} ORDER BY started_at""",
            [project_id, kind, start.isoformat(), end.isoformat()],
        ).fetchall()
    ]
