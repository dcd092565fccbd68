"""A re-inspection that sees (复检): each target shows the original finding, its photos,
the project's reply and its evidence; ``o`` lists the photos and opens one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import DataTable, OptionList, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.findings import get_finding
from pqm_tui.model.organisation import get_person
from pqm_tui.model.rectification import get_item
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.photos import PhotoListDialog
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.screens.walk import WalkScreen
from pqm_tui.services import photos, rectification, reinspection
from pqm_tui.services.points import format_points
from tests.people import manager_of
from tests.test_reinspection_summary import two_open_items


def replied_reinspection(db_path: Path, clock: Clock, tmp_path: Path) -> tuple[str, str]:
    """A re-inspection of an open item the project replied to with one evidence photo."""
    db = connect(db_path, actor="王丽华")
    inspector = organisation.find_person(db, "王丽华").id
    item_id = two_open_items(db_path)[0]
    picture = tmp_path / "after-fix.jpg"
    Image.new("RGB", (32, 24), (30, 200, 30)).save(picture)
    stored = photos.store_photo(db_path, picture)
    evidence = [{"sha256": stored.sha256, "name": "after-fix.jpg", "path": str(stored.stored_path)}]
    manager = manager_of(db, get_item(db, item_id).project_id)  # the project replies
    rectification.reply(db, clock, item_id, actor=manager, done="已更换破损灯罩", evidence=evidence)
    created = reinspection.create_reinspection(
        db, clock, [item_id], inspector_ids=[inspector], actor=inspector
    )
    return created.id, item_id


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


async def open_walk(app: PQMApp, pilot, inspection_id: str) -> WalkScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("n")  # do not resume the demo draft
    app.open("walk", inspection_id=inspection_id)
    await pilot.pause()
    assert isinstance(app.screen, WalkScreen)
    return app.screen


async def test_each_target_shows_the_finding_and_the_reply(
    app: PQMApp, demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    inspection_id, item_id = replied_reinspection(demo_db_path, clock, tmp_path)
    original = get_finding(app.db, get_item(app.db, item_id).finding_id)
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await open_walk(app, pilot, inspection_id)
        detail = str(walk.query_one("#detail", Static).render())
        assert "原记录" in detail and (original.note or "—")[:10] in detail
        assert "已更换破损灯罩" in detail and "佐证照片 1 张" in detail
        manager = get_person(app.db, manager_of(app.db, get_item(app.db, item_id).project_id))
        assert manager.name in detail and manager.id not in detail  # who replied, by name
        assert "o 查看照片" in detail
        region = walk.query_one("#detail").region
        assert region.bottom <= 24 - 2  # above the status line and the footer


async def test_o_lists_the_photos_and_opens_one(
    app: PQMApp,
    demo_db_path: Path,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inspection_id, _ = replied_reinspection(demo_db_path, clock, tmp_path)
    opened: list[list[str]] = []
    monkeypatch.setattr(photos.shutil, "which", lambda name: None)
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: opened.append(args))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_walk(app, pilot, inspection_id)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PhotoListDialog)
        labels = [str(o.prompt) for o in dialog.query_one(OptionList).options]
        assert any("整改佐证：after-fix.jpg" in label for label in labels)
        await pilot.press("end", "enter")  # no viewer on this machine: said, not a crash
        await pilot.pause()
        said = str(dialog.query_one("#error", Static).render())
        assert "没有图片查看程序" in said and not opened
        monkeypatch.setattr(photos.shutil, "which", lambda name: "/usr/bin/xdg-open")
        await pilot.press("o")
        await pilot.pause()
        assert opened and opened[0][0] == "/usr/bin/xdg-open"
        assert opened[0][1].endswith(".jpg")
        assert "已在图片查看程序中打开" in str(dialog.query_one("#error", Static).render())


async def test_the_summary_compares_before_and_after(
    app: PQMApp, demo_db_path: Path, clock: Clock, tmp_path: Path
) -> None:
    inspection_id, item_id = replied_reinspection(demo_db_path, clock, tmp_path)
    original = get_finding(app.db, get_item(app.db, item_id).finding_id)
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await open_walk(app, pilot, inspection_id)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"reng wei zheng gai", "ctrl+s")
        await pilot.pause()
        if isinstance(app.screen, FindingPanel):  # a photo is required: warned once
            await pilot.press("ctrl+s")
            await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen) and walk is not summary
        table = summary.query_one("#failures", DataTable)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[1].startswith(f"扣 {format_points(original.deduction)}\n")
        assert row[2] == "11-23\n已更换破损…"  # the reply
        assert row[3] == "不合格\nreng wei zh…"  # what the re-inspection found
        assert table.virtual_size.width <= 80  # the whole comparison at 80 columns
