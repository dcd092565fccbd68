"""How the documents print a finding: its 位置, its 问题描述 (or a marked line when the
inspector wrote none), and its photos inside the 照片 column whatever their shape.

The inspection is walked through the walk screen's service (``WalkSession``), as an
inspector records it: one failure located at 北门岗亭 with a wide and a tall photo, one
failure saved without a note. Its notice and report are read back with pdfplumber.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from PIL import Image
from sqlite_utils import Database

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model import checklists, inspections, organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import InspectionKind, Result
from pqm_tui.reports.context import content_sha256
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.services import photos
from pqm_tui.services.signoff import sign_off
from pqm_tui.services.walk_session import WalkSession
from tests.people import issuer, person_id

LOCATION = "北门岗亭"
NOTE = "岗亭玻璃破损"
MM = 72 / 25.4
SIDE = 16 * MM  # print.css: the page's side margins
TOLERANCE = 0.6  # points: half a border line


@dataclass(frozen=True)
class Walked:
    inspection_id: str
    located: str  # item code of the located, photographed failure
    bare: str  # item code of the failure saved without a note


def walk(db: Database, db_path: Path, clock: Clock, settings: Settings, card: Path) -> Walked:
    """王丽华 walks a demo project: two failures, everything else passes; signed."""
    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspector = person_id(db, "王丽华")
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.SPECIAL, version.latest_version_id, [inspector]
    )
    set_actor(db, inspector)
    session = WalkSession(db, clock, settings, inspection.id, db_path)
    pairs = session.plan.pairs
    located, bare = pairs[0], pairs[1]
    card.mkdir(parents=True, exist_ok=True)
    shots = []
    for name, size in (("wide", (1600, 300)), ("tall", (300, 1600)), ("square", (600, 600))):
        source = card / f"{name}.jpg"
        Image.new("RGB", size, (30, 90, 200)).save(source, "JPEG")
        shots.append(photos.store_photo(db_path, source))
    details = session.default_failure(*located, 1)
    details.note, details.location, details.photos = NOTE, LOCATION, shots
    session.fail(*located, details)
    session.fail(*bare, session.default_failure(*bare, 1))  # no note written
    for pair in pairs[2:]:
        session.answer(*pair, Result.PASS)
    sign_off(db, clock, settings, inspection.id, receiver_name="张伟", receiver_role="项目经理")
    return Walked(inspection.id, session.items[located[1]].code, session.items[bare[1]].code)


@pytest.fixture
def walked(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> tuple[Database, Walked]:
    db = connect(demo_db_path)
    return db, walk(db, demo_db_path, clock, settings, tmp_path / "card")


def border_right_of(page: Any, word: dict[str, Any]) -> float | None:
    """The x of the first cell border right of a word on its line, None out of a table."""
    borders = [
        edge["x0"]
        for edge in page.vertical_edges
        if edge["x0"] > word["x1"] and edge["top"] <= word["top"] <= edge["bottom"]
    ]
    return min(borders, default=None)


def column_text(path: Path, header: str) -> str:
    """The text of one table column on every page (from its heading down, to the cell
    border right of the heading), lines joined."""
    text = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for found in page.search(header)[:1]:
                right = border_right_of(page, found)
                if right is not None:  # a heading in a table, not a word in the text
                    box = (found["x0"] - 2 * MM, found["top"], right, page.height)
                    text.append(page.crop(box).extract_text() or "")
    return "".join(text).replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_notice_and_report_print_where_and_what_of_every_finding(
    walked: tuple[Database, Walked], demo_db_path: Path, clock: Clock, tmp_path: Path, lang: str
) -> None:
    db, w = walked
    settings = Settings(db=demo_db_path, timezone="Asia/Shanghai", lang=lang)
    tr = Translator(lang)
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    for kind in ("notice", "report"):
        out = tmp_path / f"{kind}-{lang}.pdf"
        svc.issue(kind, w.inspection_id, out)
        notes = column_text(out, tr("reports.col.note"))
        assert tr("reports.location", location=LOCATION).replace(" ", "") in notes, kind
        with pdfplumber.open(out) as pdf:  # whole on its line: ``pdftotext | grep 北门`` finds it
            lines = [line for page in pdf.pages for line in (page.extract_text() or "").split("\n")]
        assert any(LOCATION in line for line in lines), kind
        assert NOTE in notes, kind
        # the failure without a note says so, marked, instead of an empty 问题描述
        assert notes.count(tr("reports.no_note").replace(" ", "")) == 1, kind


def test_notice_thumbnails_stay_inside_the_photos_column(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    out = tmp_path / "notice.pdf"
    svc.notice(w.inspection_id, out)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        images = page.images
        header = page.search("照片")[0]  # the 照片 column's heading, centred or left in its cell
        right = page.width - SIDE + TOLERANCE  # the column's right border is the table's
        left = (
            min(
                x["x0"]
                for x in page.rects + page.lines
                if x["x1"] - x["x0"] < 1
                and x["x0"] <= header["x0"]
                and x["x0"] > header["x0"] - 10 * MM
            )
            - TOLERANCE
        )
    assert len(images) == 3
    for image in images:
        assert left <= image["x0"] and image["x1"] <= right, (image["x0"], image["x1"], left, right)
        ratio = (image["x1"] - image["x0"]) / (image["bottom"] - image["top"])
        assert ratio == pytest.approx(image["srcsize"][0] / image["srcsize"][1], rel=0.05)


def test_report_photos_are_whole_not_cropped(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    """A crop can cut off what was wrong: the report shows each photo in its own shape."""
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    out = tmp_path / "report.pdf"
    svc.report(w.inspection_id, out)
    with pdfplumber.open(out) as pdf:
        width = pdf.pages[0].width
        images = [image for page in pdf.pages for image in page.images]
    assert len(images) == 3
    for image in images:  # a cropped photo is drawn whole and clipped: larger than its box
        wide, high = image["x1"] - image["x0"], image["bottom"] - image["top"]
        assert wide <= 48 * MM + TOLERANCE and high <= 36 * MM + TOLERANCE, (wide, high)
        assert image["x0"] >= SIDE - TOLERANCE and image["x1"] <= width - SIDE + TOLERANCE
        assert wide / high == pytest.approx(image["srcsize"][0] / image["srcsize"][1], rel=0.05)


def test_english_report_breaks_no_word_of_the_failed_items(
    walked: tuple[Database, Walked], demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    db, w = walked
    settings = Settings(db=demo_db_path, timezone="Asia/Shanghai", lang="en")
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    out = tmp_path / "report-en.pdf"
    svc.report(w.inspection_id, out)
    with pdfplumber.open(out) as pdf:
        words = {word["text"] for page in pdf.pages for word in page.extract_words()}
    assert {"Deduction", "Severity", "Serious", "Normal"} <= words


def test_location_on_the_notice_keeps_earlier_codes_valid(
    walked: tuple[Database, Walked], demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    """The 位置 is printed but left out of the hash: a notice issued before it was printed
    (same facts, no location on its rows) keeps its verification code."""
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    facts = svc.facts.notice(*svc.facts.first_notice(w.inspection_id))
    assert LOCATION in [row.finding_location for row in facts.rows]
    before = dataclasses.replace(
        facts, rows=tuple(dataclasses.replace(r, finding_location="") for r in facts.rows)
    )
    assert content_sha256(before) == content_sha256(facts)


def test_second_notice_and_circular_print_the_location_and_a_missing_note(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    db = connect(demo_db_path)
    number, month, finding = db.execute(
        """SELECT n.number, substr(e.at, 1, 7), r.finding_id FROM rectification_events e
           JOIN rectification_items r ON r.id = e.item_id JOIN notices n ON n.id = r.notice_id
           WHERE e.action = 'reinspection-failed' AND r.status = 'open' LIMIT 1"""
    ).fetchone()
    for (trigger,) in db.execute(  # this copy only: the signed finding's lock dropped
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%locked%'"
    ).fetchall():
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("UPDATE findings SET location = ?, note = '' WHERE id = ?", [LOCATION, finding])
    db.conn.commit()
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    svc.notice2(number, tmp_path / "n2.pdf")
    svc.circular(month, tmp_path / "c.pdf")
    for name in ("n2.pdf", "c.pdf"):
        notes = column_text(tmp_path / name, "问题描述")
        assert f"位置：{LOCATION}" in notes, name
        assert "（未填写问题描述）不符合本项标准" in notes, name


def test_findings_export_has_the_location_as_its_last_column(
    walked: tuple[Database, Walked], demo_db_path: Path, tmp_path: Path
) -> None:
    db, w = walked
    db.close()
    target = tmp_path / "findings.csv"
    args = ["--db", str(demo_db_path), "--tz", "Asia/Shanghai", "--as", "王丽华"]
    period = ["--from", "2026-11-23", "--to", "2026-11-23"]
    assert main([*args, "inspection", "export", *period, "-o", str(target)]) == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header[-1] == "位置" and header[2] == "区域"  # earlier columns keep their places
    assert [(row[3], row[-1]) for row in rows if row[-1]] == [(w.located, LOCATION)]
