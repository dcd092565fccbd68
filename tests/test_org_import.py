"""``pqm org template|import|export``: a company's organisation from Excel, as a user fills it."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from pqm_tui.cli import main
from pqm_tui.i18n import catalog
from pqm_tui.model import organisation
from pqm_tui.model.db import connect
from pqm_tui.model.entities import AreaType, ProjectKind, Role

HEADERS = {
    "城市公司": ["公司", "名称"],
    "项目": ["城市公司", "名称", "类型", "地址", "通知接收人", "默认检查表"],
    "区域": ["项目", "名称", "区域类型", "顺序"],
    "部门": ["项目", "名称"],
    "人员": ["姓名", "角色", "职务", "城市公司", "项目", "部门", "电话"],
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def dump(path: Path) -> str:
    """The whole database as SQL: equal dumps, unchanged database."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def company_rows() -> dict[str, list[list[object]]]:
    """A small company as a quality department would type it (no header row)."""
    return {
        "城市公司": [["锦程物业", "成都城市公司"], ["锦程物业", "重庆城市公司"]],
        "项目": [
            ["成都城市公司", "天府花园", "住宅", "天府大道 888 号", "张伟", ""],
            ["成都城市公司", "锦程国际中心", "写字楼", "红星路 16 号", "", ""],
            ["重庆城市公司", "云璟营销中心", "案场", "", "", ""],
        ],
        "区域": [
            ["天府花园", "主入口岗亭", "出入口", 1],
            ["天府花园", "2 栋大堂", "大堂", 2],
            ["天府花园", "地下车库", "停车场", 3],
            ["锦程国际中心", "大堂", "大堂", None],
            ["云璟营销中心", "销售大厅", "销售大厅", None],
        ],
        "部门": [["天府花园", "客服部"], ["", "品质管理部"]],
        "人员": [
            ["张伟", "项目经理", "", "", "天府花园", "客服部", 13800138000],
            ["王丽华", "品质督导、品管组长", "品质督导", "", "", "品质管理部", ""],
            ["刘芳", "品质部经理", "", "", "", "品质管理部", "13900000000"],
        ],
    }


def write_workbook(path: Path, rows: dict[str, list[list[object]]]) -> Path:
    """A workbook with the template's sheets and headers, filled with ``rows``."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for sheet, headers in HEADERS.items():
        ws = book.create_sheet(sheet)
        ws.append(headers)
        for row in rows.get(sheet, []):
            ws.append(row)
    book.save(path)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "org.sqlite3"
    connect(path).close()
    return path


def test_template_filled_in_as_a_user_would_imports_and_reimports_unchanged(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "组织架构.xlsx"
    code, out, _ = run(capsys, "--db", str(db_path), "org", "template", "-o", str(template))
    assert code == 0 and "示例" in out
    book = load_workbook(template)
    assert [ws.title for ws in book.worksheets if ws.sheet_state == "visible"] == list(HEADERS)
    project_sheet = book["项目"]
    assert [c.value for c in project_sheet[1]][:3] == ["城市公司*", "名称*", "类型*"]
    assert project_sheet.max_row == 2  # headers and the example row
    kinds = {str(v.formula1) for v in project_sheet.data_validations.dataValidation}
    assert kinds and all("_lists" in k for k in kinds)
    lists = book["_lists"]
    assert [c.value for c in lists["A"]][:4] == ["住宅小区", "写字楼", "案场", "其他"]
    assert "品管组长" in [c.value for c in lists["C"]]
    # the user overwrites the example rows and adds theirs, in Excel
    for sheet, rows in company_rows().items():
        ws = book[sheet]
        ws.delete_rows(2)
        for row in rows:
            ws.append(row)
    book.save(template)

    code, out, err = run(capsys, "--db", str(db_path), "org", "import", str(template))
    assert code == 0, err
    assert "项目：新增 3" in out and "区域：新增 5" in out and "人员：新增 3" in out
    db = connect(db_path)
    garden = organisation.find_project(db, "天府花园")
    assert garden.kind == ProjectKind.RESIDENTIAL and garden.address == "天府大道 888 号"
    assert [(a.name, a.area_type) for a in organisation.list_areas(db, garden.id)] == [
        ("主入口岗亭", AreaType.GATE),
        ("2 栋大堂", AreaType.LOBBY),
        ("地下车库", AreaType.CAR_PARK),
    ]
    zhang = organisation.find_person(db, "张伟")
    assert garden.receiver_id == zhang.id
    assert zhang.roles == [Role.PROJECT_MANAGER] and zhang.role == "项目经理"
    assert zhang.phone == "13800138000" and zhang.city_company_id == garden.city_company_id
    wang = organisation.find_person(db, "王丽华")
    assert wang.roles == [Role.INSPECTOR, Role.QUALITY_GROUP_LEADER] and wang.project_id is None
    db.close()

    before = dump(db_path)
    code, out, _ = run(capsys, "--db", str(db_path), "org", "import", str(template))
    assert code == 0 and "没有任何变化" in out
    assert dump(db_path) == before


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_export_then_import_changes_nothing(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    target = tmp_path / f"org{suffix}"
    code, out, _ = run(capsys, "--db", str(demo_db_path), "org", "export", "-o", str(target))
    assert code == 0 and "项目 4" in out
    before = dump(demo_db_path)
    code, out, err = run(capsys, "--db", str(demo_db_path), "org", "import", str(target))
    assert code == 0 and "没有任何变化" in out, err
    assert dump(demo_db_path) == before
    if suffix == ".yaml":
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        assert {p["name"] for p in data["projects"]} >= {"锦程·天府花园", "锦程国际中心"}
    # and into an empty database: the same organisation
    fresh = tmp_path / "fresh.sqlite3"
    assert run(capsys, "--db", str(fresh), "org", "import", str(target))[0] == 0
    again = tmp_path / f"again{suffix}"
    assert run(capsys, "--db", str(fresh), "org", "export", "-o", str(again))[0] == 0
    if suffix == ".yaml":
        assert again.read_text(encoding="utf-8") == target.read_text(encoding="utf-8")


def test_a_phone_kept_from_before_the_phone_rule_is_not_refused(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An organisation entered before phones were checked re-imports as it is; a new or
    changed wrong phone is still refused."""
    db = connect(demo_db_path)
    with db.atomic():
        db.execute("UPDATE people SET phone = '85551234' WHERE name = '王丽华'")
    db.close()
    target = tmp_path / "org.yaml"
    assert run(capsys, "--db", str(demo_db_path), "org", "export", "-o", str(target))[0] == 0
    code, out, err = run(capsys, "--db", str(demo_db_path), "org", "import", str(target))
    assert code == 0 and "没有任何变化" in out, err
    target.write_text(
        target.read_text(encoding="utf-8").replace("85551234", "8555123"), encoding="utf-8"
    )
    code, _, err = run(capsys, "--db", str(demo_db_path), "org", "import", str(target))
    assert code == 2 and "8555123" in err


def test_export_refuses_to_overwrite_without_force(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "org.xlsx"
    target.write_text("mine")
    code, _, err = run(capsys, "--db", str(demo_db_path), "org", "export", "-o", str(target))
    assert code == 2 and "--force" in err and target.read_text() == "mine"


def _import_fails(
    capsys: pytest.CaptureFixture[str], db_path: Path, path: Path, *lang: str
) -> list[str]:
    """Import ``path``: it must fail with status 2 and leave the database as it was."""
    before = dump(db_path)
    code, out, err = run(capsys, "--db", str(db_path), *lang, "org", "import", str(path))
    assert code == 2, out
    assert "Traceback" not in err
    assert dump(db_path) == before
    return err.splitlines()


def test_every_problem_of_a_bad_workbook_in_one_message(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    rows["项目"].append(["成都城市公司", "天府花园", "住宅", "", "", ""])  # twice in one city
    rows["区域"].append(["天府花园", "机房", "锅炉房", 4])  # no such area type
    rows["人员"].append(["赵强", "保安队长", "", "", "天府花园", "", ""])  # no such role
    rows["区域"].append(["天府花园", "楼顶", "公共区域", "=A2+1"])  # a formula
    path = write_workbook(tmp_path / "bad.xlsx", rows)
    lines = _import_fails(capsys, db_path, path)
    assert lines[0] == f"pqm: {path} 有 4 个问题，未导入任何内容："
    text = "\n".join(lines)
    assert (
        "工作表“项目”第 5 行 B 列（名称）：同一城市公司“成都城市公司”下有两个项目都叫“天府花园”"
        in text
    )
    assert (
        "工作表“区域”第 7 行 C 列（区域类型）：未知的区域类型“锅炉房”；可选：出入口、大堂" in text
    )
    assert "工作表“人员”第 5 行 B 列（角色）：未知的角色“保安队长”；可选：品质督导" in text
    assert "工作表“区域”第 8 行 D 列（顺序）：单元格中是公式（=A2+1）" in text


def test_problems_in_english_with_lang_en(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    rows["区域"].append(["天府花园", "机房", "boiler room", 4])
    path = write_workbook(tmp_path / "bad.xlsx", rows)
    text = "\n".join(_import_fails(capsys, db_path, path, "--lang", "en"))
    assert "sheet “区域”, row 7, column C (区域类型): Unknown area type “boiler room”" in text
    assert "choose one of: Gate, Lobby" in text or "choose one of:" in text


def test_wrong_sheet_names_are_named_with_the_expected_ones(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    book.active.title = "Sheet1"
    book.create_sheet("项目列表").append(HEADERS["项目"])
    path = tmp_path / "sheets.xlsx"
    book.save(path)
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert "工作表“Sheet1”：不认识的工作表名：应为 城市公司、项目、区域、部门、人员 之一" in text
    assert "工作表“项目列表”：不认识的工作表名" in text


def test_merged_cells_are_refused(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_workbook(tmp_path / "merged.xlsx", company_rows())
    book = load_workbook(path)
    book["区域"].merge_cells("A2:A4")  # "天府花园" once for three areas, as people do
    book.save(path)
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert "工作表“区域” A2:A4：有合并单元格 A2:A4：请取消合并" in text


def test_empty_rows_in_the_middle_are_skipped(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    rows["区域"].insert(2, [None, None, None, None])
    rows["区域"].insert(2, ["", "", "", ""])
    path = write_workbook(tmp_path / "gaps.xlsx", rows)
    code, out, err = run(capsys, "--db", str(db_path), "org", "import", str(path))
    assert code == 0 and "区域：新增 5" in out, err


def test_a_date_where_text_is_expected_and_a_word_for_a_number(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime

    rows = company_rows()
    rows["区域"].append(["天府花园", datetime(2026, 1, 2), "楼道", "三"])  # "1-2" became a date
    path = write_workbook(tmp_path / "dates.xlsx", rows)
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert "第 7 行 B 列（名称）：Excel 把内容变成了日期（2026-01-02 00:00:00）" in text
    assert "第 7 行 D 列（顺序）：“三”不是整数" in text


def test_a_30_mb_workbook_is_refused_before_it_is_read(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as f:
        f.truncate(30 * 1024 * 1024)
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert "文件有 30.0 MB，超过 10 MB 的上限" in text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.xlsx", b"just some text", "这不是 Excel 工作簿（.xlsx）"),
        ("org.xls", b"\xd0\xcf\x11\xe0old excel", "不支持的文件类型“.xls”"),
        ("org.csv", "项目,名称\n".encode(), "不支持的文件类型“.csv”"),
        ("org.yaml", b"projects: [a: b: c]", "YAML 格式错误（第 1 行）"),
    ],
)
def test_a_file_that_is_not_a_workbook(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    expected: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert expected in "\n".join(_import_fails(capsys, db_path, path))


def test_unknown_headers_and_missing_required_columns(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "区域"
    ws.append(["项目", "区域名称", "区域类型"])
    path = tmp_path / "headers.xlsx"
    book.save(path)
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert (
        "第 1 行 B 列（区域名称）：不认识的列名；本工作表的列为：项目、名称、区域类型、顺序" in text
    )
    assert "工作表“区域”第 1 行：第 1 行缺少必需的列：名称" in text


def test_references_to_what_does_not_exist(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    rows["项目"].append(["西安城市公司", "曲江壹号", "住宅", "", "李四", "不存在的检查表"])
    rows["区域"].append(["没有的项目", "大门", "出入口", None])
    rows["人员"].append(["孙七", "部门主管", "", "", "天府花园", "工程部", ""])
    text = "\n".join(_import_fails(capsys, db_path, write_workbook(tmp_path / "r.xlsx", rows)))
    assert "没有城市公司“西安城市公司”" in text
    assert "没有检查表《不存在的检查表》" in text
    assert "没有项目“没有的项目”" in text
    assert "没有部门“工程部”" in text


def test_a_wrong_project_row_is_reported_once_not_on_each_of_its_areas(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    rows["项目"][0][2] = "别墅"  # 天府花园: no such kind; its 3 areas and people refer to it
    lines = _import_fails(capsys, db_path, write_workbook(tmp_path / "k.xlsx", rows))
    assert (
        len(lines) == 2 and "未知的项目类型“别墅”；可选：住宅小区、写字楼、案场、其他" in lines[1]
    )


def test_a_move_is_said_and_needs_yes(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = company_rows()
    assert (
        run(
            capsys,
            "--db",
            str(db_path),
            "org",
            "import",
            str(write_workbook(tmp_path / "a.xlsx", rows)),
        )[0]
        == 0
    )
    rows["项目"][1][0] = "重庆城市公司"  # 锦程国际中心 moves city
    rows["区域"][3][2] = "公共区域"  # an area changes type
    rows["人员"][0][4:6] = ["锦程国际中心", ""]  # 张伟 (same phone) moves project
    moved = write_workbook(tmp_path / "b.xlsx", rows)
    before = dump(db_path)
    code, out, _ = run(capsys, "--db", str(db_path), "org", "import", "--dry-run", str(moved))
    assert code == 0 and "试运行" in out and "区域：修改 1" in out
    assert "项目“锦程国际中心”将从城市公司“成都城市公司”移到“重庆城市公司”" in out
    code, _, err = run(capsys, "--db", str(db_path), "org", "import", str(moved))
    assert code == 2 and "--yes" in err and "移到“重庆城市公司”" in err
    assert dump(db_path) == before
    code, out, _ = run(capsys, "--db", str(db_path), "org", "import", "--yes", str(moved))
    assert code == 0 and "项目：移动 1" in out and "人员：移动 1" in out
    assert "人员“张伟”（按姓名和电话认出）将从“天府花园”移到“锦程国际中心”" in out
    db = connect(db_path)
    centre = organisation.find_project(db, "锦程国际中心")
    assert organisation.get_city_company(db, centre.city_company_id).name == "重庆城市公司"
    zhang = organisation.find_person(db, "张伟")
    assert zhang.project_id == centre.id and zhang.city_company_id == centre.city_company_id
    assert len(organisation.list_people(db)) == 3  # moved, not added


def test_every_org_message_id_of_the_code_is_in_both_catalogs() -> None:
    root = Path(__file__).parent.parent / "pqm_tui"
    used: set[str] = set()
    for name in ("model/org_file.py", "model/org_import.py", "model/organisation.py"):
        used |= set(re.findall(r'"(errors\.org\.[a-z_.]+)"', (root / name).read_text()))
    used |= {f"errors.org.unknown.{f}" for f in ("kind", "area_type", "roles")}
    used |= {f"errors.org.duplicate.project_{k}" for k in ("city", "company")}
    for lang in ("zh", "en"):
        missing = sorted(k for k in used if k not in catalog(lang))
        assert not missing, (lang, missing)


def test_the_english_template_imports_and_roles_may_be_separated_by_spaces(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "org.xlsx"
    en = ("--db", str(db_path), "--lang", "en")
    assert run(capsys, *en, "org", "template", "-o", str(template))[0] == 0
    book = load_workbook(template)
    assert book.sheetnames[:5] == ["City companies", "Projects", "Areas", "Departments", "People"]
    book["People"].append(["Li Na", "Inspector, Quality group leader", "", "", "", "", ""])
    book["People"].append(["王强", "品质督导 品管组长", "", "", "", "", ""])
    book.save(template)
    code, out, err = run(capsys, *en, "org", "import", str(template))
    assert code == 0 and "People: 3 added" in out, err
    db = connect(db_path)
    both = [Role.INSPECTOR, Role.QUALITY_GROUP_LEADER]
    assert organisation.find_person(db, "Li Na").roles == both
    assert organisation.find_person(db, "王强").roles == both
    db.close()
    again = tmp_path / "again.xlsx"
    assert run(capsys, *en, "org", "export", "-o", str(again))[0] == 0
    code, out, _ = run(capsys, *en, "org", "import", str(again))
    assert code == 0 and "nothing changed" in out


def test_a_missing_file_is_said_and_no_database_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "never.sqlite3"
    code, _, err = run(capsys, "--db", str(db), "org", "import", str(tmp_path / "无.xlsx"))
    assert code == 2 and "文件不存在" in err and not db.exists()


def test_yaml_problems_name_the_list_entry_and_field(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        "city_companies:\n- {company: 锦程物业, name: 成都城市公司}\n"
        "projects:\n- {city_company: 成都城市公司, name: 天府花园, kind: 住宅}\n"
        "areas:\n- {project: 天府花园, name: 大门, area_type: 锅炉房}\n"
        "- {project: 天府花园, name: 2026-01-02, area_type: 大堂, colour: red}\n",
        encoding="utf-8",
    )
    text = "\n".join(_import_fails(capsys, db_path, path))
    assert "“areas”第 1 项的 area_type：未知的区域类型“锅炉房”" in text
    assert "“areas”第 2 项的 name：YAML 把 2026-01-02 读成了日期：请加上引号" in text
    assert "必填" not in text  # the refused date is said once
    assert "“areas”第 2 项的 colour：不认识的字段" in text


def test_a_look_alike_of_an_existing_name_and_a_wrong_phone_are_refused(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = {  # the project named with a middle dot (U+00B7), as the company writes it
        sheet: [["锦程·天府花园" if v == "天府花园" else v for v in row] for row in sheet_rows]
        for sheet, sheet_rows in company_rows().items()
    }
    first = write_workbook(tmp_path / "first.xlsx", rows)
    code, _, err = run(capsys, "--db", str(db_path), "org", "import", str(first))
    assert code == 0, err
    rows = company_rows()
    rows["项目"] = [["成都城市公司", "锦程・天府花园", "住宅", "", "", ""]]  # katakana dot
    rows["区域"] = [["锦程国际中心", "大 堂", "大堂", 2]]  # beside 大堂 of the file
    rows["区域"].insert(0, ["锦程国际中心", "大堂", "大堂", 1])
    rows["部门"] = [["", "品质管理部 "], ["", "品质管理部"]]
    rows["人员"] = [["李静", "品质督导", "", "", "", "品质管理部", "12345"]]
    second = write_workbook(tmp_path / "second.xlsx", rows)
    text = "\n".join(_import_fails(capsys, db_path, second))
    assert "“锦程・天府花园”与已有的“锦程·天府花园”是同一个名称" in text
    assert "工作表“区域”第 3 行 B 列（名称）：“大 堂”与已有的“大堂”是同一个名称" in text
    assert "工作表“人员”第 2 行 G 列（电话）：电话号码“12345”无效" in text
    db = connect(db_path)
    names = sorted(p.name for p in organisation.list_projects(db))
    assert names == sorted(["锦程·天府花园", "锦程国际中心", "云璟营销中心"])
