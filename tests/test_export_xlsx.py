"""Excel export of rectification items: from the CLI and from the review screen (x)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqm_tui.cli import main
from pqm_tui.model.clock import Clock
from tests.test_review_screen import make_app, open_review, settle


def _sheet_rows(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    return list(sheet.iter_rows(values_only=True))


def test_cli_exports_every_matching_item_with_real_dates(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db_path)
    assert main(["--db", db, "items", "--overdue", "--format", "json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    target = tmp_path / "逾期整改项.xlsx"
    assert main(["--db", db, "items", "--overdue", "--format", "xlsx", "-o", str(target)]) == 0
    assert f"已导出 {len(expected)} 个整改项" in capsys.readouterr().out
    header, *rows = _sheet_rows(target)
    assert header[:5] == ("编号", "项目", "区域", "检查项编号", "检查项")
    assert len(rows) == len(expected) > 0
    first = expected[0]
    assert rows[0][1] == first["project"] and rows[0][3] == first["item"].split()[0]
    assert rows[0][9] == dt.datetime.fromisoformat(first["deadline"])  # a date cell, not text
    assert all(r[11] == "是" and isinstance(r[10], int) and r[10] < 0 for r in rows)
    # 编号: the notice number and item code people use, never an internal id
    assert all(str(r[0]).startswith("ZG-") and str(r[0]).endswith(f" {r[3]}") for r in rows)


def test_cli_export_refuses_without_a_file_or_to_a_missing_folder(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(demo_db_path)
    assert main(["--db", db, "items", "--format", "xlsx"]) == 2
    assert "-o" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "x.xlsx"
    assert main(["--db", db, "items", "--format", "xlsx", "-o", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "导出失败" in err and str(missing) in err and "Traceback" not in err
    assert not missing.parent.exists()


async def test_review_screen_exports_the_current_filter(demo_db_path: Path, clock: Clock) -> None:
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("o")  # overdue only
        screen = await settle(app, pilot)
        matching = screen.counts["matching"]
        await pilot.press("x")
        await settle(app, pilot)
        files = sorted(demo_db_path.parent.glob("整改项-*.xlsx"))
        assert len(files) == 1
        _, *rows = _sheet_rows(files[0])
        assert len(rows) == matching > 0
        assert all(r[11] == "是" for r in rows)
        notices = [str(n.message) for n in app._notifications]
        assert any(str(files[0]) in n and f"{matching} 个整改项" in n for n in notices)


def test_user_text_stays_text_and_the_workbook_is_shared_like_other_files(tmp_path: Path) -> None:
    import os

    from pqm_tui.i18n import Translator
    from pqm_tui.model.review import ReviewRow
    from pqm_tui.reports.items_xlsx import write_items

    row = ReviewRow(
        id="01a20000-0000-7000-8000-0000000000ab",
        project_id="p",
        project_name="=1+1",
        area_name="大堂",
        item_code="HJ-01",
        item_standard="地面干净",
        severity="normal",
        department="环境部",
        person="王\x01强",
        note='=HYPERLINK("http://x","点我")',
        deadline="2026-11-30",
        status="open",
        pending=None,
        escalation_level=0,
        notice_id=None,
        inspection_id="i",
    )
    target = tmp_path / "items.xlsx"
    assert write_items(target, [row], dt.date(2026, 11, 23), Translator("zh")) == 1
    _, (cells) = _sheet_rows(target)
    assert cells[1] == "=1+1" and cells[5] == '=HYPERLINK("http://x","点我")'
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["B2"].data_type == "s" and sheet["F2"].data_type == "s"  # text, not formulas
    assert cells[8] == "王强"  # a control character would make Excel refuse the file
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["items.xlsx"]  # no temporary left
