"""The report dialog renders in a worker, shows progress, then the path."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import ProgressBar, Static

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections
from pqm_tui.model.clock import Clock
from pqm_tui.model.entities import InspectionStatus
from pqm_tui.reports.documents import DocumentService, RenderedDocument
from pqm_tui.screens.report_dialog import ReportDialog


async def test_dialog_renders_notice_in_worker(
    demo_db_path: Path,
    settings: Settings,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    original = DocumentService.notice

    def recording(self: DocumentService, ref: str, out: Path) -> RenderedDocument:
        threads.append(threading.get_ident())
        return original(self, ref, out)

    monkeypatch.setattr(DocumentService, "notice", recording)
    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    rows = inspections.list_inspections(app.db, status=InspectionStatus.SIGNED)
    inspection_id = next(r.inspection.id for r in rows if r.failed)
    results: list[Path | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = ReportDialog(inspection_id, output_dir=tmp_path)
        app.push_screen(dialog, results.append)
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(dialog.query_one("#result", Static).render())
        assert dialog.written is not None and dialog.written.exists(), text
        assert str(dialog.written) in text
        assert dialog.query_one(ProgressBar).progress == 4
        assert threads and threads[0] != threading.get_ident()  # not on the UI thread
        await pilot.press("escape")
        await pilot.pause()
    assert results == [dialog.written]
