"""Every document kind fits the page (版心): no character and no table line past the margins.

The demo database is stretched to the longest realistic values (a long project name and
address, six inspectors, long receiver and department names, long notes), then each kind
is rendered in both languages and measured with pdfplumber.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.reports.blank import blank_reference
from pqm_tui.reports.document_service import DocumentService
from tests.people import issuer

MM = 72 / 25.4
SIDE = 16 * MM  # print.css: @page margin 22mm 16mm 20mm 16mm
TOP, BOTTOM = 22 * MM, 20 * MM
NEARLY_BLANK = 60  # characters in a page's body: fewer is a table header alone
TOLERANCE = 0.6  # points: glyph side bearings and half a border line

PROJECT = "锦程·天府花园二期（东区）商业综合体及配套地下停车场物业服务中心"
ADDRESS = "四川省成都市高新区天府大道北段一千二百八十八号锦程国际中心写字楼A座与B座之间连廊"
RECEIVER = "锦程物业服务有限公司成都分公司天府花园项目客户服务部主管（代签）欧阳慕容"
DEPARTMENT = "锦程物业服务有限公司成都城市公司品质管理部（华西区域品质督导中心）"
NOTE = (
    "大堂东侧消防通道堆放装修垃圾及废弃纸箱约二十余件，堵塞疏散通道宽度超过一半；"
    "现场已告知值班保安，未见处理。Fire exit blocked by construction waste (approx. 20 "
    "cartons), over half the width; the guard on duty was told and nothing was done. "
) * 4
LOCATION = "3栋2单元18层东侧消防楼梯间与电梯前室之间的公共走道（靠近强电井）Stairwell-east"
LONG_NOTE = (NOTE * 10)[:5000]  # one finding's note of 5,000 characters
INSPECTORS = [
    "诸葛明远",
    "欧阳慕容雪",
    "司马长风",
    "上官婉清",
    "Alexandra Montgomery-Smith",
    "皇甫嵩",
]


def stretch(db: Database, inspection_id: str) -> None:
    """Give the demo its longest realistic values (the copy only: locks dropped)."""
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%locked%'"
    ).fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.execute("UPDATE projects SET name = ? || rowid, address = ?", [PROJECT, ADDRESS])
    db.execute("UPDATE notices SET received_by = ?, received_at = issued_at", [RECEIVER])
    db.execute("UPDATE notices SET issuing_department = ?", [DEPARTMENT])
    db.execute("UPDATE inspections SET receiver_name = ?", [RECEIVER])
    db.execute(
        "UPDATE findings SET note = ?, department = ?, location = ? WHERE result = 'fail'",
        [NOTE, DEPARTMENT, LOCATION],
    )
    db.execute(
        "UPDATE findings SET note = ? WHERE rowid = (SELECT min(rowid) FROM findings "
        "WHERE result = 'fail' AND inspection_id = ?)",
        [LONG_NOTE, inspection_id],
    )
    db.execute(
        "UPDATE supervision_notes SET text = ? WHERE rowid IN "
        "(SELECT rowid FROM supervision_notes LIMIT 3)",
        [NOTE],
    )
    people = [r[0] for r in db.execute("SELECT id FROM people ORDER BY id LIMIT 6").fetchall()]
    for position, (person, name) in enumerate(zip(people, INSPECTORS, strict=False)):
        db.execute("UPDATE people SET name = ? WHERE id = ?", [name, person])
        db.execute(
            "INSERT OR IGNORE INTO inspection_inspectors (inspection_id, person_id, position) "
            "VALUES (?, ?, ?)",
            [inspection_id, person, 10 + position],
        )
    db.conn.commit()


def outside(page: Any, number: int) -> list[str]:
    """Characters, table lines and images of a page past the left or right margin."""
    bad: list[str] = []
    left, right = SIDE - TOLERANCE, page.width - SIDE + TOLERANCE
    for char in page.chars:
        if char["x0"] < left or char["x1"] > right or char["bottom"] > page.height:
            bad.append(f"p{number} {char['text']!r} x {char['x0']:.1f}–{char['x1']:.1f}")
    for shape in page.rects + page.lines:
        if shape["x0"] < left or shape["x1"] > right:
            bad.append(f"p{number} line x {shape['x0']:.1f}–{shape['x1']:.1f}")
    for image in page.images:  # a photo or signature, the notice's thumbnails too
        if image["x0"] < left or image["x1"] > right:
            bad.append(f"p{number} image x {image['x0']:.1f}–{image['x1']:.1f}")
    return bad


def nearly_blank(page: Any) -> bool:
    """(Almost) nothing between the running header and footer: a tall row pushed to the
    next page leaves only a repeated table header behind."""
    body = sum(c["top"] >= TOP and c["bottom"] <= page.height - BOTTOM for c in page.chars)
    return body < NEARLY_BLANK


def problems_of(pdf_path: Path) -> list[str]:
    """Past the margins on any page, nearly blank on a page before the last (the PDF is
    parsed once: pdfplumber takes seconds for a long document)."""
    bad: list[str] = []
    blank: list[str] = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            bad += outside(page, number)
            if number < len(pdf.pages) and nearly_blank(page):
                blank.append(f"p{number} nearly blank")
    return bad + blank


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_document_kind_fits_the_margins(
    demo_db_path: Path, clock: Clock, tmp_path: Path, lang: str
) -> None:
    db = connect(demo_db_path)
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    inspection_id = next(r.inspection.id for r in rows if r.failed)
    number, month = db.execute(
        """SELECT n.number, substr(e.at, 1, 7) FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' LIMIT 1"""
    ).fetchone()
    reinspection = db.execute(
        "SELECT id FROM inspections WHERE kind = 're-inspection' AND status = 'signed' LIMIT 1"
    ).fetchone()[0]
    draft = db.execute("SELECT id FROM inspections WHERE status = 'draft' LIMIT 1").fetchone()[0]
    stretch(db, inspection_id)
    project = db.execute(
        "SELECT p.name FROM projects p JOIN inspections i ON i.project_id = p.id WHERE i.id = ?",
        [inspection_id],
    ).fetchone()[0]
    settings = Settings(
        db=demo_db_path,
        timezone="Asia/Shanghai",
        lang=lang,
        company_name="锦程物业服务集团股份有限公司（华西区域成都城市公司）",
    )
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db))
    documents = {
        "notice": inspection_id,
        "notice2": number,
        "report": inspection_id,
        "reinspection": reinspection,
        "draft": draft,
        "circular": month,
        "blank": blank_reference("物业服务品质检查表", project),
    }
    problems = {}
    for name, reference in documents.items():
        out = tmp_path / f"{name}-{lang}.pdf"
        kind = "report" if name in ("reinspection", "draft") else name
        svc.issue(kind, reference, out)
        if bad := problems_of(out):
            problems[name] = bad[:5]
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
