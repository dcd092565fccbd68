"""The ``pqm`` command line: each command and its error path."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pqm_tui.cli import main
from pqm_tui.model.db import register_functions


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_demo_refuses_non_empty_database_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.sqlite3")
    code, out, _ = run(capsys, "--db", db, "seed-demo")
    assert code == 0 and "4 个项目" in out
    code, _, err = run(capsys, "--db", db, "seed-demo")
    assert code == 2 and "--force" in err and "Traceback" not in err
    code, _, err = run(capsys, "--db", db, "--as", "王丽华", "seed-demo", "--force")
    assert code == 2 and "王丽华 无权维护或导入组织架构：仅限系统管理员" in err
    code, out, _ = run(capsys, "--db", db, "--lang", "en", "--as", "徐静", "seed-demo", "--force")
    assert code == 0 and "4 projects" in out


@pytest.mark.parametrize(
    "command",
    [
        ["inspection", "list"],
        ["--as", "王丽华", "inspection", "list"],
        ["items", "--overdue"],
        ["person", "list"],
        ["report", "inspection", "abcd1234", "-o", "r.pdf"],
    ],
)
def test_a_mistyped_database_is_said_not_opened_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """A command that reads a company's records never makes a new, empty database: an
    empty list from a mistyped --db would read as "nothing overdue"."""
    db = tmp_path / "typo.sqlite3"
    code, out, err = run(capsys, "--db", str(db), *command)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"pqm: 没有数据库文件 {db}：请检查 --db（或环境变量 PQM_DB）是否写对；"
        "新建数据库请运行 pqm 打开应用，或用 pqm org import 导入组织架构"
    )
    assert not db.exists() and list(tmp_path.iterdir()) == []
    code, _, err = run(capsys, "--lang", "en", "--db", str(db), *command)
    assert code == 2 and f"No database file at {db}: check --db" in err
    assert not db.exists()


def test_imports_and_checklists_may_start_a_new_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a company starts with: the built-in checklists (list, print blank), its imports."""
    db = tmp_path / "new.sqlite3"
    code, out, _ = run(capsys, "--db", str(db), "checklist", "list")
    assert code == 0 and "物业服务品质检查表" in out and db.is_file()


def test_inspection_list_table_and_json(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(demo_db_path), "inspection", "list")
    assert code == 0 and "锦程·天府花园" in out and "月度检查" in out
    code, out, _ = run(capsys, "--db", str(demo_db_path), "inspection", "list", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 29  # 15 walks + 14 re-inspections
    assert {r["status"] for r in rows} == {"draft", "completed", "signed"}
    assert "re-inspection" in {r["kind"] for r in rows}
    code, _, err = run(
        capsys, "--db", str(demo_db_path), "inspection", "list", "--project", "不存在的项目"
    )
    assert code == 2 and "不存在的项目" in err


def test_checklist_list_show_export_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "c.sqlite3")
    code, out, _ = run(capsys, "--db", db, "checklist", "list")
    assert code == 0 and "物业服务品质检查表" in out and "案场服务接待检查表" in out
    code, out, _ = run(capsys, "--db", db, "checklist", "show", "案场服务接待检查表")
    assert code == 0 and "CP1" in out
    code, out, _ = run(capsys, "--db", db, "checklist", "show", "物业服务品质检查表")
    lift_only = next(line for line in out.splitlines() if line.startswith("GC-07 "))
    assert code == 0 and "仅限区域" in out and "电梯" in lift_only  # the item's own area types
    target = tmp_path / "out.yaml"
    code, _, _ = run(
        capsys, "--db", db, "checklist", "export", "物业服务品质检查表", "-o", str(target)
    )
    assert code == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["sections"][0]["items"][0]["standard"] += "（公司修订）"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "checklist", "import", str(target))
    assert code == 0 and "v2" in out
    code, out, _ = run(capsys, "--db", db, "checklist", "import", str(target))
    assert code == 0 and "v2" in out  # unchanged content: no v3


def test_checklist_import_error_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "e.sqlite3"
    assert run(capsys, "--db", str(db), "checklist", "list")[0] == 0
    before = sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: 坏表\nsections:\n  - code: A\n    name: 甲\n    items:\n"
        "      - code: A-1\n        standard: x\n        points: abc\n        per_occurrence: 1\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "--db", str(db), "checklist", "import", str(bad))
    assert code == 2
    assert str(bad) in err and "sections[0] (A) / items[0] (A-1) / points" in err
    assert "Traceback" not in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM checklists WHERE name = '坏表'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == before
    code, _, err = run(capsys, "--db", str(db), "checklist", "import", str(tmp_path / "no.yaml"))
    assert code == 2 and "无法读取文件" in err


def test_db_check_ok_missing_and_broken(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(demo_db_path), "db", "check")
    assert code == 0 and "ok" in out
    code, _, err = run(capsys, "--db", str(tmp_path / "none.sqlite3"), "db", "check")
    assert code == 2 and "none.sqlite3" in err
    conn = sqlite3.connect(demo_db_path)
    register_functions(conn, "vandal")  # an outside writer who knows PQM's SQL functions
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM projects WHERE name = '锦程·滨江壹号'")
    conn.commit()
    conn.close()
    code, out, _ = run(capsys, "--db", str(demo_db_path), "db", "check")
    assert code == 1 and "→ projects" in out


def test_not_a_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("this is not sqlite " * 100)
    code, _, err = run(capsys, "--db", str(junk), "inspection", "list")
    assert code == 2 and "junk.sqlite3" in err and "Traceback" not in err


def test_console_script_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pqm_tui",
            "--db",
            str(tmp_path / "x.sqlite3"),
            "--lang",
            "en",
            "checklist",
            "list",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "物业服务品质检查表" in result.stdout and "Items" in result.stdout
