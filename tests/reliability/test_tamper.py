"""Tamper evidence (issue 11, item 6): ``pqm db check`` names what was altered by hand.

A local file can be edited by whoever holds it; PQM cannot prevent that, it detects it:
the audit trail is a hash chain, every signed inspection is sealed with the hash of its
facts, and the lock triggers are compared with PQM's own.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.cli import main
from pqm_tui.model.db import check_integrity, connect, register_functions
from pqm_tui.model.inspection_seals import facts_sha256
from pqm_tui.model.schema import migrate


def db_check(capsys: pytest.CaptureFixture[str], path: Path, lang: str = "zh") -> tuple[int, str]:
    code = main(["--db", str(path), "--lang", lang, "db", "check"])
    return code, capsys.readouterr().out


def attacker(path: Path) -> sqlite3.Connection:
    """Someone with the file, the sqlite3 shell and PQM's SQL functions."""
    conn = sqlite3.connect(path, isolation_level=None)
    register_functions(conn, "attacker")
    return conn


def triggers(conn: sqlite3.Connection, *names: str) -> dict[str, str]:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {str(n): str(s) for n, s in rows if n in names}


def around(conn: sqlite3.Connection, names: tuple[str, ...], *statements: str) -> None:
    """Drop the triggers, run the statements, re-create the triggers exactly as they were."""
    saved = triggers(conn, *names)
    for name in saved:
        conn.execute(f"DROP TRIGGER {name}")
    for sql in statements:
        conn.execute(sql)
    for sql in saved.values():
        conn.execute(sql)


def test_a_clean_demo_passes(demo_db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = db_check(capsys, demo_db_path)
    assert code == 0
    assert "哈希链完整" in out and "与签字时封存的内容一致" in out and "数据库正常" in out
    code, out = db_check(capsys, demo_db_path, "en")
    assert code == 0 and "hash chain intact" in out


def test_a_dropped_trigger_is_named(demo_db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    attacker(demo_db_path).execute("DROP TRIGGER findings_locked_update")
    code, out = db_check(capsys, demo_db_path)
    assert code == 1 and "findings_locked_update" in out and "缺少锁定或审计触发器" in out


def test_a_signed_finding_edited_with_raw_sql_is_named(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = attacker(demo_db_path)
    signed, finding = conn.execute(
        """SELECT i.id, f.id FROM inspections i JOIN findings f ON f.inspection_id = i.id
           WHERE i.status = 'signed' AND f.result = 'fail' LIMIT 1"""
    ).fetchone()
    locks = ("findings_locked_update", "findings_locked_move")
    around(
        conn,
        locks,
        f"""UPDATE findings SET result = 'pass', occurrences = 0, deduction = 0
            WHERE id = '{finding}'""",
    )
    report = check_integrity(connect(demo_db_path))
    assert report.missing_triggers == report.changed_triggers == ()  # the locks are back
    assert report.chain is not None and report.chain.ok  # the edit went through the triggers
    assert [(s.inspection_id, s.problem) for s in report.seals] == [(signed, "altered")]
    code, out = db_check(capsys, demo_db_path)
    assert code == 1 and signed in out and "签字后被改动" in out
    code, out = db_check(capsys, demo_db_path, "en")
    assert code == 1 and f"Signed inspection {signed}" in out and "altered after signing" in out


def test_an_inspection_marked_signed_by_hand_has_no_seal(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = attacker(demo_db_path)
    draft = conn.execute("SELECT id FROM inspections WHERE status = 'completed'").fetchone()[0]
    conn.execute("UPDATE inspections SET status = 'signed' WHERE id = ?", [draft])
    code, out = db_check(capsys, demo_db_path)
    assert code == 1 and draft in out and "没有签字封存" in out


def test_an_edited_audit_row_is_named(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = attacker(demo_db_path)
    seq, table, row = conn.execute(
        "SELECT seq, table_name, row_id FROM audit_log WHERE table_name = 'findings' LIMIT 1"
    ).fetchone()
    around(
        conn,
        ("audit_log_append_only_update",),
        f"UPDATE audit_log SET actor = 'someone else' WHERE seq = {seq}",
    )
    code, out = db_check(capsys, demo_db_path)
    assert code == 1 and f"#{seq} {table}/{row}" in out and "审计记录被手工修改" in out
    # recomputing the edited row's own hash moves the break to the next row, still shown
    around(
        conn,
        ("audit_log_append_only_update",),
        f"""UPDATE audit_log SET hash = pqm_sha256(
              (SELECT hash FROM audit_log WHERE seq < {seq} ORDER BY seq DESC LIMIT 1)
              || json_array(at, actor, table_name, row_id, action, old, new)) WHERE seq = {seq}""",
    )
    code, out = db_check(capsys, demo_db_path, "en")
    assert code == 1 and f"#{seq + 1} " in out and "edited by hand" in out


def test_a_deleted_audit_row_is_named(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = attacker(demo_db_path)
    (last,) = conn.execute("SELECT max(seq) FROM audit_log").fetchone()
    around(
        conn,
        ("audit_log_append_only_delete",),
        "DELETE FROM audit_log WHERE seq = 100",
        f"DELETE FROM audit_log WHERE seq = {last}",  # the last one: no next row to break
    )
    code, out = db_check(capsys, demo_db_path)
    assert code == 1 and "审计记录被删除：第 100–100 条" in out
    assert f"第 {last}–{last} 条" in out
    code, out = db_check(capsys, demo_db_path, "en")
    assert "Audit rows deleted: no. 100–100" in out


def test_the_plain_sqlite3_shell_cannot_write_an_audited_table(demo_db_path: Path) -> None:
    """Without PQM's ``pqm_sha256`` the audit triggers fail: nothing is written unlogged."""
    conn = sqlite3.connect(demo_db_path, isolation_level=None)
    conn.create_function("pqm_actor", 0, lambda: "shell")
    with pytest.raises(sqlite3.OperationalError, match="pqm_sha256"):
        conn.execute("UPDATE projects SET address = 'x'")


def test_m010_chains_existing_rows_and_seals_signed_inspections(tmp_path: Path) -> None:
    """A database of schema 9 with audit rows and a signed inspection migrates clean."""
    path = tmp_path / "m009.sqlite3"
    conn = sqlite3.connect(path)
    conn.create_function("pqm_actor", 0, lambda: "before")
    old = Database(conn)
    migrate(old, stop_before="m010_tamper_evidence")
    for sql in (
        "INSERT INTO companies VALUES ('c', 'C')",
        "INSERT INTO city_companies (id, company_id, name) VALUES ('cc', 'c', 'CC')",
        "INSERT INTO projects (id, city_company_id, name, kind) VALUES ('p', 'cc', 'P', 'res')",
        "INSERT INTO areas (id, project_id, name, area_type) VALUES ('a', 'p', 'A', 'gate')",
        "INSERT INTO people (id, name, role) VALUES ('w', '王', '品质督导')",
        "INSERT INTO checklists (id, name) VALUES ('k', 'K')",
        """INSERT INTO checklist_versions VALUES ('v', 'k', 1, '2026-01-01T00:00:00+08:00',
           'h', 0, '')""",
        """INSERT INTO sections (id, version_id, code, name, position)
           VALUES ('s', 'v', 'S', 'S', 0)""",
        """INSERT INTO items (id, section_id, version_id, code, standard, points, per_occurrence,
           position) VALUES ('i', 's', 'v', 'S1', 'std', 2, 1, 0)""",
        """INSERT INTO inspections (id, project_id, kind, checklist_version_id, started_at)
           VALUES ('x', 'p', 'monthly', 'v', '2026-01-02T09:00:00+08:00')""",
        "INSERT INTO inspection_inspectors VALUES ('x', 'w', 0, NULL)",
        """INSERT INTO findings (id, inspection_id, item_id, area_id, result, occurrences,
           deduction, created_at, updated_at) VALUES ('f', 'x', 'i', 'a', 'fail', 1, 1,
           '2026-01-02T09:10:00+08:00', '2026-01-02T09:10:00+08:00')""",
        """UPDATE inspections SET status = 'signed', signed_at = '2026-01-02T10:00:00+08:00'
           WHERE id = 'x'""",
    ):
        old.execute(sql)
    rows_before = old.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    old.conn.commit()
    old.close()

    db = connect(path)
    report = check_integrity(db)
    assert report.ok, report
    assert report.chain is not None and report.chain.rows > rows_before  # + the seal's row
    (sealed,) = db.execute("SELECT facts_sha256 FROM inspection_seals WHERE inspection_id = 'x'")
    assert sealed == (facts_sha256(db, "x"),)
    assert db.execute("SELECT count(*) FROM audit_log WHERE hash IS NULL").fetchone() == (0,)
