"""``pqm report pareto|repeats`` and ``pqm inspection export`` on a known fixture."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pqm_tui.cli import main
from pqm_tui.commands.table import width
from pqm_tui.model.db import connect
from tests.analysis_fixture import build

NOVEMBER = ("--from", "2026-11-01", "--to", "2026-11-30")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "analysis.sqlite3"
    db = connect(path)
    build(db)
    db.close()
    return path


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), "--tz", "Asia/Shanghai", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_pareto_table_json_and_workbook(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, db_path, "report", "pareto", *NOVEMBER)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2026-11-01 至 2026-11-30：4 次已签字检查，不合格 9 处"
    assert lines[1].split() == ["序号", "检查项", "不合格处数", "扣分", "占比", "累计占比"]
    assert lines[3].split()[:2] == ["1", "KF-01"] and lines[3].split()[-3:] == [
        "2.5",
        "55.6%",
        "55.6%",
    ]
    assert lines[-1].endswith("100.0%")

    _, out, _ = run(
        capsys, db_path, "report", "pareto", *NOVEMBER, "--by", "section", "--format", "json"
    )
    assert [(r["key"], r["count"], r["cumulative"]) for r in json.loads(out)] == [
        ("KF", 7, "77.8"),
        ("HJ", 2, "100.0"),
    ]  # fmt: skip

    target = tmp_path / "pareto.xlsx"
    code, out, _ = run(
        capsys, db_path, "report", "pareto", *NOVEMBER, "--format", "xlsx", "-o", str(target)
    )
    assert code == 0 and str(target) in out
    sheet = load_workbook(target).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编码", "检查项", "不合格处数")
    assert [r[0] for r in rows[1:]] == ["KF-01", "HJ-01", "KF-02"]
    assert rows[-1][-1] == pytest.approx(1.0)
    assert len(sheet._charts) == 1  # openpyxl lists charts only here

    code, _, err = run(capsys, db_path, "report", "pareto", *NOVEMBER, "--format", "xlsx")
    assert code == 2 and "-o" in err
    code, _, err = run(
        capsys, db_path, "report", "pareto", *NOVEMBER, "--format", "xlsx", "-o", str(target)
    )
    assert code == 2 and "文件已存在" in err  # kept unless --force, like every report
    code, _, _ = run(
        capsys, db_path, "report", "pareto", *NOVEMBER, "--by", "department", "--format", "xlsx",
        "-o", str(target), "--force",
    )  # fmt: skip
    assert code == 0
    assert load_workbook(target).active["A2"].value == "客服部"  # type: ignore[index]


def test_repeats_table(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, _ = run(capsys, db_path, "report", "repeats", *NOVEMBER)
    assert code == 0
    lines = out.splitlines()
    assert "2 个检查项" in lines[0]
    assert lines[3].split()[:2] == ["甲项目", "KF-01"]
    assert lines[3].split()[2:5] == ["3", "11-03、11-10、11-20", "是"]
    # the columns line up in terminal cells: each run count starts under its header
    column = width(lines[1].split("连续次数")[0])
    assert [width(line.split("  3  ")[0]) + 2 for line in lines[3:4]] == [column]
    assert [width(line.split("  2  ")[0]) + 2 for line in lines[4:5]] == [column]
    _, out, _ = run(
        capsys, db_path, "report", "repeats", *NOVEMBER, "--min", "3", "--format", "json"
    )
    assert [(r["code"], r["run"]) for r in json.loads(out)] == [("KF-01", 3)]


def test_scope_errors_are_said_clearly(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, _, err = run(
        capsys, db_path, "report", "pareto", "--from", "2026-11-31", "--to", "2026-12-01"
    )
    assert code == 2 and "2026-11-31：不是日期" in err
    code, _, err = run(capsys, db_path, "report", "pareto", *NOVEMBER, "--project", "丙项目")
    assert code == 2 and "丙项目" in err
    code, _, err = run(capsys, db_path, "report", "repeats", *NOVEMBER, "--city", "西安公司")
    assert code == 2 and "没有名为 西安公司 的城市公司" in err
    code, _, err = run(
        capsys, db_path, "report", "pareto", "--from", "2026-12-01", "--to", "2026-11-01"
    )
    assert code == 2 and "开始日期晚于结束日期" in err


def test_export_workbook_rows_and_columns(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "findings.xlsx"
    code, out, err = run(capsys, db_path, "inspection", "export", *NOVEMBER, "-o", str(target))
    assert code == 0 and "已导出 11 条检查结果" in out
    assert err == ""  # no progress line when not on a terminal
    sheet = load_workbook(target, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "项目", "城市公司", "区域", "检查项编码", "检查项", "检查结果", "次数", "扣分", "严重程度",
        "问题描述", "照片数", "责任部门", "责任人", "检查人", "检查类型", "开始时间", "签字时间",
        "位置",
    )  # fmt: skip
    assert len(rows) == 1 + 11  # one row per finding
    first = rows[1]
    assert first[:4] == ("甲项目", "成都公司", "客服中心", "KF-01")
    assert first[5:8] == ("不合格", 1, 0.5) and first[11] == "客服部" and first[13] == "王丽华"
    assert first[14] == "月度检查"
    assert first[15] == datetime(2026, 11, 3, 10, 0)  # local time, as Excel shows it
    assert first[16] == datetime(2026, 11, 3, 10, 0)
    passed = next(r for r in rows[1:] if r[3] == "HJ-01" and r[5] == "合格")
    assert passed[7] == 0 and passed[11] == "环境部"  # the section's department
    assert all(len(r) == 18 for r in rows)
    assert not any(isinstance(c, str) and len(c) == 32 and c.isalnum() for r in rows for c in r)


def test_export_csv_has_bom_and_one_project(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "findings.csv"
    code, out, _ = run(
        capsys, db_path, "inspection", "export", *NOVEMBER, "--project", "乙项目", "-o", str(target)
    )
    assert code == 0 and "已导出 2 条" in out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "项目" and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"乙项目"} and rows[1][-2] == "2026-11-12 10:00"


def test_export_refuses_other_suffix_and_leaves_nothing(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, db_path, "inspection", "export", *NOVEMBER, "-o", str(tmp_path / "x.txt")
    )
    assert code == 2 and ".xlsx 或 .csv" in err
    code, _, err = run(
        capsys, db_path, "inspection", "export", *NOVEMBER, "-o", str(tmp_path / "nope" / "x.csv")
    )
    assert code == 2 and not (tmp_path / "nope").exists()


def test_export_in_english(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "findings.csv"
    code, _, _ = run(
        capsys, db_path, "--lang", "en", "inspection", "export", *NOVEMBER, "-o", str(target)
    )
    assert code == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["Project", "City company", "Area"] and header[-2:] == [
        "Signed",
        "Location",
    ]


def test_pareto_pdf_has_chart_table_and_repeats(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    import pdfplumber

    target = tmp_path / "pareto.pdf"
    code, out, _ = run(
        capsys, db_path, "report", "pareto", *NOVEMBER, "--format", "pdf", "-o", str(target)
    )
    assert code == 0 and "已生成" in out
    with pdfplumber.open(target) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        figures = pdf.pages[0].rects + pdf.pages[0].curves
    assert "不合格项统计分析" in text
    assert "统计期间 2026-11-01 至 2026-11-30，全公司：已签字检查 4 次，不合格 9 处" in text
    assert "不合格柏拉图（按检查项）" in text and "累计占比" in text
    assert "55.6%" in text and "100.0%" in text
    assert "甲项目 KF-01" in text and "2026-11-03、" in text and "2026-11-20" in text
    assert len(figures) >= 3  # the chart's bars are drawn

    code, _, _ = run(
        capsys, db_path, "--lang", "en", "report", "pareto", *NOVEMBER, "--by", "department",
        "--format", "pdf", "-o", str(target), "--force",
    )  # fmt: skip
    assert code == 0
    with pdfplumber.open(target) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Failure analysis" in text and "Pareto of failures (by Department)" in text
    assert "客服部" in text and "Whole company" in text


def test_export_progress_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from pqm_tui.reports import inspection_export

    monkeypatch.setattr(inspection_export, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(
        capsys, db_path, "inspection", "export", *NOVEMBER, "-o", str(tmp_path / "f.csv")
    )
    assert code == 0 and "已导出 11 条检查结果" in out
    assert "\r已导出 5/11 条……" in err and "\r已导出 10/11 条……" in err
    assert err.endswith("\r\x1b[K")  # the line is cleared before the result is said


def test_export_reads_findings_as_amended(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    """An upheld appeal voids a finding after signing: exported as a pass, no deduction."""
    from pqm_tui.model import amendments
    from pqm_tui.model.entities import Result
    from tests.analysis_fixture import _at

    db = connect(db_path)
    second = next(
        db.query(
            """SELECT i.id FROM inspections i JOIN projects p ON p.id = i.project_id
               WHERE p.name = '乙项目'"""
        )
    )["id"]
    voided = next(f for f in amendments.effective_findings(db, second) if f.result == Result.FAIL)
    inspector = next(db.query("SELECT id FROM people WHERE name = '王丽华'"))["id"]
    amendments.add_amendment(db, _at(25), inspector, voided, "voided", "1", "申诉成立")
    db.close()
    target = tmp_path / "findings.csv"
    run(
        capsys, db_path, "inspection", "export", *NOVEMBER, "--project", "乙项目", "-o", str(target)
    )
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert sorted((r[5], r[7]) for r in rows) == [("不合格", "0.5"), ("合格", "0")]
