"""Hostile text, large and empty inspections, missing photos: documents stay sensible."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.paths import media_dir
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.sample import build_sample
from tests.people import issuer

HOSTILE = (
    '<img src="file:///etc/passwd"> 见 http://example.com/x.png 与 '
    '<link rel="stylesheet" href="http://evil.example/a.css"> & "引号" <b>粗</b>'
)


def text_of(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)


def test_hostile_note_renders_as_text_and_fetches_nothing(
    tmp_path: Path, settings: Settings, clock: Clock
) -> None:
    path = tmp_path / "h.sqlite3"
    db = connect(path)
    sample = build_sample(db, path, clock, settings, items=20, hostile=(HOSTILE,))
    svc = DocumentService(db, path, settings, clock, issuer(db), strict=True)
    svc.report(sample.inspection_id, tmp_path / "h.pdf")
    requested = svc.renderer.fetcher.requested
    assert not [u for u in requested if "passwd" in u or "http" in u or "evil" in u]
    assert not svc.renderer.fetcher.refused
    flat = text_of(tmp_path / "h.pdf").replace("\n", "")
    assert 'src="file:///etc/passwd"' in flat and "http://example.com/x.png" in flat
    assert "<b>粗</b>" in flat


def test_fetcher_refuses_files_outside_its_roots(tmp_path: Path) -> None:
    from pqm_tui.reports.fetcher import SafeFetcher

    root = tmp_path / "ok"
    root.mkdir()
    (root / "a.css").write_text("p{}")
    fetcher = SafeFetcher([root])
    assert fetcher.fetch((root / "a.css").as_uri()).read() == b"p{}"
    for url in ("file:///etc/passwd", "http://example.com/", (root / ".." / "x").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_long_report_with_60_photos_and_long_notes(tmp_path: Path, clock: Clock) -> None:
    """A document of 50-odd pages: page totals right, the last failure there, every photo.

    25 failures with 600-character notes make tables that break across pages; 60 photos
    (2-3 per failure) are downscaled into the cache. Photos are cached at 400 px: the same
    code path as 1600 px at a fifth of the decoding (this test took 18–56 s at 500 items).
    """
    path = tmp_path / "big.sqlite3"
    db = connect(path)
    settings = Settings(db=path, timezone="Asia/Shanghai", photo_max_pixels=400)
    sample = build_sample(
        db, path, clock, settings, items=100, fail_every=4, note_chars=600, photos=60
    )
    svc = DocumentService(db, path, settings, clock, issuer(db), strict=True)
    result = svc.report(sample.inspection_id, tmp_path / "big.pdf")
    assert result.pages > 20 and not result.missing
    last_pages = PdfReader(tmp_path / "big.pdf").pages[-3:]
    text = "\n".join(page.extract_text() or "" for page in last_pages)
    assert "T-0097" in text and f"共 {result.pages} 页" in text  # the last failure, item 97
    cached = list((media_dir(path) / ".pdf-cache").glob("*.jpg"))
    from PIL import Image

    assert len(cached) == 60
    with Image.open(cached[0]) as img:
        assert max(img.size) <= settings.photo_max_pixels
    notice = svc.notice(sample.inspection_id, tmp_path / "big-notice.pdf")
    assert notice.pages > 10 and not notice.missing


def test_missing_photo_is_reported_not_dropped(
    tmp_path: Path, settings: Settings, clock: Clock
) -> None:
    path = tmp_path / "m.sqlite3"
    db = connect(path)
    sample = build_sample(db, path, clock, settings, items=10, photos=2)
    (media_dir(path) / "photo-001.jpg").unlink()
    svc = DocumentService(db, path, settings, clock, issuer(db), strict=True)
    result = svc.notice(sample.inspection_id, tmp_path / "m.pdf")
    assert [m.name for m in result.missing] == ["photo-001.jpg"]
    assert "照片缺失：photo-001.jpg" in text_of(tmp_path / "m.pdf").replace("\n", "")


def test_empty_inspection_report(tmp_path: Path, settings: Settings, clock: Clock) -> None:
    path = tmp_path / "e.sqlite3"
    db = connect(path)
    sample = build_sample(db, path, clock, settings, items=3, fail_every=0, sign=False)
    db.execute("DELETE FROM findings WHERE inspection_id = ?", [sample.inspection_id])
    db.conn.commit()
    svc = DocumentService(db, path, settings, clock, issuer(db), strict=True)
    result = svc.report(sample.inspection_id, tmp_path / "e.pdf")
    text = text_of(tmp_path / "e.pdf")
    assert result.pages <= 2 and "尚未签字" in text and "无不合格项" in text
    assert inspections.get_inspection(db, sample.inspection_id).signed_at is None
