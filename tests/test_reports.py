"""PDF documents: notice, report, second notice, circular — text, pages, fonts, pixels."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlite_utils import Database

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.model import amendments, findings, inspections, notes, notices, rectification
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.model.errors import NotFoundError
from pqm_tui.reports.document_service import DocumentService, check_code
from tests.people import issuer


def service(db: Database, path: Path, settings: Settings, clock: Clock) -> DocumentService:
    return DocumentService(db, path, settings, clock, issuer(db), strict=True)


def signed_with_failures(db: Database) -> str:
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    return next(r.inspection.id for r in rows if r.failed)


def pdf_text(path: Path) -> tuple[list[str], PdfReader]:
    reader = PdfReader(path)
    return [page.extract_text() or "" for page in reader.pages], reader


def fonts_of(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            for desc in font.get("/DescendantFonts", []):
                descriptor = desc.get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return names


def page_one_png(pdf: Path, tmp_path: Path) -> Path:
    prefix = tmp_path / pdf.stem
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix)], check=True
    )
    png = next(tmp_path.glob(f"{pdf.stem}*.png"))
    from PIL import Image

    with Image.open(png) as img:
        grey = img.convert("L")
        dark = sum(grey.histogram()[:128])
    assert dark > 2000, f"page 1 of {pdf.name} looks blank ({dark} dark pixels)"
    return png


@pytest.fixture
def db(demo_db_path: Path) -> Database:
    return connect(demo_db_path)


def test_notice_has_project_items_deadlines_numbering_and_cjk_font(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    inspection_id = signed_with_failures(db)
    out = tmp_path / "notice.pdf"
    result = service(db, demo_db_path, settings, clock).notice(inspection_id[-8:], out)
    pages, reader = pdf_text(out)
    text = "\n".join(pages)
    notice = notices.notices_of_inspection(db, inspection_id)[0]
    items = rectification.items_of_inspection(db, inspection_id)
    project = db.execute(
        "SELECT p.name FROM projects p JOIN inspections i ON i.project_id = p.id WHERE i.id = ?",
        [inspection_id],
    ).fetchone()[0]
    assert result.number == notice.number and notice.number in text
    assert project in text and "整改通知单" in text
    for item in items:
        assert item.deadline and item.deadline in text.replace("-\n", "-")
    codes = [
        r[0]
        for r in db.execute(
            """SELECT it.code FROM rectification_items r JOIN findings f ON f.id = r.finding_id
           JOIN items it ON it.id = f.item_id WHERE r.notice_id = ?""",
            [notice.id],
        )
    ]
    assert all(code in text for code in codes)
    assert "整改回复" in text and "签收" in text and "书面申请" in text
    assert len(pages) == result.pages == len(reader.pages)
    for n, page in enumerate(pages, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in page
    assert any("NotoSerifCJK" in f.replace("-", "") or "Noto" in f for f in fonts_of(reader))
    page_one_png(out, tmp_path)


def test_report_has_scores_signers_notes_and_chart(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    inspection_id = signed_with_failures(db)
    out = tmp_path / "report.pdf"
    result = service(db, demo_db_path, settings, clock).report(inspection_id, out)
    pages, reader = pdf_text(out)
    text = "\n".join(pages)
    inspection = inspections.get_inspection(db, inspection_id)
    names = [
        r[0]
        for r in db.execute(
            """SELECT p.name FROM inspection_inspectors ii JOIN people p ON p.id = ii.person_id
           WHERE ii.inspection_id = ?""",
            [inspection_id],
        )
    ]
    assert inspection.receiver_name and inspection.receiver_name in text
    assert all(name in text for name in names)
    assert "品质检查报告" in text and "各板块得分率" in text and "品质监督记录" in text
    assert result.code in text
    for note in notes.list_notes(db, inspection_id):
        assert note.text[:8] in text
    for n, page in enumerate(pages, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in page
    assert fonts_of(reader)
    page_one_png(out, tmp_path)


def test_english_report_numbers_pages_in_english(
    db: Database, demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    settings = Settings(lang="en", timezone="Asia/Shanghai")
    out = tmp_path / "report-en.pdf"
    service(db, demo_db_path, settings, clock).report(signed_with_failures(db), out)
    pages, _ = pdf_text(out)
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_verification_code_detects_a_change(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    inspection_id = signed_with_failures(db)
    result = service(db, demo_db_path, settings, clock).report(inspection_id, tmp_path / "r.pdf")
    stored, same = check_code(
        db, demo_db_path, settings, clock, result.code.lower().replace("-", "")
    )
    assert same and stored.subject == inspection_id
    finding = next(f for f in findings.list_findings(db, inspection_id) if f.result.value == "fail")
    amendments.add_amendment(db, clock, "陈志强", finding, "note", "更正后的描述", "笔误")
    _, same_after = check_code(db, demo_db_path, settings, clock, result.code)
    assert not same_after


def test_building_writes_nothing_issuing_records_the_code(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    svc = service(db, demo_db_path, settings, clock)
    draft = svc.build("report", signed_with_failures(db))
    code = draft.context.verification.code
    assert draft.template == "report.html"
    with pytest.raises(NotFoundError):  # built, not issued: no code recorded
        check_code(db, demo_db_path, settings, clock, code)
    result = svc.issue("report", draft.subject, tmp_path / "r.pdf")
    assert result.code == code and check_code(db, demo_db_path, settings, clock, code)[1]


def test_second_notice_and_circular(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    number, month, level = db.execute(
        """SELECT n.number, substr(e.at, 1, 7), r.escalation_level FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' AND r.status = 'open' LIMIT 1"""
    ).fetchone()
    svc = service(db, demo_db_path, settings, clock)
    first = svc.notice2(number, tmp_path / "n2.pdf")
    again = svc.notice2(number, tmp_path / "n2b.pdf")
    assert first.number == again.number != number  # one second notice, its own number
    text = "\n".join(pdf_text(tmp_path / "n2.pdf")[0])
    assert "第二次整改通知单" in text and number in text and f"升级 {level} 级" in text
    assert level >= 1
    circ = svc.circular(month, tmp_path / "c.pdf")
    text = "\n".join(pdf_text(tmp_path / "c.pdf")[0])
    flat = text.replace("\n", "")
    assert "品质问题通报" in text and number in flat and "结转扣分合计" in text
    assert circ.pages >= 1
    empty = svc.circular("2001-01", tmp_path / "empty.pdf")
    assert "没有复检不合格" in "\n".join(pdf_text(tmp_path / "empty.pdf")[0])
    assert empty.pages == 1


def test_cli_report_commands(
    demo_db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PQM_AS", "黄建国")  # 品质部经理: the quality department issues them
    db = connect(demo_db_path)
    short = signed_with_failures(db)[-8:]
    out = tmp_path / "n.pdf"
    assert main(["--db", str(demo_db_path), "report", "notice", short, "-o", str(out)]) == 0
    assert re.search(r"校验码 [A-Z2-7]{5}-[A-Z2-7]{5}", capsys.readouterr().out)
    assert main(["--db", str(demo_db_path), "report", "notice", short, "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    draft = inspections.list_inspections(db, status=InspectionStatus.DRAFT)[0].inspection.id
    assert (
        main(["--db", str(demo_db_path), "report", "notice", draft, "-o", str(tmp_path / "d.pdf")])
        == 2
    )
    assert "没有整改通知单" in capsys.readouterr().err
    assert not (tmp_path / "d.pdf").exists()
    assert (
        main(
            [
                "--db",
                str(demo_db_path),
                "report",
                "circular",
                "--month",
                "2026-13",
                "-o",
                str(tmp_path / "c.pdf"),
            ]
        )
        == 2
    )


def test_missing_cjk_font_names_the_package(
    db: Database,
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pqm_tui.reports import assets

    monkeypatch.setattr(assets, "cjk_fonts", lambda: [])
    with pytest.raises(assets.FontMissingError, match="fonts-noto-cjk"):
        service(db, demo_db_path, settings, clock).notice(
            signed_with_failures(db), tmp_path / "x.pdf"
        )
    assert not (tmp_path / "x.pdf").exists()


def test_empty_month_gives_no_circular_unless_forced(
    demo_db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PQM_AS", "黄建国")
    out = tmp_path / "c.pdf"
    args = ["--db", str(demo_db_path), "report", "circular", "--month", "2001-01", "-o", str(out)]
    assert main(args) == 2
    assert "本月无复检不合格项" in capsys.readouterr().err and not out.exists()
    assert main([*args, "--force"]) == 0 and out.is_file()


def test_reinspection_report_lists_follow_up_notices_and_no_band(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    reinspection, number = db.execute(
        """SELECT json_extract(data, '$.reinspection_id'), json_extract(data, '$.notice_number')
           FROM rectification_events WHERE action = 'reinspection-failed' LIMIT 1"""
    ).fetchone()
    svc = service(db, demo_db_path, settings, clock)
    svc.report(reinspection, tmp_path / "r.pdf")
    flat = "\n".join(pdf_text(tmp_path / "r.pdf")[0]).replace("\n", "")
    assert number in flat and "复检后通知单" in flat
    assert "档位 " not in flat and "绩效调整 " not in flat and "复检只核对整改项" in flat


def test_second_notice_states_what_the_reinspection_found(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    number, day = db.execute(  # the item's latest failed re-inspection is printed
        """SELECT n.number, substr(max(e.at), 1, 10) FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' AND r.status = 'open'
           GROUP BY r.id ORDER BY min(e.rowid) LIMIT 1"""
    ).fetchone()
    service(db, demo_db_path, settings, clock).notice2(number, tmp_path / "n2.pdf")
    flat = "\n".join(pdf_text(tmp_path / "n2.pdf")[0]).replace("\n", "")
    assert f"复检（{day}）发现" in flat


def test_draft_report_score_is_provisional_with_what_is_unanswered(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    from pqm_tui.services.inspection_state import load_state

    draft = inspections.list_inspections(db, status=InspectionStatus.DRAFT)[0].inspection.id
    counts = load_state(db, settings, draft).counts
    assert counts.unanswered > 0
    service(db, demo_db_path, settings, clock).report(draft, tmp_path / "d.pdf")
    flat = "\n".join(pdf_text(tmp_path / "d.pdf")[0]).replace("\n", "")
    assert "（暂定）" in flat
    assert f"还有 {counts.unanswered} 处（{counts.unanswered_items} 项）未查" in flat
    assert f"未查 {counts.unanswered} 处" in flat  # the summary screen's count


def test_notice_numbers_never_break_across_lines(
    db: Database, demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    month = db.execute(
        "SELECT substr(at, 1, 7) FROM rectification_events "
        "WHERE action = 'reinspection-failed' LIMIT 1"
    ).fetchone()[0]
    service(db, demo_db_path, settings, clock).circular(month, tmp_path / "c.pdf")
    text = "\n".join(pdf_text(tmp_path / "c.pdf")[0])
    assert text.count("ZG-") == len(re.findall(r"ZG-\d{6}-\d{4}", text)) > 0
