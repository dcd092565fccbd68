"""Findings of inspections as flat rows for export (检查结果导出): one row per finding.

Inspections of a period and scope (any status; signed ones with their findings as
amended), oldest first, read one inspection at a time so that a million findings need no
more memory than one inspection's. No internal ids: names, codes and times only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.amendments import effective_findings
from pqm_tui.model.failure_stats import Scope, period_where
from pqm_tui.model.inspection_list import NAME_SEPARATOR
from pqm_tui.model.rows import points


@dataclass(frozen=True)
class ExportRow:
    """One finding with its inspection's context, times in the scope's timezone."""

    project: str
    city: str
    area: str
    code: str
    standard: str
    result: str  # Result value
    occurrences: int
    deduction: Decimal
    severity: str  # Severity value
    note: str
    photos: int
    department: str  # the finding's, else its section's
    person: str
    inspectors: list[str]
    kind: str  # InspectionKind value
    started: datetime
    signed: datetime | None
    location: str = ""  # 位置 in the area (last column: the earlier ones keep their places)


def count_findings(db: Database, scope: Scope) -> int:
    """How many findings ``iter_rows`` will give (for a progress line)."""
    where, params = period_where(scope, signed_only=False)
    rows = db.query(
        f"""SELECT count(*) AS n FROM inspections i JOIN findings f ON f.inspection_id = i.id
            WHERE {where}""",
        params,
    )
    return int(next(iter(rows))["n"])


def iter_rows(db: Database, scope: Scope) -> Iterator[ExportRow]:
    """Each finding of the scope's inspections, by inspection start, area and item."""
    where, params = period_where(scope, signed_only=False)
    heads = list(
        db.query(
            f"""SELECT i.id, i.kind, i.started_at, i.signed_at, p.name AS project,
                       c.name AS city,
                       EXISTS (SELECT 1 FROM amendments a WHERE a.inspection_id = i.id)
                         AS amended,
                       (SELECT group_concat(name, char(31)) FROM (
                          SELECT pe.name FROM inspection_inspectors ii
                          JOIN people pe ON pe.id = ii.person_id
                          WHERE ii.inspection_id = i.id ORDER BY ii.position)) AS inspectors
                FROM inspections i
                JOIN projects p ON p.id = i.project_id
                JOIN city_companies c ON c.id = p.city_company_id
                WHERE {where}
                ORDER BY i.started_at, i.id""",
            params,
        )
    )
    for head in heads:
        amended = {f.id: f for f in effective_findings(db, head["id"])} if head["amended"] else {}
        started = datetime.fromisoformat(head["started_at"]).astimezone(scope.tz)
        signed = (
            datetime.fromisoformat(head["signed_at"]).astimezone(scope.tz)
            if head["signed_at"]
            else None
        )
        names = head["inspectors"].split(NAME_SEPARATOR) if head["inspectors"] else []
        for r in db.query(
            """SELECT f.*, a.name AS area, it.code, it.standard, s.department AS section_department,
                      (SELECT count(*) FROM photos ph WHERE ph.finding_id = f.id) AS photos
               FROM findings f
               JOIN areas a ON a.id = f.area_id
               JOIN items it ON it.id = f.item_id
               JOIN sections s ON s.id = it.section_id
               WHERE f.inspection_id = ?
               ORDER BY a.position, a.name, s.position, it.position""",
            [head["id"]],
        ):
            yield _row(r, amended.get(r["id"]), head, names, started, signed)


def _row(
    r: dict[str, Any],
    amended: Any,
    head: dict[str, Any],
    inspectors: list[str],
    started: datetime,
    signed: datetime | None,
) -> ExportRow:
    values = dict(r)
    if amended is not None:  # the finding as amended after signing
        values.update(amended.model_dump(mode="json"))
        values["deduction"] = amended.deduction
    return ExportRow(
        project=head["project"],
        city=head["city"],
        area=r["area"],
        code=r["code"],
        standard=r["standard"],
        result=values["result"],
        occurrences=int(values["occurrences"]),
        deduction=points(values["deduction"]),
        severity=values["severity"],
        note=values["note"],
        photos=int(r["photos"]),
        department=values["department"] or r["section_department"],
        person=values["responsible_person"],
        inspectors=inspectors,
        kind=head["kind"],
        started=started,
        signed=signed,
        location=values["location"],
    )
