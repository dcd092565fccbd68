"""Findings (检查记录): one checklist item in one area of an inspection, as recorded.

Reads only; writes (recording, undo) are in ``model.inspections`` together with
the walk position. Amendments are applied by ``model.amendments``.
"""

from __future__ import annotations

from sqlite_utils import Database

from pqm_tui.model.entities import Finding
from pqm_tui.model.errors import NotFoundError
from pqm_tui.model.rows import points


def finding_of_row(row: dict[str, object]) -> Finding:
    """A ``findings`` row as a Finding (the stored REAL deduction as Decimal points)."""
    data = dict(row)
    data["deduction"] = points(data["deduction"])  # type: ignore[arg-type]
    return Finding.model_validate(data)


def get_finding(db: Database, finding_id: str) -> Finding:
    """A finding by id, as recorded; NotFoundError when there is none."""
    rows = list(db.query("SELECT * FROM findings WHERE id = ?", [finding_id]))
    if not rows:
        raise NotFoundError("errors.finding.not_found", id=finding_id)
    return finding_of_row(rows[0])


def find_finding(db: Database, inspection_id: str, item_id: str, area_id: str) -> Finding | None:
    """The finding of one item in one area of an inspection, or None when not answered."""
    rows = list(
        db.query(
            "SELECT * FROM findings WHERE inspection_id = ? AND item_id = ? AND area_id = ?",
            [inspection_id, item_id, area_id],
        )
    )
    return finding_of_row(rows[0]) if rows else None


def list_findings(db: Database, inspection_id: str) -> list[Finding]:
    """All findings of an inspection as recorded (amendments not applied)."""
    return [
        finding_of_row(r)
        for r in db.query(
            "SELECT * FROM findings WHERE inspection_id = ? ORDER BY created_at", [inspection_id]
        )
    ]


def finding_item_codes(db: Database, inspection_id: str) -> dict[str, str]:
    """Finding id → its checklist item's code, for an inspection's findings."""
    return {
        r["id"]: r["code"]
        for r in db.query(
            """SELECT f.id, it.code FROM findings f JOIN items it ON it.id = f.item_id
               WHERE f.inspection_id = ?""",
            [inspection_id],
        )
    }
