"""Locks that hold (issue 14, item 6): every bypass of the signed-inspection locks is refused.

The attacker has the ``sqlite3`` shell: foreign keys off, any SQL, the audit function
defined. Each case is a write that changed a signed inspection (its findings, score,
inspectors, notes, photos, amendments, checklist version or area names) before
migration m009; it must now fail with a PQM-LOCKED refusal and leave every row as it was.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import check_integrity, connect, register_functions
from pqm_tui.model.errors import LockedError
from pqm_tui.reports.context import canonical
from pqm_tui.reports.document_service import DocumentService, check_code
from tests.messages import raises_saying
from tests.people import issuer

PROTECTED = (
    "inspections",
    "findings",
    "inspection_inspectors",
    "supervision_notes",
    "photos",
    "amendments",
    "audit_log",
    "checklist_versions",
    "sections",
    "items",
    "areas",
    "report_codes",
)

# (name, statements): each one ran and changed a signed inspection before m009.
BYPASSES: list[tuple[str, list[str]]] = [
    (
        "finding replaced into a draft inspection (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO findings SELECT id, :draft, item_id, area_id, 'pass', 0, 0,
               note, severity, department, responsible_person, location, created_at, updated_at
               FROM findings WHERE id = :finding"""
        ],
    ),
    (
        "finding replaced by rowid (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO findings (rowid, id, inspection_id, item_id, area_id,
               result, created_at, updated_at)
               SELECT rowid, 'new-id', :draft, item_id, area_id, 'pass', created_at, updated_at
               FROM findings WHERE id = :finding"""
        ],
    ),
    (
        "draft finding renamed onto a signed one (UPDATE OR REPLACE)",
        ["UPDATE OR REPLACE findings SET id = :finding WHERE id = :draft_finding"],
    ),
    (
        "draft finding moved into the signed inspection",
        [
            """UPDATE findings SET inspection_id = :signed, area_id = 'moved'
               WHERE id = :draft_finding"""
        ],
    ),
    (
        "score: item's points replaced (INSERT OR REPLACE on items)",
        [
            """INSERT OR REPLACE INTO items SELECT id, section_id, version_id, code, standard,
               method, points * 10, per_occurrence * 10, severity, photo_required, position,
               area_types FROM items WHERE id = :item"""
        ],
    ),
    (
        "score: item added to the frozen version",
        [
            """INSERT INTO items SELECT 'extra', section_id, version_id, code || '-x', standard,
               method, points, per_occurrence, severity, photo_required, position, area_types
               FROM items WHERE id = :item"""
        ],
    ),
    (
        "checklist version un-frozen, then its item changed",
        [
            "UPDATE checklist_versions SET frozen = 0 WHERE id = :version",
            "UPDATE items SET points = points * 10 WHERE id = :item",
        ],
    ),
    ("checklist version deleted", ["DELETE FROM checklist_versions WHERE id = :version"]),
    (
        "section of the frozen version replaced (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO sections SELECT s.id, s.version_id, s.code, 'renamed',
               s.department, s.area_types, s.position FROM sections s
               JOIN items i ON i.section_id = s.id WHERE i.id = :item"""
        ],
    ),
    (
        "draft inspection renamed onto the signed one (UPDATE OR REPLACE)",
        ["UPDATE OR REPLACE inspections SET id = :signed WHERE id = :draft"],
    ),
    (
        "checklist version replaced (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO checklist_versions SELECT id, checklist_id, version,
               created_at, content_sha256, 0, source_yaml FROM checklist_versions
               WHERE id = :version"""
        ],
    ),
    (
        "inspector added",
        [
            """INSERT INTO inspection_inspectors (inspection_id, person_id, position)
               SELECT :signed, id, 9 FROM people WHERE id != :inspector LIMIT 1"""
        ],
    ),
    (
        "inspector swapped",
        [
            """UPDATE inspection_inspectors SET person_id = (SELECT id FROM people
               WHERE id != :inspector LIMIT 1) WHERE inspection_id = :signed"""
        ],
    ),
    (
        "inspector removed",
        ["DELETE FROM inspection_inspectors WHERE inspection_id = :signed"],
    ),
    (
        "supervision note added",
        [
            """INSERT INTO supervision_notes (id, inspection_id, kind, text, created_at)
               VALUES ('n-new', :signed, 'incident', 'added later', '2026-01-01')"""
        ],
    ),
    ("supervision note edited", ["UPDATE supervision_notes SET text = 'x' WHERE id = :note"]),
    ("supervision note deleted", ["DELETE FROM supervision_notes WHERE id = :note"]),
    (
        "amendment replaced (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO amendments SELECT id, inspection_id, finding_id, at, actor,
               'rewritten', field, old_value, new_value FROM amendments WHERE id = :amendment"""
        ],
    ),
    (
        "audit row replaced (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO audit_log (seq, at, actor, table_name, row_id, action)
               VALUES (1, '2000-01-01', 'nobody', 'x', 'x', 'x')"""
        ],
    ),
    (
        "photo added to a signed finding",
        [
            """INSERT INTO photos VALUES ('p-new', :finding, 'abc', 'a.jpg', 'a.jpg',
               '2026-01-01')"""
        ],
    ),
    ("photo of a signed finding edited", ["UPDATE photos SET sha256 = 'forged' WHERE id = :photo"]),
    ("area renamed", ["UPDATE areas SET name = 'renamed' WHERE id = :area"]),
    (
        "area replaced (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO areas SELECT id, project_id, 'renamed', area_type, position,
               archived_at FROM areas WHERE id = :area"""
        ],
    ),
    ("area deleted", ["DELETE FROM areas WHERE id = :area"]),
    (
        "signed inspection replaced by a draft (INSERT OR REPLACE)",
        [
            """INSERT OR REPLACE INTO inspections (id, project_id, kind, checklist_version_id,
               started_at, status) SELECT id, project_id, kind, checklist_version_id,
               started_at, 'draft' FROM inspections WHERE id = :signed"""
        ],
    ),
]


def attacker(path: Path) -> sqlite3.Connection:
    """The sqlite3 shell of someone who knows the schema: foreign keys off, autocommit."""
    conn = sqlite3.connect(path, isolation_level=None)
    register_functions(conn, "attacker")  # PQM's SQL functions: the audit triggers need them
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def one(conn: sqlite3.Connection, sql: str, *params: str) -> str:
    row = conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return str(row[0])


@pytest.fixture
def targets(demo_db_path: Path) -> dict[str, str]:
    """Ids of a signed inspection's rows, a draft finding and a photo on a signed finding."""
    conn = attacker(demo_db_path)
    signed = one(
        conn,
        """SELECT i.id FROM inspections i WHERE status = 'signed'
           AND EXISTS (SELECT 1 FROM supervision_notes n WHERE n.inspection_id = i.id)
           AND EXISTS (SELECT 1 FROM findings f WHERE f.inspection_id = i.id
                       AND f.result = 'fail')
           ORDER BY (SELECT count(*) FROM amendments a WHERE a.inspection_id = i.id) DESC""",
    )
    draft = one(conn, "SELECT id FROM inspections WHERE status = 'draft'")
    finding = one(
        conn, "SELECT id FROM findings WHERE inspection_id = ? AND result = 'fail'", signed
    )
    draft_finding = one(conn, "SELECT id FROM findings WHERE inspection_id = ?", draft)
    # a photo on a finding, then its inspection signed (allowed: it was a draft)
    photo_inspection = one(conn, "SELECT id FROM inspections WHERE status = 'completed'")
    photo_finding = one(
        conn, "SELECT id FROM findings WHERE inspection_id = ? LIMIT 1", photo_inspection
    )
    conn.execute(
        "INSERT INTO photos VALUES ('p-1', ?, 'abc', 'a.jpg', 'a.jpg', '2026-01-01')",
        [photo_finding],
    )
    conn.execute("UPDATE inspections SET status = 'signed' WHERE id = ?", [photo_inspection])
    conn.execute(
        """INSERT INTO report_codes (code, document, subject, content_sha256, created_at,
        created_by) VALUES ('C-1', 'notice', ?, 'h', '2026', 't')""",
        [signed],
    )
    ids = {
        "signed": signed,
        "draft": draft,
        "finding": finding,
        "draft_finding": draft_finding,
        "photo": "p-1",
        "item": one(conn, "SELECT item_id FROM findings WHERE id = ?", finding),
        "area": one(conn, "SELECT area_id FROM findings WHERE id = ?", finding),
        "version": one(conn, "SELECT checklist_version_id FROM inspections WHERE id = ?", signed),
        "inspector": one(
            conn, "SELECT person_id FROM inspection_inspectors WHERE inspection_id = ?", signed
        ),
        "note": one(conn, "SELECT id FROM supervision_notes WHERE inspection_id = ?", signed),
        "amendment": one(conn, "SELECT id FROM amendments LIMIT 1"),
    }
    conn.close()
    return ids


def dump(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in PROTECTED}


@pytest.mark.parametrize(("name", "statements"), BYPASSES, ids=[b[0] for b in BYPASSES])
def test_bypass_is_refused_and_changes_nothing(
    demo_db_path: Path, targets: dict[str, str], name: str, statements: list[str]
) -> None:
    conn = attacker(demo_db_path)
    before = dump(conn)
    conn.execute("BEGIN")
    with pytest.raises(sqlite3.IntegrityError, match="PQM-LOCKED"):
        for sql in statements:
            names = set(re.findall(r":(\w+)", sql))
            conn.execute(sql, {k: targets[k] for k in names})
    conn.execute("ROLLBACK")
    assert dump(conn) == before


def test_recorded_once_rows_are_kept_when_replaced(
    demo_db_path: Path, targets: dict[str, str]
) -> None:
    """Verification codes and carry-overs: a colliding insert is skipped (INSERT OR IGNORE)."""
    conn = attacker(demo_db_path)
    conn.execute("""INSERT INTO report_codes (code, document, subject, content_sha256, created_at,
        created_by) VALUES ('C-2', 'report', 's', 'h2', '2026', 't')""")
    before = dump(conn)
    conn.execute(
        """INSERT OR REPLACE INTO report_codes SELECT code, document, subject, 'forged',
           created_at, created_by, scheme, tz FROM report_codes LIMIT 1"""
    )
    with pytest.raises(sqlite3.IntegrityError, match="PQM-LOCKED"):
        conn.execute("UPDATE OR REPLACE report_codes SET code = 'C-1' WHERE code = 'C-2'")
    assert dump(conn) == before


def test_ordinary_work_still_passes_the_locks(
    demo_db_path: Path, targets: dict[str, str], clock: Clock
) -> None:
    """Drafts change freely; an unused area renames; a used one says why it cannot."""
    conn = attacker(demo_db_path)
    conn.execute("UPDATE findings SET note = 'ok' WHERE id = ?", [targets["draft_finding"]])
    conn.execute(
        """INSERT OR REPLACE INTO findings SELECT * FROM findings WHERE id = ?""",
        [targets["draft_finding"]],
    )
    conn.close()
    db = connect(demo_db_path)
    area = organisation.get_area(db, targets["area"])
    with raises_saying(LockedError, "area appears in signed inspections"):
        organisation.edit_area(db, area.id, name="改名")
    fresh = organisation.add_area(db, area.project_id, "新区域", "gate", 99)
    assert organisation.edit_area(db, fresh.id, name="新区域二").name == "新区域二"


def test_notice_code_covers_its_items_results(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    """A finding flipped from fail to pass (locks dropped) voids its notice's code."""
    db = connect(demo_db_path)
    inspection_id = db.execute(
        """SELECT i.id FROM inspections i JOIN notices n ON n.inspection_id = i.id
           WHERE i.status = 'signed' LIMIT 1"""
    ).fetchone()[0]
    issued = DocumentService(db, demo_db_path, settings, clock, issuer(db)).notice(
        inspection_id, tmp_path / "notice.pdf"
    )
    assert check_code(db, demo_db_path, settings, clock, issued.code)[1]
    draft = DocumentService(db, demo_db_path, settings, clock, issuer(db)).build(
        "notice", inspection_id
    )
    # a failed row is hashed as before m009 (codes issued still verify); a row whose finding
    # was voided or amended since carries its result
    rows = canonical(draft.context)["rows"]
    assert any("result" not in row for row in rows)
    assert all(row.get("result", "fail") != "fail" or "result" not in row for row in rows)
    db.close()
    conn = attacker(demo_db_path)
    conn.execute("DROP TRIGGER findings_locked_update")
    conn.execute("DROP TRIGGER findings_locked_move")
    finding_id = one(
        conn,
        """SELECT f.id FROM rectification_items r JOIN findings f ON f.id = r.finding_id
           JOIN notices n ON n.id = r.notice_id WHERE n.inspection_id = ?""",
        inspection_id,
    )
    conn.execute("UPDATE findings SET result = 'pass' WHERE id = ?", [finding_id])
    conn.close()
    db = connect(demo_db_path)
    assert not check_code(db, demo_db_path, settings, clock, issued.code)[1]
    report = check_integrity(db)
    assert (report.missing_triggers, report.changed_triggers) == (
        ("findings_locked_move", "findings_locked_update"),
        (),
    )
    assert not report.ok


def test_db_check_reports_a_dropped_or_changed_lock(demo_db_path: Path) -> None:
    from pqm_tui.cli import main

    assert main(["--db", str(demo_db_path), "db", "check"]) == 0
    conn = attacker(demo_db_path)
    conn.execute("DROP TRIGGER items_replace_locked_insert")
    conn.execute("DROP TRIGGER amendments_append_only_delete")
    conn.execute(
        """CREATE TRIGGER amendments_append_only_delete BEFORE DELETE ON amendments
           BEGIN SELECT 1; END"""
    )
    conn.close()
    assert main(["--db", str(demo_db_path), "db", "check"]) == 1
