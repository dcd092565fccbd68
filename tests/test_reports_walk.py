"""A walk as the app records it, then its notice and report: photos, 缺照片, "—", N/A list.

The inspection is made through the same service the walk screen uses
(``WalkSession`` + ``photos.store_photo``), signed, and printed; the PDFs are
read back (text and embedded images).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlite_utils import Database

from pqm_tui.config import Settings
from pqm_tui.model import checklists, inspections, organisation, rectification
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect, set_actor
from pqm_tui.model.entities import InspectionKind, Result
from pqm_tui.paths import media_dir
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.services import photos
from pqm_tui.services.signoff import sign_off
from pqm_tui.services.walk_session import WalkSession
from tests.people import issuer


@dataclass(frozen=True)
class Walked:
    inspection_id: str
    with_photo: str  # item code of the failure with a photo
    lacking: str  # item code of the photo-required failure saved without one
    skipped_section: str  # code of the section answered N/A everywhere
    na_pairs: int


def walk(db: Database, db_path: Path, clock: Clock, settings: Settings, card: Path) -> Walked:
    """Walk a demo project: two failures (one with a real JPEG), one section all N/A; sign."""
    project = next(p for p in organisation.list_projects(db) if p.name == "锦程·天府花园")
    version = next(c for c in checklists.list_checklists(db) if "物业服务" in c.checklist.name)
    inspector = organisation.inspectors(db)[0]
    inspection = inspections.create_inspection(
        db, clock, project.id, InspectionKind.SPECIAL, version.latest_version_id, [inspector.id]
    )
    set_actor(db, inspector.id)  # the inspector walks and signs
    session = WalkSession(db, clock, settings, inspection.id, db_path)
    pairs = session.plan.pairs
    section_of = {i: session.items[i].section_id for _, i in pairs}
    required = [(a, i) for a, i in pairs if session.items[i].photo_required]
    first = required[0]
    second = next(p for p in required if section_of[p[1]] == section_of[first[1]] and p != first)
    others = [s for s in session.content.sections if s.id != section_of[first[1]]]
    skipped = max(others, key=lambda s: sum(section_of[i] == s.id for _, i in pairs))
    assert any(section_of[i] == skipped.id for _, i in pairs)

    card.mkdir(parents=True, exist_ok=True)
    source = card / "现场 1.jpg"
    Image.new("RGB", (320, 240), (200, 30, 30)).save(source, "JPEG")
    details = session.default_failure(*first, 1)
    details.note = "消防通道堆放杂物"
    details.photos = [photos.store_photo(db_path, source)]
    session.fail(*first, details)
    bare = session.default_failure(*second, 1)
    bare.note = "垃圾桶满溢（未拍照）"
    session.fail(*second, bare)  # the panel's second ctrl+s: saved without the required photo
    na_pairs = 0
    for area_id, item_id in pairs:
        if (area_id, item_id) in (first, second):
            continue
        result = Result.NA if section_of[item_id] == skipped.id else Result.PASS
        na_pairs += result == Result.NA
        session.answer(area_id, item_id, result)
    sign_off(db, clock, settings, inspection.id, receiver_name="张伟", receiver_role="项目经理")
    return Walked(
        inspection.id,
        session.items[first[1]].code,
        session.items[second[1]].code,
        skipped.code,
        na_pairs,
    )


def flat_text(path: Path) -> str:
    return "".join((p.extract_text() or "") for p in PdfReader(path).pages).replace("\n", "")


def image_count(path: Path) -> int:
    return sum(len(page.images) for page in PdfReader(path).pages)


@pytest.fixture
def walked(
    demo_db_path: Path, settings: Settings, clock: Clock, tmp_path: Path
) -> tuple[Database, Walked]:
    db = connect(demo_db_path)
    return db, walk(db, demo_db_path, clock, settings, tmp_path / "card")


def test_photo_attached_in_the_walk_is_printed_in_notice_and_report(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, w = walked
    stored = [p.stored_path for p in inspections.list_photos(db, w.inspection_id)]
    assert stored == [f"{media_dir(demo_db_path).name}/{Path(stored[0]).name}"]  # the walk's form
    # As ``pqm --db demo.sqlite3`` does: a database path relative to the working folder.
    monkeypatch.chdir(demo_db_path.parent)
    svc = DocumentService(db, Path(demo_db_path.name), settings, clock, issuer(db), strict=True)
    notice = svc.notice(w.inspection_id, tmp_path / "notice.pdf")
    report = svc.report(w.inspection_id, tmp_path / "report.pdf")
    assert notice.missing == () and report.missing == ()
    for pdf in (tmp_path / "notice.pdf", tmp_path / "report.pdf"):
        text = flat_text(pdf)
        assert "照片缺失" not in text and "消防通道堆放杂物" in text
        assert image_count(pdf) >= 1, f"{pdf.name} has no image"
    # the report counts failures as rectification items are made: one per failed answer
    items = rectification.items_of_inspection(db, w.inspection_id)
    assert f"不合格 {len(items)} 处" in flat_text(tmp_path / "report.pdf")


def test_required_photo_never_attached_is_marked_in_both(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    svc.notice(w.inspection_id, tmp_path / "notice.pdf")
    svc.report(w.inspection_id, tmp_path / "report.pdf")
    notice = flat_text(tmp_path / "notice.pdf")
    report = flat_text(tmp_path / "report.pdf")
    assert notice.count("缺照片") == 1  # the photographed failure is not marked
    assert report.count("缺照片：本项要求附照片，记录时未附") == 1
    # the mark belongs to the bare failure: it follows its note in the report
    assert report.index("垃圾桶满溢（未拍照）") < report.index("缺照片") < len(report)
    context = svc.builder.report(w.inspection_id)
    assert [(f.item_code, f.photo_lacking) for f in context.failed] == [
        (code, code == w.lacking) for code in (f.item_code for f in context.failed)
    ]
    assert any(f.photo_lacking for f in context.failed)


def test_section_never_checked_shows_a_dash_not_100(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    svc.report(w.inspection_id, tmp_path / "report.pdf")
    context = svc.builder.report(w.inspection_id)
    skipped = next(s for s in context.sections if s.code == w.skipped_section)
    assert skipped.applicable == "0" and skipped.percent == "—" and skipped.score == "—"
    lines = "\n".join(p.extract_text() or "" for p in PdfReader(tmp_path / "report.pdf").pages)
    row = next(line for line in lines.splitlines() if line.startswith(f"{w.skipped_section} "))
    assert re.search(r"\s0\s+0\s+—\s+0$", row), row
    assert "“—”：该板块没有适用项" in lines
    from pqm_tui.reports.svg import bar_chart

    chart = bar_chart(context.sections, "chart")
    bars = re.findall(r'<rect [^>]*fill="#[0-9a-f]{6}"', chart)
    assert len(bars) == len(context.sections) - 1  # no coloured bar for the unchecked one
    assert chart.count('stroke-dasharray="3 2"') == 1


def test_na_items_are_listed_compactly_per_area_and_completely(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    db, w = walked
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    result = svc.report(w.inspection_id, tmp_path / "report.pdf")
    context = svc.builder.report(w.inspection_id)
    assert len(context.na) == w.na_pairs > 40
    groups = context.na_groups
    assert sum(len(g.codes) for g in groups) == w.na_pairs  # complete
    assert len({g.area for g in groups}) == len(groups)  # one line per area
    text = flat_text(tmp_path / "report.pdf")
    assert f"不适用项（{w.na_pairs}）" in text
    for group in groups:
        assert f"{group.area}{len(group.codes)}".replace(" ", "") in text.replace(" ", "")
    assert result.pages <= 4, f"{result.pages} pages for {w.na_pairs} N/A answers"


def test_missing_photo_is_a_short_mark_with_the_path_in_a_note(
    walked: tuple[Database, Walked],
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
) -> None:
    db, w = walked
    (stored,) = inspections.list_photos(db, w.inspection_id)
    file = demo_db_path.parent / stored.stored_path
    file.unlink()
    svc = DocumentService(db, demo_db_path, settings, clock, issuer(db), strict=True)
    result = svc.notice(w.inspection_id, tmp_path / "notice.pdf")
    assert [m.name for m in result.missing] == ["现场 1.jpg"]
    assert result.pages <= 2
    text = flat_text(tmp_path / "notice.pdf")
    assert "照片缺失：现场 1.jpg" in text
    assert text.count(file.name) == 1  # the path once, in the note after the reply box
    assert text.index("项目负责人签字") < text.index(file.name)


def test_stored_paths_of_every_form_are_found_inside_the_store_only(
    tmp_path: Path,
) -> None:
    from pqm_tui.reports.assets import ImageCache

    db_path = tmp_path / "site.sqlite3"
    store = media_dir(db_path)
    store.mkdir()
    photo = store / "abc.jpg"
    Image.new("RGB", (8, 8)).save(photo, "JPEG")
    cache = ImageCache(store, 100)
    for form in (
        "site.sqlite3.media/abc.jpg",  # the walk's form: relative to the database's folder
        "abc.jpg",  # relative to the store (sample databases made before)
        str(photo),  # absolute
        "old-name.sqlite3.media/abc.jpg",  # database and store renamed together
    ):
        assert cache.locate(form) == photo or cache.locate(form).resolve() == photo, form
    (tmp_path / "secret.jpg").write_bytes(photo.read_bytes())
    ref = cache.photo("x", "secret.jpg", "secret.jpg", "missing {name} {path}")
    assert ref.url is None  # beside the database but outside the store: not read
    ref = cache.photo("x", "p.jpg", "../secret.jpg", "missing {name} {path}")
    assert ref.url is None


def test_codes_printed_before_stay_valid_facts_only_in_the_hash() -> None:
    from pqm_tui.reports.context import PhotoRef, canonical

    row = {"photos": [PhotoRef("s", "a.jpg", None, "照片缺失：a.jpg（/some/machine/path）")]}

    @dataclass(frozen=True)
    class Row:
        photos: tuple[PhotoRef, ...]
        photo_lacking: bool = False

    plain = canonical(Row(tuple(row["photos"])))
    # the field stays (codes issued before hashed it, empty for a photo that was found),
    # but whether the file is on this disk, and where, is not part of it
    assert plain == {"photos": [{"sha256": "s", "name": "a.jpg", "missing_reason": ""}]}
    assert canonical(Row((), photo_lacking=True)) == {"photos": []}  # derived, not a fact


def test_sections_now_printed_as_a_dash_hash_as_printed_before() -> None:
    from pqm_tui.reports.context import SectionRow, content_sha256

    before = SectionRow("ZH", "综合管理", "11", "0", "0", "11", "100", 0)
    now = SectionRow(
        "ZH", "综合管理", "11", "0", "0", "—", "—", 0, {"score": "11", "percent": "100"}
    )
    assert content_sha256(now) == content_sha256(before)
    assert content_sha256(SectionRow("ZH", "综合管理", "11", "0", "0", "—", "—", 0)) != (
        content_sha256(before)
    )


def test_a_missing_file_shared_by_two_findings_is_reported_once(tmp_path: Path) -> None:
    from pqm_tui.reports.assets import ImageCache

    cache = ImageCache(media_dir(tmp_path / "x.sqlite3"), 100)
    for _ in range(2):
        ref = cache.photo("s", "a.jpg", "x.sqlite3.media/s.jpg", "missing {name} ({path})")
        assert ref.url is None and ref.missing_reason.startswith("missing a.jpg (")
    assert len(cache.missing) == 1
