"""Seals of signed inspections (签字封存): the SHA-256 of an inspection's facts.

When an inspection is signed its facts are hashed and stored in ``inspection_seals``
(append-only, audited). ``db check`` hashes the facts again: a signed finding edited
with the lock triggers dropped no longer matches its seal. The facts are canonical
JSON of ids, codes, results, numbers and UTC times, never translated text, so the
hash depends on what was recorded only. This function is the seal's definition: a
change to it would break every seal, so it does not change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from pqm_tui.model.clock import utc_iso as utc


def inspection_facts(db: Database, inspection_id: str) -> dict[str, Any]:
    """The facts a signature covers: the inspection, its inspectors, findings and notes."""
    rows = list(db.query("SELECT * FROM inspections WHERE id = ?", [inspection_id]))
    if not rows:
        return {}
    inspection = rows[0]
    inspectors = [
        {"person": r["person_id"], "position": r["position"], "signed_at": utc(r["signed_at"])}
        for r in db.query(
            """SELECT person_id, position, signed_at FROM inspection_inspectors
               WHERE inspection_id = ? ORDER BY position, person_id""",
            [inspection_id],
        )
    ]
    findings = [
        {
            "id": r["id"],
            "area": r["area_id"],
            "item": r["item_id"],
            "item_code": r["item_code"],
            "result": r["result"],
            "occurrences": r["occurrences"],
            "deduction": r["deduction"],
            "note": r["note"],
            "severity": r["severity"],
            "department": r["department"],
            "responsible_person": r["responsible_person"],
            "location": r["location"],
        }
        for r in db.query(
            """SELECT f.*, i.code AS item_code FROM findings f
               LEFT JOIN items i ON i.id = f.item_id
               WHERE f.inspection_id = ? ORDER BY f.id""",
            [inspection_id],
        )
    ]
    notes = [
        {
            "id": r["id"],
            "area": r["area_id"],
            "kind": r["kind"],
            "text": r["text"],
            "at": utc(r["created_at"]),
        }
        for r in db.query(
            "SELECT * FROM supervision_notes WHERE inspection_id = ? ORDER BY id", [inspection_id]
        )
    ]
    return {
        "inspection": inspection["id"],
        "project": inspection["project_id"],
        "kind": inspection["kind"],
        "checklist_version": inspection["checklist_version_id"],
        "status": inspection["status"],
        "started_at": utc(inspection["started_at"]),
        "finished_at": utc(inspection["finished_at"]),
        "signed_at": utc(inspection["signed_at"]),
        "receiver": [inspection["receiver_name"], inspection["receiver_role"]],
        "inspectors": inspectors,
        "findings": findings,
        "notes": notes,
    }


def facts_sha256(db: Database, inspection_id: str) -> str:
    """SHA-256 of the inspection's facts as canonical JSON (sorted keys, UTF-8)."""
    facts = inspection_facts(db, inspection_id)
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal_inspection(db: Database, inspection_id: str, now: str) -> None:
    """Store the hash of a just-signed inspection's facts (inside the signing transaction).

    A database not yet at m010 has no seals table: m010 seals the inspection when it runs.
    """
    if "inspection_seals" not in db.table_names():
        return
    db.execute(
        "INSERT INTO inspection_seals (inspection_id, facts_sha256, sealed_at) VALUES (?, ?, ?)",
        [inspection_id, facts_sha256(db, inspection_id), now],
    )


def seal_signed_inspections(db: Database) -> int:
    """Seal every signed inspection that has no seal yet (m010); return how many."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    unsealed = [
        str(r["id"])
        for r in db.query(
            """SELECT id FROM inspections WHERE status = 'signed'
               AND id NOT IN (SELECT inspection_id FROM inspection_seals) ORDER BY signed_at, id"""
        )
    ]
    for inspection_id in unsealed:
        seal_inspection(db, inspection_id, now)
    return len(unsealed)


@dataclass(frozen=True)
class SealProblem:
    """A signed inspection whose facts no longer match its seal, or that has none."""

    inspection_id: str
    project: str
    started_at: str
    problem: str  # "altered" | "unsealed" | "unsigned" (sealed, but no longer signed)


def check_seals(db: Database) -> list[SealProblem]:
    """Hash every sealed or signed inspection's facts again and compare with its seal."""
    rows = db.query(
        """SELECT i.id, i.status, i.started_at, p.name AS project, s.facts_sha256
           FROM inspections i LEFT JOIN projects p ON p.id = i.project_id
           LEFT JOIN inspection_seals s ON s.inspection_id = i.id
           WHERE i.status = 'signed' OR s.inspection_id IS NOT NULL
           ORDER BY i.started_at, i.id"""
    )
    problems = []
    for r in list(rows):
        problem = ""
        if r["facts_sha256"] is None:
            problem = "unsealed"
        elif r["status"] != "signed":
            problem = "unsigned"
        elif facts_sha256(db, r["id"]) != r["facts_sha256"]:
            problem = "altered"
        if problem:
            problems.append(SealProblem(r["id"], r["project"] or "", r["started_at"], problem))
    sealed = {r["id"] for r in db.query("SELECT id FROM inspections")}
    for r in db.query("SELECT inspection_id FROM inspection_seals"):
        if r["inspection_id"] not in sealed:  # the inspection itself was deleted
            problems.append(SealProblem(r["inspection_id"], "", "", "unsigned"))
    return problems
