"""Schema: creation, migration from the previous version, locks and audit."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.model import amendments, checklists, findings, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, register_functions, set_actor
from pqm_tui.model.entities import InspectionKind, InspectionStatus, ProjectKind, Result
from pqm_tui.model.errors import LockedError
from pqm_tui.model.schema import latest_version, migrate, migrations, schema_version
from tests.messages import raises_saying


def test_fresh_database_has_latest_schema_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = connect(tmp_path / "new.sqlite3")
    assert schema_version(db) == latest_version() >= 2
    assert db.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert {"findings", "rectification_items", "audit_log"} <= set(db.table_names())


def test_migration_from_previous_version_keeps_data(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    register_functions(conn, "test")  # pqm_actor and pqm_sha256, as PQM's connections have
    old = Database(conn)
    names = [m.name for m in migrations.pending(old)]
    migrate(old, stop_before=names[-1])
    assert schema_version(old) == len(names) - 1
    company = organisation.add_company(old, "旧公司")
    old.close()

    db = connect(path)
    assert schema_version(db) == latest_version()
    assert db["companies"].get(company.id)["name"] == "旧公司"


def _signed_inspection(db: Database, clock: Clock) -> str:
    version = checklists.install_builtins(db, clock)[0]
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "项目", ProjectKind.RESIDENTIAL)
    area = organisation.add_area(db, project.id, "大门", "gate", 0)
    inspector = organisation.add_person(db, "王丽华", "品质督导")
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.MONTHLY, version.id, [inspector.id]
    )
    item = checklists.load_version(db, version.id).items[0]
    inspections.record_finding(
        db,
        clock,
        inspection.id,
        item.id,
        area.id,
        Result.FAIL,
        occurrences=1,
        deduction=Decimal("0.5"),
        note="地面脏",
    )
    inspections.sign_inspection(
        db,
        clock,
        inspection.id,
        receiver_name="张经理",
        receiver_role="项目经理",
        issuing_department="品质部",
        deadline=clock.today(),
    )
    return inspection.id


def test_triggers_refuse_editing_findings_of_a_signed_inspection(
    tmp_path: Path, clock: Clock
) -> None:
    db = connect(tmp_path / "lock.sqlite3")
    inspection_id = _signed_inspection(db, clock)
    finding_id = db.execute("SELECT id FROM findings").fetchone()[0]
    for sql in (
        "UPDATE findings SET note = 'changed' WHERE id = ?",
        "DELETE FROM findings WHERE id = ?",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="PQM-LOCKED"):
            db.execute(sql, [finding_id])
    with pytest.raises(sqlite3.IntegrityError, match="signed inspection cannot change"):
        db.execute("UPDATE inspections SET status = 'draft' WHERE id = ?", [inspection_id])
    assert db.execute("SELECT note FROM findings").fetchone()[0] == "地面脏"
    assert inspections.get_inspection(db, inspection_id).status == InspectionStatus.SIGNED


def test_record_finding_on_signed_inspection_raises_locked(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "lock2.sqlite3")
    inspection_id = _signed_inspection(db, clock)
    finding = findings.list_findings(db, inspection_id)[0]
    with raises_saying(LockedError, "signed"):
        inspections.record_finding(
            db, clock, inspection_id, finding.item_id, finding.area_id, Result.PASS
        )


def test_every_change_is_audited_with_actor_and_old_new(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "audit.sqlite3")
    wang = organisation.add_person(db, "王丽华", "品质督导").id
    set_actor(db, wang)  # the audit trail records the person's id
    company = organisation.add_company(db, "公司")
    city = organisation.add_city_company(db, company.id, "城市")
    project = organisation.add_project(db, city.id, "项目甲", ProjectKind.OFFICE)
    db["projects"].update(project.id, {"name": "项目乙"})
    rows = list(db.query("SELECT * FROM audit_log WHERE row_id = ? ORDER BY seq", [project.id]))
    assert [r["action"] for r in rows] == ["insert", "update"]
    assert {r["actor"] for r in rows} == {wang}
    assert '"name":"项目甲"' in rows[1]["old"].replace(" ", "")
    assert '"name":"项目乙"' in rows[1]["new"].replace(" ", "")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")


def test_amendment_changes_effective_finding_not_the_row(tmp_path: Path, clock: Clock) -> None:
    db = connect(tmp_path / "amend.sqlite3")
    inspection_id = _signed_inspection(db, clock)
    finding = findings.list_findings(db, inspection_id)[0]
    amendments.add_amendment(db, clock, "陈志强", finding, "voided", "1", "申诉成立")
    effective = amendments.effective_findings(db, inspection_id)[0]
    assert effective.result == Result.PASS and effective.deduction == 0
    assert findings.list_findings(db, inspection_id)[0].result == Result.FAIL
    trail = amendments.list_amendments(db, inspection_id)
    assert [(a.actor, a.field, a.old_value, a.new_value) for a in trail] == [
        ("陈志强", "voided", "0", "1")
    ]


def test_an_old_sqlite_is_refused_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pqm_tui.model.db import DatabaseError

    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with raises_saying(DatabaseError, r"SQLite 3\.34 or newer .* 3\.31\.1"):
        connect(tmp_path / "old.sqlite3")
    assert not (tmp_path / "old.sqlite3").exists()  # nothing written
