"""Schema versions (issue 14): a newer database is refused, an older one is backed up first.

A database written by a newer PQM (a migration this program does not know, or a
higher ``user_version``) was read and written silently; now it is refused with
the version it needs and left untouched. An older one is copied beside itself
(``<name>.before-m00N.sqlite3``) before it is migrated, and the user is told once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from pqm_tui.model import organisation
from pqm_tui.model.db import DatabaseError, backup_path, connect, register_functions
from pqm_tui.model.schema import known_names, latest_version, migrate, schema_version

pytestmark = pytest.mark.reliability


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pqm(db_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pqm_tui", "--db", str(db_path), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def _future(path: Path, *, by_row: bool) -> None:
    """Make ``path`` look written by a PQM one migration ahead."""
    connect(path).close()
    conn = sqlite3.connect(path)
    if by_row:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('pqm', 'm099_from_the_future', '2027-01-01')"
        )
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.parametrize("by_row", [True, False], ids=["unknown-migration", "user-version"])
def test_a_newer_database_is_refused_untouched_saying_the_version_it_needs(
    tmp_path: Path, by_row: bool
) -> None:
    path = tmp_path / "future.sqlite3"
    _future(path, by_row=by_row)
    before = _digest(path)
    with pytest.raises(DatabaseError) as refused:
        connect(path)
    assert refused.value.key == "errors.db.newer_schema"
    assert refused.value.params["found"] == latest_version() + 1
    assert refused.value.params["known"] == latest_version()
    done = _pqm(path, "inspection", "list")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    needed = f"版本为 {latest_version() + 1}"
    assert needed in done.stderr and f"只支持到版本 {latest_version()}" in done.stderr
    english = _pqm(path, "--lang", "en", "item", "reply", "x", "--done", "y")
    assert f"supports version {latest_version() + 1}" in english.stderr
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.sqlite3"]


def _old(path: Path) -> str:
    """A database one migration behind, with a company in it; returns the company id."""
    conn = sqlite3.connect(path)
    register_functions(conn, "test")  # pqm_actor and pqm_sha256, as PQM's connections have
    old = Database(conn)
    migrate(old, stop_before=known_names()[-1])
    company = organisation.add_company(old, "旧公司")
    old.close()
    return company.id


def test_an_older_database_is_copied_beside_itself_before_it_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    company = _old(path)
    db = connect(path)
    backup = backup_path(path, known_names()[-1])
    assert db.migration_backup == backup
    assert backup.name == f"old.before-{known_names()[-1][:4]}.sqlite3"
    assert schema_version(db) == latest_version()
    assert db.table("companies").get(company)["name"] == "旧公司"
    db.close()
    copy = Database(sqlite3.connect(backup))
    assert schema_version(copy) == latest_version() - 1
    assert copy.table("companies").get(company)["name"] == "旧公司"
    copy.close()
    assert connect(path).migration_backup is None  # said once


def test_the_cli_says_the_backup_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old(path)
    first = _pqm(path, "inspection", "list")
    assert first.returncode == 0, first.stderr
    assert "升级前的副本保存在" in first.stderr and "old.before-" in first.stderr
    again = _pqm(path, "inspection", "list")
    assert again.returncode == 0 and again.stderr == ""


def test_processes_opening_an_older_database_together_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old(path)
    command = [sys.executable, "-m", "pqm_tui", "--db", str(path), "inspection", "list"]
    procs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert not any("Traceback" in e for e in errors)
    assert [p.name for p in tmp_path.iterdir() if "before" in p.name] == [
        backup_path(path, known_names()[-1]).name
    ]
    assert schema_version(connect(path)) == latest_version()


def test_no_backup_no_migration(tmp_path: Path) -> None:
    """When the copy cannot be written the database is left as it was."""
    path = tmp_path / "old.sqlite3"
    company = _old(path)
    backup_path(path, known_names()[-1]).mkdir()  # the copy's place is taken
    with pytest.raises(DatabaseError) as refused:
        connect(path)
    assert refused.value.key == "errors.db.backup_failed"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    conn = Database(sqlite3.connect(path))
    assert schema_version(conn) == latest_version() - 1
    assert conn.table("companies").get(company)["name"] == "旧公司"
    conn.close()


def test_a_fresh_database_has_no_backup(tmp_path: Path) -> None:
    assert connect(tmp_path / "new.sqlite3").migration_backup is None
    assert sorted(p.name for p in tmp_path.iterdir() if "before" in p.name) == []
