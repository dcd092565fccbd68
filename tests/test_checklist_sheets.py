"""Checklists in Excel and CSV: template, export → import round trip, every problem in one pass."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from pqm_tui.cli import main
from pqm_tui.commands.checklist import sheet_words
from pqm_tui.i18n import Translator
from pqm_tui.model import checklists
from pqm_tui.model.checklist_file import ChecklistFileError
from pqm_tui.model.checklist_sheet import read_checklist_sheet
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType
from pqm_tui.model.file_limits import Limits

HEADERS = [
    "板块",
    "编号",
    "检查标准",
    "检查方法",
    "分值",
    "每处扣分",
    "需拍照",
    "区域类型",
    "严重程度",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _digest(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest()


def _workbook(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    """A workbook as a user fills it in Excel (written with openpyxl)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查表"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD = [
    ["客户服务", "KF-01", "前台按时到岗", "现场查看", 40, 2, "是", "大堂、客服中心", "一般"],
    ["客户服务", "KF-02", "报修 30 分钟内响应", "", 20, 5, "否", "客服中心", "严重"],
    ["环境卫生", "HJ-01", "地面干净", "巡查", 40, 2, "", "", ""],
]


def test_template_has_headers_example_and_drop_down_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "t.xlsx"
    code, out, _ = run(
        capsys, "--db", str(tmp_path / "db"), "checklist", "template", "-o", str(target)
    )
    assert code == 0 and str(target) in out
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["检查表", "说明"]
    sheet = book["检查表"]
    headers = [c.value for c in sheet[1]]
    assert headers[:9] == [
        h + ("*" if h in ("板块", "编号", "检查标准", "分值", "每处扣分") else "") for h in HEADERS
    ]
    assert sheet["A2"].value and sheet.max_row >= 4  # the example
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert {"G2", "H2", "I2"} <= set(lists)  # photo, area types, severity
    assert book["_lists"].sheet_state == "hidden"
    assert "电梯" in [c.value for c in book["_lists"]["A"]]
    assert (
        run(capsys, "--db", str(tmp_path / "db"), "checklist", "template", "-o", str(target))[0]
        == 2
    )
    code, out, _ = run(capsys, "--db", str(tmp_path / "db"), "checklist", "import", str(target))
    assert code == 0 and "已导入" in out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_is_identical(
    lang: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "db.sqlite3")
    for spec in checklists.builtin_specs():
        target = tmp_path / f"out{suffix}"
        args = ["--db", db, "--lang", lang, "checklist"]
        assert run(capsys, *args, "export", spec.name, "-o", str(target))[0] == 0
        code, out, err = run(capsys, *args, "import", str(target), "--name", spec.name)
        assert code == 0, err
        assert ("内容未变" if lang == "zh" else "unchanged") in out or suffix == ".csv"
        again = read_checklist_sheet(target, sheet_words(Translator(lang)), Limits(), spec.name)
        if suffix == ".xlsx":
            assert again == spec
        else:  # a CSV file has no description or project kinds
            assert again.sections == spec.sections


def test_every_problem_in_one_pass_with_sheet_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["客户服务", "KF-01", "前台按时到岗", "", 40, 50, "也许", "大堂、地下室", "紧急"],
        ["客户服务", "KF-01", "", "", 20, 5, "否", "", ""],
        ["环境卫生", "HJ-01", "地面干净", "", "=20+20", 2, "", "", ""],
        [None] * 9,  # an empty row in the middle is skipped
        ["环境卫生", "HJ-02", "墙面干净", "", "abc", 1, "", "", ""],
    ]
    path = _workbook(tmp_path / "bad.xlsx", rows)
    db = tmp_path / "db.sqlite3"
    assert run(capsys, "--db", str(db), "checklist", "list")[0] == 0
    before = _digest(db)
    code, out, err = run(capsys, "--db", str(db), "--lang", "en", "checklist", "import", str(path))
    assert code == 2 and out == ""
    assert _digest(db) == before
    expected = [
        "row 2, column F (每处扣分): per_occurrence 50 exceeds the item's points 40",
        "row 2, column G (需拍照): “也许” is neither",
        "row 2, column H (区域类型): no area type “地下室”",
        "row 2, column I (严重程度): no severity “紧急”",
        "row 3, column B (编号): item code KF-01 is used twice",
        "row 3, column C (检查标准): must not be empty",
        "row 4, column E (分值): a formula (=20+20)",
        "row 6, column E (分值): must be a number",
    ]
    for line in expected:
        assert line in err, (line, err)
    assert "sheet “检查表”" in err


def test_totals_not_100_are_said_for_the_whole_file(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", [[*r[:4], 30, *r[5:]] for r in GOOD])
    with pytest.raises(ChecklistFileError) as caught:
        read_checklist_sheet(path, sheet_words(Translator("en")), Limits())
    assert [p.key for p in caught.value.problems] == ["errors.checklist.total"]


def test_section_area_types_are_the_union_of_its_items_or_given(tmp_path: Path) -> None:
    words = sheet_words(Translator("zh"))
    spec = read_checklist_sheet(_workbook(tmp_path / "a.xlsx", GOOD), words, Limits())
    first, second = spec.sections
    assert (first.code, second.code) == ("KF", "HJ")  # from the items' codes
    assert first.area_types == [AreaType.LOBBY, AreaType.SERVICE_CENTER]  # the union
    assert second.area_types == []  # an item names none: every area
    headers = [*HEADERS, "板块编号", "板块区域类型"]
    rows = [[*GOOD[0], "CS", "大堂、客服中心、电梯"], [*GOOD[1], "", ""], [*GOOD[2], "", ""]]
    spec = read_checklist_sheet(_workbook(tmp_path / "b.xlsx", rows, headers), words, Limits())
    assert spec.sections[0].code == "CS"
    assert spec.sections[0].area_types == [AreaType.LOBBY, AreaType.SERVICE_CENTER, AreaType.LIFT]
    rows[1][-1] = "电梯"  # a second, different value for the section
    with pytest.raises(ChecklistFileError) as caught:
        read_checklist_sheet(_workbook(tmp_path / "c.xlsx", rows, headers), words, Limits())
    assert "errors.checklist.sheet.section_differs" in [p.key for p in caught.value.problems]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8", "gb18030+bom"])
def test_csv_in_gbk_or_utf8_is_read(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "公司检查表.csv"
    lines = [",".join(HEADERS)] + [",".join(str(c) for c in row) for row in GOOD]
    text = "\r\n".join(lines)
    if encoding.endswith("+bom"):  # a UTF-8 file with its BOM converted to GB18030 (iconv)
        encoding, text = encoding.removesuffix("+bom"), "\ufeff" + text
    path.write_bytes(text.encode(encoding))
    code, out, err = run(capsys, "--db", str(tmp_path / "db"), "checklist", "import", str(path))
    assert code == 0, err
    assert "《公司检查表》" in out


def test_english_headers_and_labels(tmp_path: Path) -> None:
    headers = [
        "Section",
        "Code",
        "Standard",
        "Method",
        "Points",
        "Per occurrence",
        "Photo required",
        "Area types",
        "Severity",
    ]
    rows = [
        ["Service", "S-01", "On time", "", 60, 2, "yes", "Lobby, Service centre", "Serious"],
        ["Service", "S-02", "Logged", "", 40, 2, "no", "Lift", "normal"],
    ]
    spec = read_checklist_sheet(
        _workbook(tmp_path / "en.xlsx", rows, headers), sheet_words(Translator("zh")), Limits()
    )
    assert spec.sections[0].items[0].area_types == [AreaType.LOBBY, AreaType.SERVICE_CENTER]
    assert spec.sections[0].items[0].photo_required


def test_unknown_encoding_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("板块,编号\n".encode() + b"\x80\xff\x80\n")
    code, _, err = run(capsys, "--db", str(tmp_path / "db"), "checklist", "import", str(path))
    assert code == 2
    assert "GBK/GB18030" in err and "UTF-8" in err


def test_a_workbook_import_is_all_or_nothing(tmp_path: Path) -> None:
    db = connect(tmp_path / "db.sqlite3")
    path = _workbook(tmp_path / "bad.xlsx", [*GOOD, ["环境卫生", "HJ-02", "", "", 1, 1]])
    with pytest.raises(ChecklistFileError):
        read_checklist_sheet(path, sheet_words(Translator("zh")), Limits())
    assert checklists.list_checklists(db) == []


def test_a_title_above_the_headers_is_skipped(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["锦程物业品质检查表（2026 版）"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in GOOD:
        sheet.append(row)
    book.save(tmp_path / "title.xlsx")
    spec = read_checklist_sheet(tmp_path / "title.xlsx", sheet_words(Translator("zh")), Limits())
    assert [i.code for s in spec.sections for i in s.items] == ["KF-01", "KF-02", "HJ-01"]
