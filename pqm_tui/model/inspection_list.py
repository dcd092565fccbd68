"""The list of recent inspections (最近检查), read on a plain ``sqlite3`` connection.

``pqm inspection list`` answers from here without loading sqlite-utils or pydantic
when the database is already at this program's schema version
(``plain_connection.open_current``); otherwise it opens the database the usual way
(``db.connect``: migrated, or refused when newer).
``inspections.list_inspections`` builds its entities from the same query.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from pqm_tui.model.enums import InspectionKind, InspectionStatus

NAME_SEPARATOR = "\x1f"  # char(31): joins inspector names in SQL, never in a name
# SQL: the inspection ``{ref}`` was not abandoned (作废): it counts and is listed.
NOT_ABANDONED = "NOT EXISTS (SELECT 1 FROM inspection_abandonments a WHERE a.inspection_id = {ref})"


@dataclass(frozen=True)
class RecentInspection:
    """One row of the list: the inspection's own fields, names resolved, counts."""

    id: str
    project_name: str
    kind: InspectionKind
    status: InspectionStatus
    started_at: str
    signed_at: str | None
    checklist_name: str
    checklist_version: int
    inspector_names: list[str]
    answered: int
    failed: int


def recent_query(
    project_id: str | None = None, status: str | None = None, limit: int = 50
) -> tuple[str, list[Any]]:
    """The SELECT of recent inspections, newest first, abandoned ones left out."""
    where, params = [NOT_ABANDONED.format(ref="i.id")], list[Any]()
    if project_id:
        where.append("i.project_id = ?")
        params.append(project_id)
    if status:
        where.append("i.status = ?")
        params.append(status)
    sql = f"""SELECT i.*, p.name AS project_name, c.name AS checklist_name,
                   v.version AS checklist_version,
                   (SELECT count(*) FROM findings f WHERE f.inspection_id = i.id) AS answered,
                   (SELECT count(*) FROM findings f WHERE f.inspection_id = i.id
                      AND f.result = 'fail') AS failed,
                   (SELECT group_concat(name, char(31)) FROM (
                      SELECT pe.name FROM inspection_inspectors ii
                      JOIN people pe ON pe.id = ii.person_id
                      WHERE ii.inspection_id = i.id ORDER BY ii.position)) AS inspector_names,
                   (SELECT json_group_array(person_id) FROM (
                      SELECT person_id FROM inspection_inspectors
                      WHERE inspection_id = i.id ORDER BY position)) AS inspector_ids
               FROM inspections i
               JOIN projects p ON p.id = i.project_id
               JOIN checklist_versions v ON v.id = i.checklist_version_id
               JOIN checklists c ON c.id = v.checklist_id
               WHERE {" AND ".join(where)}
               ORDER BY i.started_at DESC LIMIT ?"""
    return sql, [*params, limit]


def recent_rows(
    conn: sqlite3.Connection,
    project_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The rows of ``recent_query`` as dicts; ``inspector_ids`` a list, names split."""
    sql, params = recent_query(project_id, status, limit)
    cursor = conn.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        row["inspector_ids"] = json.loads(row["inspector_ids"])
        names = row["inspector_names"]
        row["inspector_names"] = names.split(NAME_SEPARATOR) if names else []
        rows.append(row)
    return rows


def recent_inspections(
    conn: sqlite3.Connection, project_id: str | None = None, limit: int = 50
) -> list[RecentInspection]:
    """Recent inspections first (``pqm inspection list``, the home screen's list)."""
    return [
        RecentInspection(
            id=r["id"],
            project_name=r["project_name"],
            kind=InspectionKind(r["kind"]),
            status=InspectionStatus(r["status"]),
            started_at=r["started_at"],
            signed_at=r["signed_at"],
            checklist_name=r["checklist_name"],
            checklist_version=r["checklist_version"],
            inspector_names=r["inspector_names"],
            answered=r["answered"],
            failed=r["failed"],
        )
        for r in recent_rows(conn, project_id, None, limit)
    ]
