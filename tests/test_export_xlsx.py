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
    assert header[:7] == ("编号", "通知单号", "项目", "区域", "位置", "检查项编号", "检查项")
    assert header[-2:] == ("整改回复", "完成日期")
    assert len(rows) == len(expected) > 0
    first = expected[0]
    assert rows[0][2] == first["project"] and rows[0][5] == first["item"].split()[0]
    assert rows[0][11] == dt.datetime.fromisoformat(first["deadline"])  # a date cell, not text
    assert all(r[13] == "是" and isinstance(r[12], int) and r[12] < 0 for r in rows)
    # 编号: the notice number, item code and area people use, never an internal id
    assert all(r[0] == f"{r[1]} {r[5]} {r[3]}" and str(r[1]).startswith("ZG-") for r in rows)


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
        assert all(r[13] == "是" for r in rows)
        notices = [str(n.message) for n in app._notifications]
        assert any(str(files[0]) in n and f"{matching} 个整改项" in n for n in notices)


def test_user_text_stays_text_and_the_workbook_is_shared_like_other_files(tmp_path: Path) -> None:
    import os

    from pqm_tui.i18n import Translator
    from pqm_tui.model.review import ReviewRow
    from pqm_tui.model.review_export import ItemDetails
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
    details = ItemDetails(location="=A1", reply="=2*3", done_on="2026-11-20")
    assert write_items(target, [(row, details)], dt.date(2026, 11, 23), Translator("zh")) == 1
    _, (cells) = _sheet_rows(target)
    assert cells[2] == "=1+1" and cells[7] == '=HYPERLINK("http://x","点我")'
    assert cells[4] == "=A1" and cells[16] == "=2*3" and cells[17] == dt.datetime(2026, 11, 20)
    sheet = load_workbook(target).active
    assert sheet is not None
    for cell in ("C2", "E2", "H2", "Q2"):  # text, not formulas
        assert sheet[cell].data_type == "s", cell
    assert cells[10] == "王强"  # a control character would make Excel refuse the file
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["items.xlsx"]  # no temporary left


async def test_every_exported_item_has_its_own_key_location_reply_and_completion_date(
    demo_db_path: Path, clock: Clock
) -> None:
    """编号 is unique (an Excel lookup finds one row: the demo has one notice listing
    ZX-04 for two areas) and the reply people wrote is there with its date."""
    app = make_app(demo_db_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(app, pilot)
        await pilot.press("1", "c")  # every item, closed ones too
        screen = await settle(app, pilot)
        matching = screen.counts["matching"]
        await pilot.press("x")
        await settle(app, pilot)
    (path,) = demo_db_path.parent.glob("整改项-*.xlsx")
    header, *rows = _sheet_rows(path)
    assert len(rows) == matching > 50
    keys = [r[0] for r in rows]
    assert len(set(keys)) == len(keys)
    codes = [f"{r[1]} {r[5]}" for r in rows]
    assert len(set(codes)) < len(codes)  # the notice and item code alone repeat
    replied = [r for r in rows if r[16]]
    assert replied and all(isinstance(r[17], dt.datetime) for r in replied)
    assert header[4] == "位置"


def test_an_item_under_appeal_says_its_deadline_waits(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the review and the CLI table say it: 期限暂停, not days overdue."""
    target = tmp_path / "整改项.xlsx"
    assert main(["--db", str(demo_db_path), "items", "--format", "xlsx", "-o", str(target)]) == 0
    _header, *rows = _sheet_rows(target)
    appealed = [r for r in rows if "申诉待" in str(r[14])]
    assert appealed and all(r[12] == "期限暂停" and r[13] in ("", None) for r in appealed)
