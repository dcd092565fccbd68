"""What is due (cadence) and the items CLI, on the demo database."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from pqm_tui.cli import main
from pqm_tui.i18n import catalog
from pqm_tui.model import organisation
from pqm_tui.model.db import connect
from pqm_tui.model.rectification import get_item
from pqm_tui.services import cadence
from tests.people import manager_of


def test_self_check_report_due_is_monday_of_second_week() -> None:
    assert cadence.self_check_report_due(date(2026, 10, 1)) == date(2026, 11, 9)
    assert cadence.self_check_report_due(date(2026, 11, 1)) == date(2026, 12, 14)
    assert cadence.self_check_report_due(date(2026, 12, 1)) == date(2027, 1, 11)


def test_due_items_on_the_demo(demo_db_path: Path) -> None:
    db = connect(demo_db_path)
    entries = cadence.due_items(db, date(2026, 11, 23))
    kinds = [e.kind for e in entries]
    assert kinds[0] == "overdue" and "group-check" in kinds
    overdue = sum(e.count for e in entries if e.kind == "overdue")
    assert (
        overdue
        == db.execute(
            "SELECT count(*) FROM rectification_items WHERE status = 'open' AND deadline < ?",
            ["2026-11-23"],
        ).fetchone()[0]
    )
    checked = {e.project for e in entries if e.kind == "group-check"}
    assert "锦程·天府花园" not in checked  # its monthly check is the draft of today
    assert not [e for e in cadence.due_items(db, date(2026, 11, 29)) if e.kind == "group-check"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _manager_of(path: Path, item_id: str) -> str:
    """The name of the project manager of the item's project."""
    db = connect(path)
    project = get_item(db, item_id).project_id
    name = organisation.get_person(db, manager_of(db, project)).name
    db.close()
    return name


def test_items_cli_formats_and_moves(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db_path)
    code, out, _ = run(
        capsys, "--db", db, "--tz", "Asia/Shanghai", "items", "--overdue", "--format", "json"
    )
    rows = json.loads(out)
    assert code == 0 and rows and all(r["overdue"] for r in rows)
    assert {r["status"] for r in rows} <= {"open", "extension-requested", "appeal-requested"}
    code, out, _ = run(capsys, "--db", db, "items", "--all", "--format", "csv")
    records = list(csv.DictReader(io.StringIO(out)))
    assert {r["status"] for r in records} >= {"open", "replied", "closed", "voided"}
    code, out, _ = run(capsys, "--db", db, "items", "--open")
    assert code == 0 and "整改期限" in out
    target_row = next(r for r in rows if r["status"] == "open")
    target = target_row["id"][-8:]
    manager = _manager_of(demo_db_path, target_row["id"])  # the project's manager replies
    code, out, _ = run(
        capsys, "--db", db, "--as", manager, "item", "reply", target, "--done", "已修复"
    )
    assert code == 0 and "已回复" in out
    code, _, err = run(
        capsys, "--db", db, "--as", manager, "item", "reply", target, "--done", "again"
    )
    assert code == 2 and "已回复" in err and "复检" in err  # names state and allowed moves
    code, _, err = run(
        capsys,
        "--db",
        db,
        "--lang",
        "en",
        "--as",
        manager,
        "item",
        "extend",
        target,
        "--reason",
        "r",
        "--measures",
        "m",
        "--until",
        "2030-01-01",
    )
    assert code == 2 and "Replied" in err
    code, out, _ = run(capsys, "--db", db, "item", "show", target)
    assert re.search(rf"{manager}\s+整改回复", out), out  # who, by name, and what


def test_review_catalog_keys_match() -> None:
    zh, en = catalog("zh"), catalog("en")
    ours = {k for k in zh if k.split(".")[0] in ("review", "items", "cadence")}
    assert ours and ours == {k for k in en if k.split(".")[0] in ("review", "items", "cadence")}
    for key in ours:
        assert zh[key].count("{") == en[key].count("{"), key
