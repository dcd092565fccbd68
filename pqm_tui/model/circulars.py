"""The query behind a month's circular (通报): failed re-inspections of the month."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import RectificationItem


@dataclass(frozen=True)
class FailedReinspection:
    """One 'reinspection-failed' event with the item it escalated (for the circular)."""

    event_at: str
    actor: str
    reason: str
    item: RectificationItem
    project_name: str
    area_name: str
    item_code: str
    item_standard: str
    finding_note: str
    department: str
    notice_number: str | None
    lapses: int  # failed re-inspections of this item up to and including this one
    location: str = ""  # the finding's 位置 in its area


def failed_reinspections(db: Database, clock: Clock, month: str) -> list[FailedReinspection]:
    """'reinspection-failed' events whose local date falls in ``month`` (YYYY-MM)."""
    rows = db.query(
        """SELECT e.at, e.actor, e.reason, e.item_id, r.*, p.name AS project_name,
                  a.name AS area_name, it.code AS item_code, it.standard AS item_standard,
                  f.note AS finding_note, f.location AS finding_location,
                  f.department AS finding_department,
                  n.number AS notice_number,
                  (SELECT count(*) FROM rectification_events e2
                    WHERE e2.item_id = e.item_id AND e2.action = 'reinspection-failed'
                      AND (e2.at < e.at OR (e2.at = e.at AND e2.rowid <= e.rowid))) AS lapses
           FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id
           JOIN findings f ON f.id = r.finding_id
           JOIN items it ON it.id = f.item_id
           JOIN areas a ON a.id = f.area_id
           JOIN projects p ON p.id = r.project_id
           LEFT JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' AND e.at >= ? AND e.at < ?
           ORDER BY p.name, e.at""",
        _month_window(month),
    )
    result = []
    for r in rows:
        if clock.local_date_of(r["at"]).strftime("%Y-%m") != month:
            continue
        item_fields = {k: r[k] for k in RectificationItem.model_fields if k in r}
        result.append(
            FailedReinspection(
                r["at"],
                r["actor"],
                r["reason"],
                RectificationItem.model_validate(item_fields),
                r["project_name"],
                r["area_name"],
                r["item_code"],
                r["item_standard"],
                r["finding_note"],
                r["finding_department"],
                r["notice_number"],
                r["lapses"],
                r["finding_location"],
            )
        )
    return result


def _month_window(month: str) -> list[str]:
    """A generous text window (±1 day) around the month; exact filtering is by local date."""
    year, mon = (int(part) for part in month.split("-"))
    prev_year, prev_mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    next_year, next_mon = (year, mon + 1) if mon < 12 else (year + 1, 1)
    return [f"{prev_year:04d}-{prev_mon:02d}-28", f"{next_year:04d}-{next_mon:02d}-02"]
