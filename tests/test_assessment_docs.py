"""Assessment documents (考核表, 汇总, 季度汇总, 考核结果通报) and ``pqm assess``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pdfplumber
import pytest
from sqlite_utils import Database

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import carry_overs, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.errors import PQMError
from pqm_tui.reports.assessment_xlsx import write_assessment_xlsx
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.production import DocumentRequest, produce
from pqm_tui.services import assessment
from tests.people import uphold_appeal

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECEMBER = Clock(tz=SHANGHAI, source=lambda: datetime(2026, 12, 1, 9, tzinfo=SHANGHAI))


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def published_november(db: Database, settings: Settings) -> str:
    worker = organisation.find_person(db, "王丽华").id
    manager = organisation.find_person(db, "黄建国").id
    assessment.compute_month(db, DECEMBER, settings, "2026-11", actor=worker)
    assessment.publish_month(db, DECEMBER, settings, "2026-11", actor=manager, city=None)
    return manager


def service(db: Database, path: Path, settings: Settings, lang: str = "zh") -> DocumentService:
    chosen = replace(settings, lang=lang)
    return DocumentService(db, path, chosen, DECEMBER, organisation.find_person(db, "王丽华").id)


def test_the_assessment_form_of_a_project_and_its_revision(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    published_november(db, settings)
    documents = service(db, demo_db_path, settings)
    first = documents.issue("assessment", "2026-11@锦程·天府花园", tmp_path / "sheet.pdf")
    text = flat(pdf_text(first.path))
    for words in ("品质检查考核表", "锦程·天府花园", "2026-11", "计入考核的检查", "88.8"):
        assert words in text
    assert "78.8" in text and "待改进" in text and "已发布" in text  # October's carry-overs too
    assert "黄建国于2026-12-01发布" in text
    assert text.count("−2") >= 3  # three carry-overs of 2 points
    assert "发布后的修订" not in text
    # an upheld appeal voids a carry-over: recomputed, the form shows the revision
    garden = organisation.find_project(db, "锦程·天府花园")
    carry = carry_overs.carry_overs(db, project_id=garden.id, month="2026-11")[0]
    later = Clock(tz=SHANGHAI, source=lambda: datetime(2026, 12, 3, 10, tzinfo=SHANGHAI))
    uphold_appeal(db, later, carry.rectification_item_id, "属实，撤销")
    manager = organisation.find_person(db, "黄建国").id
    assessment.compute_month(db, later, settings, "2026-11", actor=manager)
    again = documents.issue("assessment", "2026-11@锦程·天府花园", tmp_path / "sheet2.pdf")
    revised = flat(pdf_text(again.path))
    assert "发布后的修订" in revised and "结转扣分：2→—（属实，撤销）" in revised
    assert again.code != first.code  # a different content, a different code
    english = service(db, demo_db_path, settings, "en").issue(
        "assessment", "2026-11@锦程·天府花园", tmp_path / "sheet-en.pdf"
    )
    said = pdf_text(english.path)
    assert "Quality inspection assessment form" in said and "Revisions after publication" in said


def test_summary_quarter_and_results_circular(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    published_november(db, settings)
    documents = service(db, demo_db_path, settings)
    summary = flat(
        pdf_text(documents.issue("assessment-summary", "2026-11", tmp_path / "s.pdf").path)
    )
    assert "月度考核汇总表" in summary
    # ranked by score: 滨江壹号 82, 天府花园 78.8, 云璟营销中心 76 (the last two also lose
    # the carry-overs of October, a month without a counted check); 国际中心 not assessed
    order = [summary.index(n) for n in ("锦程·滨江壹号", "锦程·天府花园", "锦程·云璟营销中心")]
    assert (
        order == sorted(order) and "1锦程·滨江壹号" in summary and "3锦程·云璟营销中心" in summary
    )
    assert "—锦程国际中心" in summary and "平均得分78.9" in summary  # (82 + 78.8 + 76) / 3
    quarter = flat(pdf_text(documents.issue("quarter", "2026Q4", tmp_path / "q.pdf").path))
    assert "季度考核汇总表" in quarter and "缺考月份" in quarter and "2026-12" in quarter
    results = flat(pdf_text(documents.issue("results", "2026-11", tmp_path / "r.pdf").path))
    assert "考核结果通报" in results and "考核排名" in results
    assert "最好锦程·滨江壹号" in results and "最差锦程·云璟营销中心" in results
    assert "未考核锦程国际中心" in results
    with pytest.raises(PQMError) as refused:  # nothing computed in the third quarter
        produce(documents, DocumentRequest("quarter", "2026Q3", tmp_path / "q3.pdf"))
    assert refused.value.key == "assess.err.not_computed_month"
    assert not (tmp_path / "q3.pdf").exists()


def test_the_documents_as_workbooks(
    db: Database, demo_db_path: Path, settings: Settings, tmp_path: Path
) -> None:
    published_november(db, settings)
    documents = service(db, demo_db_path, settings)
    summary = documents.build("assessment-summary", "2026-11").context
    out = tmp_path / "summary.xlsx"
    assert write_assessment_xlsx(out, summary, documents.tr) == 4
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "项目", "检查次数")
    garden = next(r for r in rows if r[1] == "锦程·天府花园")
    assert garden[6] == pytest.approx(78.8) and garden[7] == "待改进"  # a number, not text
    sheet = documents.build("assessment", "2026-11@锦程·天府花园").context
    book = tmp_path / "sheet.xlsx"
    write_assessment_xlsx(book, sheet, documents.tr)
    assert openpyxl.load_workbook(book).sheetnames == [
        "品质检查考核表",
        "计入考核的检查",
        "结转扣分",
        "发布后的修订",
    ]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_pqm_assess_month_publish_quarter_and_report(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ("--db", str(demo_db_path), "--tz", "Asia/Shanghai")
    code, _, err = run(capsys, *base, "assess", "month", "--month", "2026-11")
    assert code == 2 and "--as" in err  # who computes it is recorded
    code, out, _ = run(capsys, *base, "--as", "王丽华", "assess", "month", "--month", "2026-11")
    assert code == 0 and "锦程·天府花园" in out and "78.8" in out and "草稿" in out
    code, out, _ = run(
        capsys, *base, "--as", "黄建国", "assess", "month", "--month", "2026-11", "--publish"
    )
    assert code == 0 and "已发布 4 个项目的考核" in out
    code, out, _ = run(
        capsys, *base, "--as", "王丽华", "assess", "month", "--month", "2026-11", "--format", "json"
    )
    listed = {x["project"]: x for x in json.loads(out)}
    assert listed["锦程·天府花园"]["score"] == "78.80"
    assert listed["锦程国际中心"]["flag"] == assessment.NO_INSPECTION
    assert listed["锦程·天府花园"]["state"] == "published"
    code, out, _ = run(capsys, *base, "--lang", "en", "assess", "quarter", "--quarter", "2026Q4")
    assert code == 0 and "2026-10" in out and "Missing months" in out
    code, _, err = run(capsys, *base, "assess", "quarter", "--quarter", "2026Q9")
    assert code == 2 and "2026Q4" in err
    out_pdf, out_xlsx = tmp_path / "r.pdf", tmp_path / "q.xlsx"
    code, out, _ = run(
        capsys,
        *base,
        "--as",
        "王丽华",
        "report",
        "results",
        "--month",
        "2026-11",
        "-o",
        str(out_pdf),
    )
    assert code == 0 and out_pdf.is_file() and "考核结果通报" in pdf_text(out_pdf)
    code, out, _ = run(
        capsys,
        *base,
        "--as",
        "王丽华",
        "report",
        "quarter",
        "--quarter",
        "2026Q4",
        "-o",
        str(out_xlsx),
    )
    assert code == 0 and out_xlsx.is_file()
    sheet = tmp_path / "sheet.pdf"
    code, out, _ = run(
        capsys,
        *base,
        "--as",
        "王丽华",
        "report",
        "assessment",
        "--month",
        "2026-11",
        "--project",
        "锦程·天府花园",
        "-o",
        str(sheet),
    )
    assert code == 0
    printed = out.split("校验码")[-1].strip()
    code, out, _ = run(capsys, *base, "verify", "--code", printed)
    assert code == 0 and "品质检查考核表（锦程·天府花园 · 2026-11）" in out  # no internal id
