"""What is due (cadence) and the items CLI, on the demo database."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest

from pqm_tui.cli import main
from pqm_tui.i18n import catalog
from pqm_tui.model import organisation, review
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
    # the review's count agrees: open, past the deadline, no appeal pending (期限暂停)
    assert overdue == review.counts(db, review.ReviewFilter(), date(2026, 11, 23))["overdue"]
    late = db.execute(
        "SELECT count(*) FROM rectification_items WHERE status = 'open' AND deadline < ?",
        ["2026-11-23"],
    ).fetchone()[0]
    appealed = review.count(db, review.ReviewFilter(status="appeal-requested"), date(2026, 11, 23))
    assert late - appealed <= overdue < late  # the demo has late items under appeal
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
    # the states as the app says them, not the stored words
    assert re.search(r"整改回复\s+待整改\s+已回复", out), out
    assert not re.search(r"\b(open|replied)\b", out), out


def test_items_cli_refuses_a_reply_dated_before_the_finding(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db_path)
    _, out, _ = run(capsys, "--db", db, "items", "--overdue", "--format", "json")
    target = next(r for r in json.loads(out) if r["status"] == "open")["id"]
    conn = connect(demo_db_path)
    item = get_item(conn, target)
    found = conn.execute(
        "SELECT created_at FROM findings WHERE id = ?", [item.finding_id]
    ).fetchone()[0]
    conn.close()
    recorded = datetime.fromisoformat(found).astimezone(ZoneInfo("Asia/Shanghai")).date()
    manager = _manager_of(demo_db_path, target)
    args = ["--db", db, "--tz", "Asia/Shanghai", "--as", manager, "item", "reply", target[-8:]]
    early = (recorded - timedelta(days=1)).isoformat()
    code, _, err = run(capsys, *args, "--done", "已修复", "--date", early)
    assert code == 2 and "「完成日期」" in err and f"最早可填 {recorded.isoformat()}" in err, err
    code, out, _ = run(capsys, *args, "--done", "已修复", "--date", recorded.isoformat())
    assert code == 0 and "已回复" in out


def test_report_notice_takes_the_printed_notice_number(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The number on the paper (整改通知单编号) finds its notice; a follow-up notice's
    number is sent to notice2, which takes it."""
    conn = connect(demo_db_path)
    first, later = (
        conn.execute(f"SELECT number FROM notices WHERE sequence {op} LIMIT 1").fetchone()[0]
        for op in ("= 1", ">= 2")
    )
    conn.close()
    db = str(demo_db_path)
    out_pdf = tmp_path / "n.pdf"
    printer = ("--db", db, "--as", "王丽华")
    code, _, err = run(capsys, *printer, "report", "notice", first, "-o", str(out_pdf))
    assert code == 0 and out_pdf.exists(), err
    assert first in "".join(p.extract_text() for p in pypdf.PdfReader(out_pdf).pages)
    code, _, err = run(
        capsys, *printer, "report", "notice", later, "-o", str(tmp_path / "refused.pdf")
    )
    assert code != 0 and f"report notice2 {later}" in err, err
    second = tmp_path / "n2.pdf"
    code, _, err = run(capsys, *printer, "report", "notice2", later, "-o", str(second))
    assert code == 0 and second.exists(), err


def test_review_catalog_keys_match() -> None:
    zh, en = catalog("zh"), catalog("en")
    ours = {k for k in zh if k.split(".")[0] in ("review", "items", "cadence")}
    assert ours and ours == {k for k in en if k.split(".")[0] in ("review", "items", "cadence")}
    for key in ours:
        assert zh[key].count("{") == en[key].count("{"), key
