"""Monthly assessments (品质检查考核表) per project and their revisions (考核修订).

A month's assessment of a project is a draft until published; a published one is
frozen by triggers (m015). A later change of a published month is a revision, append
only: who, when, why, old and new score, what changed. The figures (score, band) and
``detail`` (what was counted, the rules used) are JSON-ready data built by
``services.assessment``; this module only stores and reads them.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlite_utils import Database

from pqm_tui.model.clock import Clock
from pqm_tui.model.errors import RuleError, translate_locks
from pqm_tui.model.ids import new_id

DRAFT = "draft"  # 草稿: recomputed at will
PUBLISHED = "published"  # 已发布: frozen, changed only by revisions


@dataclass(frozen=True)
class Revision:
    """A recorded change of a published assessment (考核修订)."""

    id: str
    assessment_id: str
    at: str
    actor: str  # people.id of who recomputed it
    reason: str
    old_score: Decimal | None
    new_score: Decimal | None
    band: dict[str, Any]
    detail: dict[str, Any]
    changes: list[dict[str, Any]]


@dataclass(frozen=True)
class Assessment:
    """One project's assessment of one month (YYYY-MM), as stored."""

    id: str
    project_id: str
    month: str
    state: str
    score: Decimal | None  # None: no counted inspection (未考核), flagged in ``detail``
    band: dict[str, Any]  # {} when no score; else min_score, labels, pay_adjust_percent
    detail: dict[str, Any]
    computed_at: str
    computed_by: str
    published_at: str | None = None
    published_by: str | None = None
    revisions: tuple[Revision, ...] = field(default=())

    @property
    def published(self) -> bool:
        return self.state == PUBLISHED

    @property
    def current_score(self) -> Decimal | None:
        """The score now: the latest revision's, or the one computed."""
        return self.revisions[-1].new_score if self.revisions else self.score

    @property
    def current_band(self) -> dict[str, Any]:
        return self.revisions[-1].band if self.revisions else self.band

    @property
    def current_detail(self) -> dict[str, Any]:
        return self.revisions[-1].detail if self.revisions else self.detail


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _revision(row: dict[str, Any]) -> Revision:
    return Revision(
        id=row["id"],
        assessment_id=row["assessment_id"],
        at=row["at"],
        actor=row["actor"],
        reason=row["reason"],
        old_score=_decimal(row["old_score"]),
        new_score=_decimal(row["new_score"]),
        band=json.loads(row["band"]),
        detail=json.loads(row["detail"]),
        changes=json.loads(row["changes"]),
    )


def _assessment(row: dict[str, Any], revisions: list[Revision]) -> Assessment:
    return Assessment(
        id=row["id"],
        project_id=row["project_id"],
        month=row["month"],
        state=row["state"],
        score=_decimal(row["score"]),
        band=json.loads(row["band"]),
        detail=json.loads(row["detail"]),
        computed_at=row["computed_at"],
        computed_by=row["computed_by"],
        published_at=row["published_at"],
        published_by=row["published_by"],
        revisions=tuple(revisions),
    )


def assessments(
    db: Database, *, months: list[str] | None = None, project_id: str | None = None
) -> list[Assessment]:
    """Stored assessments (with their revisions, oldest first), by month then project."""
    where, params = [], []
    if months is not None:
        where.append(f"a.month IN ({', '.join('?' for _ in months)})")
        params += months
    if project_id is not None:
        where.append("a.project_id = ?")
        params.append(project_id)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    rows = list(db.query(f"SELECT a.* FROM assessments a {clause} ORDER BY month, rowid", params))
    revisions: dict[str, list[Revision]] = {}
    if rows:
        ids = [r["id"] for r in rows]
        for r in db.query(
            f"""SELECT * FROM assessment_revisions
                WHERE assessment_id IN ({", ".join("?" for _ in ids)}) ORDER BY at, rowid""",
            ids,
        ):
            revisions.setdefault(r["assessment_id"], []).append(_revision(r))
    return [_assessment(r, revisions.get(r["id"], [])) for r in rows]


class GridCell(NamedTuple):
    """What the projects × months grid shows of one assessment (its current figures); a
    named tuple: 6,000 of them are made for the grid, a frozen dataclass took 5× as long."""

    project_id: str
    month: str
    published: bool
    score: Decimal | None
    pay_adjust_percent: int | None  # None: no score
    revisions: int


def grid_cells(db: Database, months: list[str]) -> list[GridCell]:
    """The current score and pay band of every assessment of ``months`` (the grid of 500
    projects × 12 months): one plain query of the assessments, one of the few revised
    ones' latest revision (a correlated subquery per cell cost more than the rest)."""
    marks = ", ".join("?" for _ in months)
    latest = {
        r[0]: r
        for r in db.conn.execute(
            f"""SELECT assessment_id, new_score, json_extract(band, '$.pay_adjust_percent'), n
                FROM (SELECT r.assessment_id, r.new_score, r.band,
                             count(*) OVER (PARTITION BY r.assessment_id) AS n,
                             row_number() OVER (PARTITION BY r.assessment_id
                                                ORDER BY r.at DESC, r.rowid DESC) AS k
                      FROM assessment_revisions r JOIN assessments a ON a.id = r.assessment_id
                      WHERE a.month IN ({marks}))
                WHERE k = 1""",
            months,
        )
    }
    cells = []
    for id_, project_id, month, state, score, pay in db.conn.execute(
        f"""SELECT id, project_id, month, state, score,
                   json_extract(band, '$.pay_adjust_percent')
            FROM assessments WHERE month IN ({marks})""",
        months,
    ):
        revised = latest.get(id_)
        if revised is not None:
            score, pay = revised[1], revised[2]
        cells.append(
            GridCell(
                project_id,
                month,
                state == PUBLISHED,
                _decimal(score),
                None if pay is None else int(pay),
                int(revised[3]) if revised is not None else 0,
            )
        )
    return cells


def signed_inspections_near(db: Database, month: str, kinds: list[str]) -> list[dict[str, Any]]:
    """Signed inspections of ``kinds`` started within a day of ``month`` (YYYY-MM), any
    offset: id, project_id, kind, started_at. The caller keeps those of the local month."""
    year, mon = (int(p) for p in month.split("-"))
    low = date(year, mon, 1) - timedelta(days=1)
    high = date(year, mon, calendar.monthrange(year, mon)[1]) + timedelta(days=2)
    return list(
        db.query(
            f"""SELECT id, project_id, kind, started_at FROM inspections
                WHERE status = 'signed' AND kind IN ({", ".join("?" for _ in kinds)})
                  AND started_at >= ? AND started_at < ?
                ORDER BY started_at, id""",
            [*kinds, low.isoformat(), high.isoformat()],
        )
    )


# The findings of inspections as amended (amendments.effective_findings, in SQL): the
# latest amendment of each field wins; a voided finding counts as a pass without deduction.
CHECK_TOTALS = """
WITH chosen(id) AS (SELECT value FROM json_each(?)),
amended AS (
    SELECT a.finding_id, a.field, a.new_value,
           row_number() OVER (PARTITION BY a.finding_id, a.field
                              ORDER BY a.at DESC, a.rowid DESC) AS latest
    FROM amendments a WHERE a.inspection_id IN (SELECT id FROM chosen)
      AND a.finding_id IS NOT NULL AND a.field IN ('voided', 'result', 'deduction', 'severity')
),
effective AS (
    SELECT f.inspection_id, f.item_id,
           CASE WHEN v.new_value = '1' THEN 'pass' ELSE coalesce(r.new_value, f.result) END
               AS result,
           CASE WHEN v.new_value = '1' THEN 0
                ELSE coalesce(CAST(d.new_value AS REAL), f.deduction) END AS deduction,
           coalesce(s.new_value, f.severity) AS severity
    FROM findings f
    LEFT JOIN amended v ON v.finding_id = f.id AND v.field = 'voided' AND v.latest = 1
    LEFT JOIN amended r ON r.finding_id = f.id AND r.field = 'result' AND r.latest = 1
    LEFT JOIN amended d ON d.finding_id = f.id AND d.field = 'deduction' AND d.latest = 1
    LEFT JOIN amended s ON s.finding_id = f.id AND s.field = 'severity' AND s.latest = 1
    WHERE f.inspection_id IN (SELECT id FROM chosen)
),
per_item AS (
    SELECT e.inspection_id, e.item_id, it.points,
           max(e.result != 'na') AS applicable,
           max(e.result = 'fail') AS failed,
           coalesce(sum(CASE WHEN e.result = 'fail' THEN e.deduction END), 0) AS deducted,
           sum(e.result = 'fail' AND e.severity = 'red-line') AS red_lines
    FROM effective e JOIN items it ON it.id = e.item_id
    GROUP BY e.inspection_id, e.item_id
)
SELECT inspection_id,
       coalesce(sum(CASE WHEN applicable THEN points END), 0) AS applicable,
       coalesce(sum(CASE WHEN failed THEN min(deducted, points) END), 0) AS deducted,
       coalesce(sum(red_lines), 0) AS red_lines
FROM per_item GROUP BY inspection_id
"""


def check_totals(db: Database, inspection_ids: list[str]) -> list[dict[str, Any]]:
    """Per inspection, with amendments applied: the points of the items answered pass or
    fail somewhere (applicable; N/A-only items left out), the deductions (each item's
    summed over its areas, capped at its points) and the red-line failures. One query."""
    if not inspection_ids:
        return []
    return list(db.query(CHECK_TOTALS, [json.dumps(inspection_ids)]))


def find_assessment(db: Database, project_id: str, month: str) -> Assessment | None:
    """The project's assessment of ``month``, or None."""
    found = assessments(db, months=[month], project_id=project_id)
    return found[0] if found else None


def save_draft(
    db: Database,
    clock: Clock,
    *,
    project_id: str,
    month: str,
    score: Decimal | None,
    band: dict[str, Any],
    detail: dict[str, Any],
    actor: str,
) -> None:
    """Write the project's draft of ``month`` (new, or replacing the draft's figures)."""
    values = {
        "score": _text(score),
        "band": json.dumps(band, ensure_ascii=False, sort_keys=True),
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
        "computed_at": clock.now_iso(),
        "computed_by": actor,
    }
    with translate_locks(), db.atomic():
        cursor = db.execute(
            """UPDATE assessments SET score = :score, band = :band, detail = :detail,
                   computed_at = :computed_at, computed_by = :computed_by
               WHERE project_id = :project_id AND month = :month AND state = 'draft'""",
            {**values, "project_id": project_id, "month": month},
        )
        if cursor.rowcount:
            return
        if find_assessment(db, project_id, month) is not None:
            raise RuleError("assess.err.published", month=month)
        db.table("assessments").insert(
            {"id": new_id(), "project_id": project_id, "month": month, "state": DRAFT, **values}
        )


def publish(db: Database, clock: Clock, assessment_ids: list[str], actor: str) -> int:
    """Publish the given drafts (发布); returns how many were published."""
    published = 0
    with translate_locks(), db.atomic():
        for assessment_id in assessment_ids:
            cursor = db.execute(
                """UPDATE assessments SET state = 'published', published_at = ?, published_by = ?
                   WHERE id = ? AND state = 'draft'""",
                [clock.now_iso(), actor, assessment_id],
            )
            published += cursor.rowcount
    return published


def add_revision(
    db: Database,
    clock: Clock,
    assessment: Assessment,
    *,
    actor: str,
    reason: str,
    score: Decimal | None,
    band: dict[str, Any],
    detail: dict[str, Any],
    changes: list[dict[str, Any]],
) -> Revision:
    """Record a revision of a published assessment (append-only)."""
    revision = Revision(
        id=new_id(),
        assessment_id=assessment.id,
        at=clock.now_iso(),
        actor=actor,
        reason=reason,
        old_score=assessment.current_score,
        new_score=score,
        band=band,
        detail=detail,
        changes=changes,
    )
    with translate_locks(), db.atomic():
        db.table("assessment_revisions").insert(
            {
                "id": revision.id,
                "assessment_id": revision.assessment_id,
                "at": revision.at,
                "actor": actor,
                "reason": reason,
                "old_score": _text(revision.old_score),
                "new_score": _text(score),
                "band": json.dumps(band, ensure_ascii=False, sort_keys=True),
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
            }
        )
    return revision
