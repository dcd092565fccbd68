"""The render child and documents rendered in parts: page numbers, text, fonts, crashes, signing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from pqm_tui.cli import main
from pqm_tui.config import Settings
from pqm_tui.i18n import Translator
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.reports import parts, render_child
from pqm_tui.reports.document_service import DocumentService
from pqm_tui.reports.render_child import RenderCrashed
from pqm_tui.reports.sample import build_sample
from pqm_tui.services.demo import DEMO_PIN
from pqm_tui.services.signing import verify_pdf

FOOTER = re.compile(r"第 (\d+) 页 共 (\d+) 页")


def pages_text(path: Path) -> list[list[str]]:
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "").splitlines() for page in pdf.pages]


HEADER_ROW = ("序 区域 检查项及标准 问题描述 扣分 程度 责任部门/责任", "号 人")


def body(pages: list[list[str]]) -> tuple[Counter[str], list[str]]:
    """The characters without running headers, footers and repeated table header rows,
    and the item codes in order (a row cut by a page break interleaves its cells' lines
    differently, so the characters are compared as a multiset)."""
    lines = [line for page in pages for line in page[1:-1] if line not in HEADER_ROW]
    text = "".join(lines)
    return Counter(text.replace(" ", "")), re.findall(r"T-\d{4}", text)


def titles(items: list[object]) -> list[object]:
    """The bookmarks' titles, nested as they are."""
    return [titles(i) if isinstance(i, list) else getattr(i, "title", "") for i in items]


@pytest.fixture
def long_report(tmp_path: Path, clock: Clock) -> tuple[DocumentService, str]:
    path = tmp_path / "long.sqlite3"
    db = connect(path)
    settings = Settings(db=path, timezone="Asia/Shanghai")
    sample = build_sample(db, path, clock, settings, items=160, fail_every=3, note_chars=300)
    inspector = inspections.get_inspection(db, sample.inspection_id).inspector_ids[0]
    service = DocumentService(db, path, settings, clock, inspector, strict=True)
    return service, sample.inspection_id


def test_parts_number_every_page_and_keep_the_text(
    long_report: tuple[DocumentService, str], tmp_path: Path
) -> None:
    service, inspection = long_report
    service.renderer.workers = 1
    single = service.report(inspection, tmp_path / "single.pdf")
    service.renderer.workers = 3
    joined = service.report(inspection, tmp_path / "joined.pdf")
    assert single.code == joined.code
    pages = pages_text(tmp_path / "joined.pdf")
    assert len(pages) == joined.pages >= single.pages > 10
    for number, page in enumerate(pages, start=1):
        assert FOOTER.search(page[-1]).groups() == (str(number), str(joined.pages))  # type: ignore[union-attr]
        assert "品质检查报告" in page[0]  # the running header carried into every part
    assert body(pages) == body(pages_text(tmp_path / "single.pdf"))
    assert f"校验码 {joined.code}" in pages[-1][-1]
    reader = PdfReader(tmp_path / "joined.pdf")
    assert reader.metadata is not None and "品质检查报告" in str(reader.metadata.title)
    assert titles(reader.outline) == titles(PdfReader(tmp_path / "single.pdf").outline)
    assert len(titles(reader.outline)) == 2  # the title, the sections under it
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "joined.pdf")], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk)  # embedded, subset, unicode
    png = tmp_path / "page"
    last = str(joined.pages)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", last, "-l", last, tmp_path / "joined.pdf", png],
        check=True,
    )
    assert next(tmp_path.glob("page-*.png")).stat().st_size > 3_000


def test_split_cuts_tables_at_marks_only() -> None:
    rows = "".join(f"{parts.MARK}<tr><td>{n}</td></tr>" for n in range(4000))
    html = (
        '<html><body><p>x</p><table class="failed"><thead><tr><th>h</th></tr></thead>'
        f"<tbody>{rows}</tbody></table><p>end</p></body></html>"
    )
    two = parts.split(html, 2)
    assert len(two) == 2 and two[0].endswith("</tbody></table></body></html>")
    assert '<table class="failed"><thead><tr><th>h</th></tr></thead><tbody><tr>' in two[1]
    assert parts.split(html, 1) == [html] and parts.split("<p>short</p>", 4) == ["<p>short</p>"]


def test_a_killed_render_child_is_a_message_and_leaves_no_file(
    long_report: tuple[DocumentService, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, inspection = long_report
    kill = "import os, signal, sys; sys.stdin.read(); os.kill(os.getpid(), signal.SIGKILL)"
    monkeypatch.setattr(render_child, "CHILD_ARGV", [sys.executable, "-c", kill])
    out = tmp_path / "killed.pdf"
    with pytest.raises(RenderCrashed) as caught:
        service.report(inspection, out)
    assert not out.exists() and not list(tmp_path.glob("*.pdf*"))
    message = Translator("zh").error(caught.value)
    assert "排版进程" in message and "signal 9" in message


def test_issuing_a_document_does_not_import_weasyprint_here(
    long_report: tuple[DocumentService, str], tmp_path: Path
) -> None:
    service, inspection = long_report
    who = service.actor  # the inspection's inspector prints its report
    script = (
        "import sys; from pathlib import Path; from pqm_tui.cli import main\n"
        f"main(['--db', {str(service.db_path)!r}, '--as', {who!r}, 'report', 'inspection',"
        f" {inspection!r},"
        f" '-o', {str(tmp_path / 'r.pdf')!r}])\n"
        "assert 'weasyprint' not in sys.modules and 'pypdf' not in sys.modules\n"
        "assert Path(sys.argv[1]).stat().st_size > 10_000\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "r.pdf")], check=True)


def test_signing_a_report_rendered_in_parts(
    demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PQM_PIN", DEMO_PIN)
    monkeypatch.setattr(parts, "MIN_PART_CHARS", 2_000)
    from pqm_tui.reports import render

    monkeypatch.setattr(render, "part_count", lambda ours, since: 2)
    db = connect(demo_db_path)
    rows = inspections.list_inspections(db, status=InspectionStatus.SIGNED)
    short = next(r.inspection.id for r in rows if r.failed)[-8:]
    db.close()
    base = ["--db", str(demo_db_path)]
    assert main([*base, "--as", "王丽华", "keys", "init", "--person", "王丽华"]) == 0
    out = tmp_path / "signed.pdf"
    command = ["report", "inspection", short, "-o", str(out), "--sign", "--as", "王丽华"]
    assert main([*base, *command]) == 0
    keys = demo_db_path.with_name(demo_db_path.name + ".keys")
    assert verify_pdf(keys, out).ok
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert len(names) > len(set(names))  # each part embeds its own subsets: it was joined
    pages = pages_text(out)
    total = len(pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in page[-1]


def test_a_child_started_early_is_the_one_rendering_and_an_unused_one_is_stopped() -> None:
    render_child.start_early()
    early = render_child._early[0]
    assert render_child.take_child() is early and not render_child._early
    early.close()
    render_child.start_early()
    unused = render_child._early[0]
    render_child.stop_early()  # what happens at exit when no document took it
    assert unused.process.poll() is not None and not render_child._early


def test_our_busy_render_child_is_not_counted_as_a_busy_core() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    idle = subprocess.Popen(["sleep", "30"])
    time.sleep(0.3)  # both started: one computing, one asleep
    try:
        assert parts._running(busy.pid)  # importing WeasyPrint: on the run queue
        assert not parts._running(idle.pid)  # waiting for its job: not
        assert not parts._running(2**22 + 1)  # gone
    finally:
        busy.kill()
        idle.kill()
        busy.wait()
        idle.wait()


def test_one_part_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PQM_RENDER_PARTS", raising=False)
    assert parts.part_count() == 1  # a part-filled page mid-table is not assumed
    for wanted, count in (("3", 3), ("1", 1), ("0", 1), ("many", 1)):
        monkeypatch.setenv("PQM_RENDER_PARTS", wanted)
        assert parts.part_count() == count
    monkeypatch.setenv("PQM_RENDER_PARTS", "auto")
    assert 1 <= parts.part_count() <= 4


def test_parts_follow_what_other_programs_used_since_the_child_started() -> None:
    cores, hz = os.cpu_count() or 1, os.sysconf("SC_CLK_TCK")
    now = parts.CpuTime.now()
    assert now is not None
    every_core_busy = parts.CpuTime(now.at - 1.0, now.busy - hz * cores, now.own)
    assert parts.idle_cores(since=every_core_busy) == 1  # others held every core: no parts
    nothing_ran = parts.CpuTime(now.at - 100.0, now.busy, now.own)
    assert parts.idle_cores(since=nothing_ran) == min(4, cores)
    started = time.process_time()
    while time.process_time() - started < 0.3:  # this process computing: ours, not others'
        pass
    later = parts.CpuTime.now()
    assert later is not None and later.own - now.own >= 0.2 * hz
