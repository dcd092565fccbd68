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
