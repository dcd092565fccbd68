"""The blank checklist on paper (空白检查表): the walk's areas and items, boxes, A4, few pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import checklists, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import ProjectKind
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.services.walk_plan import build_plan
from tests.people import issuer

PROPERTY = "物业服务品质检查表"
PROJECT = "锦程·天府花园"  # 12 areas: the biggest walk of the demo
A4 = (595, 842)  # points, rounded


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def service(db: Database, path: Path, settings: Settings, clock: Clock) -> DocumentService:
    return DocumentService(db, path, settings, clock, issuer(db), strict=True)


def text_of(path: Path) -> tuple[str, PdfReader]:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() or "" for page in reader.pages), reader


def codes_count(db: Database) -> int:
    return int(db.execute("SELECT count(*) FROM report_codes").fetchone()[0])


def test_blank_for_a_project_follows_the_walk(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    project = organisation.find_project(db, PROJECT)
    areas = organisation.list_areas(db, project.id)
    version = checklists.get_latest_version(db, checklists.find_checklist(db, PROPERTY).id)
    plan = build_plan(checklists.load_version(db, version.id), areas)
    before = codes_count(db)
    out = tmp_path / "blank.pdf"

    result = service(db, demo_db_path, settings, clock).blank(PROPERTY, out, PROJECT)

    text, reader = text_of(out)
    assert result.pages == len(reader.pages) <= 18  # 257 rows in 12 areas
    assert result.code == "" and codes_count(db) == before  # no verification code
    assert "空白检查表" in text and PROJECT in text and f"{PROPERTY} v{version.version}" in text
    assert {"合格", "不合格", "不适用", "处数", "扣分", "备注", "检查人"} <= set(text.split())
    for page in reader.pages:
        assert [round(float(v)) for v in page.mediabox[2:]] == list(A4)
    for n in range(1, result.pages + 1):
        assert f"第 {n} 页 共 {result.pages} 页" in text
    # the areas in walking order, each heading once
    position = 0
    for n, area in enumerate(a for a in areas if plan.items_by_area[a.id]):
        found = text.find(f"{n + 1}. {area.name}", position)
        assert found > position, area.name
        position = found
    # every item asked in the walk is on the form, as often as the walk asks it
    asked = [i.code for a in areas for i in plan.items_by_area[a.id]]
    for code in set(asked):
        assert text.count(code) >= asked.count(code), code
    assert_page_one_inside_margins(out, tmp_path)


def assert_page_one_inside_margins(pdf: Path, tmp_path: Path) -> None:
    """Page 1 at 60 dpi: A4-shaped; across its middle the table's 10 rules, none in the margins."""
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    from PIL import Image

    with Image.open(next(tmp_path.glob("p*.png"))) as img:
        grey = img.convert("L")
    width, height = grey.size
    assert abs(width / height - A4[0] / A4[1]) < 0.01
    row = [grey.getpixel((x, height // 2)) for x in range(width)]
    dark = [x for x, value in enumerate(row) if isinstance(value, int) and value < 128]
    margin = width * 16 / 210 * 0.9  # 16 mm side margins
    assert len(dark) >= 10 and min(dark) >= margin and max(dark) <= width - margin


def test_blank_without_project_is_section_by_section(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    content = checklists.load_version(
        db, checklists.get_latest_version(db, checklists.find_checklist(db, PROPERTY).id).id
    )
    out = tmp_path / "sections.pdf"
    result = service(db, demo_db_path, settings, clock).blank(PROPERTY, out)
    text, reader = text_of(out)
    assert len(content.items) == 90
    assert all(item.code in text for item in content.items)
    headings = [text.find(f"{n}. {s.code} {s.name}") for n, s in enumerate(content.sections, 1)]
    assert -1 not in headings and headings == sorted(headings)
    assert result.pages <= 8
    assert any("Noto" in str(f["/BaseFont"]) for f in _fonts(reader))


def _fonts(reader: PdfReader) -> list[dict[str, object]]:
    fonts = reader.pages[0]["/Resources"].get("/Font", {})
    return [ref.get_object() for ref in fonts.values()]


def test_cli_blank_and_its_errors(
    demo_db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def pqm(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(demo_db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    out = tmp_path / "b.pdf"
    code, said, _ = pqm(
        "report", "blank", "案场8S管理检查表", "--project", "锦程·云璟营销中心", "-o", str(out)
    )
    assert code == 0 and "空白表，无校验码" in said and out.is_file()
    code, _, err = pqm("report", "blank", "案场8S管理检查表", "-o", str(out))
    assert code == 2 and "--force" in err
    code, _, err = pqm("report", "blank", "没有这张表", "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and not (tmp_path / "x.pdf").exists()

    db = connect(demo_db_path)
    city = db.execute("SELECT city_company_id FROM projects LIMIT 1").fetchone()[0]
    organisation.add_project(db, city, "新项目", ProjectKind.RESIDENTIAL)
    db.close()
    new = tmp_path / "new.pdf"
    code, _, err = pqm("report", "blank", PROPERTY, "--project", "新项目", "-o", str(new))
    assert code == 2 and "还没有区域" in err and not new.exists()
    code, _, err = pqm(
        "--lang", "en", "report", "blank", PROPERTY, "--project", "新项目", "-o", str(new)
    )
    assert code == 2 and "has no areas yet" in err


def test_blank_on_a_new_database_installs_the_builtins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.sqlite3"
    out = tmp_path / "b.pdf"
    assert main(["--db", str(db), "--lang", "en", "report", "blank", PROPERTY, "-o", str(out)]) == 0
    assert "no verification code" in capsys.readouterr().out
