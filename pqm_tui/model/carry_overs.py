"""Carry-over deductions (下月考核扣分) a failed re-inspection adds to next month's assessment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.ids import new_id
from pqm_tui.model.rows import points


@dataclass(frozen=True)
class CarryOver:
    """A deduction carried into the project's next monthly assessment (下月考核扣分)."""

    id: str
    rectification_item_id: str
    reinspection_id: str
    project_id: str
    assessment_month: str
    points: Any
    created_at: str
    voided_at: str | None
    voided_reason: str | None


def record_carry_over(
    db: Database,
    clock: Clock,
    *,
    item_id: str,
    reinspection_id: str,
    project_id: str,
    assessment_month: str,
    amount: Any,
) -> bool:
    """Record the carry-over deduction once; False when it was already there."""
    cursor = db.execute(
        """INSERT OR IGNORE INTO carry_over_deductions
             (id, rectification_item_id, reinspection_id, project_id, assessment_month,
              points, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            new_id(),
            item_id,
            reinspection_id,
            project_id,
            assessment_month,
            float(amount),
            clock.now_iso(),
        ],
    )
    return bool(cursor.rowcount)


def _carry_over(row: dict[str, Any]) -> CarryOver:
    return CarryOver(**{**row, "points": points(row["points"])})


def carry_overs(
    db: Database,
    *,
    item_id: str | None = None,
    project_id: str | None = None,
    month: str | None = None,
    include_voided: bool = False,
) -> list[CarryOver]:
    """Carry-over deductions, filtered; voided ones only when asked."""
    where, params = [], []
    for column, value in (
        ("rectification_item_id", item_id),
        ("project_id", project_id),
        ("assessment_month", month),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if not include_voided:
        where.append("voided_at IS NULL")
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    return [
        _carry_over(r)
        for r in db.query(
            f"SELECT * FROM carry_over_deductions {clause} ORDER BY created_at", params
        )
    ]


def void_carry_overs(db: Database, clock: Clock, item_id: str, reason: str) -> int:
    """Void the item's carry-over deductions (an upheld appeal); returns how many."""
    cursor = db.execute(
        """UPDATE carry_over_deductions SET voided_at = ?, voided_reason = ?
           WHERE rectification_item_id = ? AND voided_at IS NULL""",
        [clock.now_iso(), reason, item_id],
    )
    return cursor.rowcount


def item_labels(db: Database, item_ids: list[str]) -> dict[str, str]:
    """Rectification item id → its checklist item's code and standard (for the 考核表)."""
    if not item_ids:
        return {}
    return {
        r["id"]: f"{r['code']} {r['standard']}"
        for r in db.query(
            f"""SELECT r.id, it.code, it.standard FROM rectification_items r
                JOIN findings f ON f.id = r.finding_id JOIN items it ON it.id = f.item_id
                WHERE r.id IN ({", ".join("?" for _ in item_ids)})""",
            item_ids,
        )
    }
