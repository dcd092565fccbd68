"""The inspection walk driven by keys (Pilot) on a seeded demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import DataTable, Input, SelectionList, Static, TextArea

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import findings, inspections, notes, rectification
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import InspectionStatus, NoteKind, Result
from pqm_tui.model.errors import LockedError
from pqm_tui.paths import media_dir
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.note import NoteDialog
from pqm_tui.screens.dialogs.search import SearchDialog
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.dialogs.start import StartInspectionScreen
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.screens.walk import WalkScreen
from pqm_tui.services.demo import DEMO_PIN

NOTE = "大堂地面有烟头两处，垃圾桶满溢；已当场告知保洁主管。"
SIZE = (100, 30)


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "camera" / "IMG_0001.jpg"
    path.parent.mkdir()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(path)
    return path


def walk_screen(app: PQMApp) -> WalkScreen:
    assert isinstance(app.screen, WalkScreen), type(app.screen).__name__
    return app.screen


async def start_new(app: PQMApp, pilot) -> WalkScreen:  # type: ignore[no-untyped-def]
    """Decline resuming the demo draft, then n → start form → ctrl+s."""
    await pilot.pause()
    assert isinstance(app.screen, ConfirmDialog)
    await pilot.press("n")
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, StartInspectionScreen)
    await pilot.press("ctrl+s")
    await pilot.pause()
    if isinstance(app.screen, ConfirmDialog):  # the demo draft is this half-month's check
        await pilot.press("y")
        await pilot.pause()
    return walk_screen(app)


async def test_full_walk_to_signed_and_locked(app: PQMApp, photo: Path, clock: Clock) -> None:
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        session = walk.walk
        inspection_id = walk.inspection_id
        first_area = walk.area_id
        items = list(walk.row_items)

        await pilot.press("p")  # item 0 passes, cursor moves to item 1
        assert session.finding(first_area, items[0]).result == Result.PASS
        status = str(walk.query_one("#walk-status", Static).render())
        assert "已保存 10:00:00" in status

        await pilot.press("f")  # item 1 fails: the panel
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        panel.query_one("#note", Input).value = NOTE
        panel.query_one("#photo", Input).value = str(photo)
        panel.query_one("#photo", Input).focus()
        await pilot.press("enter")  # adds the photo (copied into the store)
        assert len(panel.stored) == 1
        await pilot.press("ctrl+s")
        await pilot.pause()
        walk = walk_screen(app)
        failed = session.finding(first_area, items[1])
        assert failed is not None and failed.result == Result.FAIL
        assert failed.note == NOTE
        item = session.items[items[1]]
        assert failed.deduction == min(item.per_occurrence, item.points)

        await pilot.press("n")  # item 2 N/A
        assert session.finding(first_area, items[2]).result == Result.NA

        await pilot.press("tab")  # next area
        assert walk.area_id != first_area
        await pilot.press("shift+tab")
        assert walk.area_id == first_area
        await pilot.press("tab")

        await pilot.press("slash")  # find the failed item by code
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)
        app.screen.query_one("#query", Input).value = item.code
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert walk.current_item == items[1]

        await pilot.press("u")  # undo the last entry: item 2's N/A
        assert session.finding(first_area, items[2]) is None
        assert walk.area_id == first_area and walk.current_item == items[2]

        await pilot.press("x")  # finish: items are unanswered → confirm
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.state is not None and summary.state.unanswered
        counts = summary.state.counts  # the same 处 / 项 the report prints
        total = str(summary.query_one("#total", Static).render())
        assert (
            f"暂定得分（还有 {counts.unanswered} 处 / {counts.unanswered_items} 项未查）" in total
        )

        await pilot.press("s")  # refused: unanswered
        assert "不能签字" in str(summary.query_one("#summary-status", Static).render())
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")  # mark all unanswered N/A
        await pilot.pause()
        assert not summary.state.unanswered
        assert "暂定" not in str(summary.query_one("#total", Static).render())

        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        hint = " ".join(str(h.render()) for h in dialog.query(".dialog-hint").results(Static))
        assert "不合格 1 处将列入整改通知单" in hint  # as many as rectification items below
        dialog.query_one("#receiver", Input).value = "项目接收人"
        await pilot.press("ctrl+s")  # inspectors not ticked yet: refused
        assert isinstance(app.screen, SignOffDialog)
        assert "尚未确认" in str(dialog.query_one("#error", Static).render())
        dialog.query_one("#inspectors", SelectionList).select_all()
        for field in dialog.query(Input).results(Input):  # each inspector's PIN (the demo's)
            if (field.id or "").startswith("pin-"):
                field.value = DEMO_PIN
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is summary
        text = str(summary.query_one("#summary-status", Static).render())
        assert "已签字锁定" in text and "ZG-202611-" in text
        total = str(summary.query_one("#total", Static).render())
        assert "不合格 1 处（1 个检查项）" in total
        assert "作答 " in total and "批量" in total  # how the walk was paced
        await pilot.pause()
        footer = [str(key.description) for key in summary.query("FooterKey")]
        assert app.tr("keys.summary.report") in footer
        assert app.tr("keys.summary.sign") not in footer  # locked: no key that does nothing

    db = connect(app.db_path)  # type: ignore[arg-type]
    inspection = inspections.get_inspection(db, inspection_id)
    assert inspection.status == InspectionStatus.SIGNED
    assert inspection.receiver_name == "项目接收人"
    saved = {(f.area_id, f.item_id): f for f in findings.list_findings(db, inspection_id)}
    assert saved[(first_area, items[1])].note == NOTE
    photos = inspections.list_photos(db, inspection_id)
    assert len(photos) == 1 and photos[0].original_name == "IMG_0001.jpg"
    assert (app.db_path.parent / photos[0].stored_path).is_file()  # type: ignore[union-attr]
    assert photos[0].stored_path.startswith(media_dir(app.db_path).name)  # type: ignore[arg-type]
    assert len(rectification.items_of_inspection(db, inspection_id)) == 1
    with pytest.raises(LockedError):
        inspections.record_finding(
            db, clock, inspection_id, items[0], first_area, Result.FAIL, note="改"
        )


async def test_resume_after_closing_mid_walk(app: PQMApp, settings: Settings, clock: Clock) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # offered at start
        await pilot.press("y")
        walk = walk_screen(app)
        draft_id = walk.inspection_id
        await pilot.press("tab", "tab", "j", "j", "j")
        await pilot.press("p")
        area_id, item_id = walk.area_id, walk.current_item
        answered = walk.walk.finding(area_id, walk.row_items[3])
        assert answered is not None
    # the app is gone (as if the terminal closed); a new one resumes there
    again = create_app(settings, db_path=app.db_path, actor="王丽华", clock=clock)  # type: ignore[arg-type]
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        walk = walk_screen(again)
        assert walk.inspection_id == draft_id
        assert (walk.area_id, walk.current_item) == (area_id, item_id)
        assert walk.walk.finding(area_id, answered.item_id) == answered


async def test_deduction_capped_across_areas(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        session = walk.walk
        # an item checked in two areas
        item_id, (area_a, area_b) = next(
            (item_id, tuple(a.id for a in session.areas if item_id in _ids(session, a.id))[:2])
            for item_id in session.items
            if sum(item_id in _ids(session, a.id) for a in session.areas) >= 2
        )
        item = session.items[item_id]
        walk._show_area(area_a, item_id)
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        panel.query_one("#deduction", Input).value = str(item.points)
        await pilot.press("ctrl+s")
        await pilot.pause()
        if isinstance(app.screen, FindingPanel):  # photo-required: second ctrl+s saves
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert session.finding(area_a, item_id).deduction == item.points

        walk._show_area(area_b, item_id)
        assert session.cap(item_id, area_b) == 0
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        assert panel.query_one("#deduction", Input).value == "0"  # pre-filled within the cap
        panel.query_one("#deduction", Input).value = "0.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is panel  # refused, with the reason
        error = str(panel.query_one("#error", Static).render())
        assert "超过" in error and "0.5" in error
        assert session.finding(area_b, item_id) is None  # nothing changed
        await pilot.press("escape")
        await pilot.pause()
        assert session.finding(area_b, item_id) is None


def _ids(session, area_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {i.id for i in session.items_of(area_id)}


async def test_supervision_note_in_chinese_round_trips(app: PQMApp) -> None:
    text = "业主反映车库照明不足，已转工程部跟进。“夜间”巡查需加强！"
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        await pilot.press("enter")  # empty: refused
        assert isinstance(app.screen, NoteDialog)
        dialog.query_one("#text", TextArea).text = text
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is walk
    db = connect(app.db_path)  # type: ignore[arg-type]
    saved = notes.list_notes(db, walk.inspection_id)
    assert [(n.kind, n.text, n.area_id) for n in saved] == [
        (NoteKind.DIFFICULTY, text, walk.area_id)
    ]


async def test_rest_of_area_passes_and_one_undo_takes_it_back(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        session, area = walk.walk, walk.area_id
        await pilot.press("n")
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        progress = session.progress(area)
        assert progress.answered == progress.applicable
        cells = walk.query_one("#areas", DataTable).get_row(area)
        assert cells[1] == f"✓ {progress.applicable}/{progress.applicable}"
        await pilot.press("u")
        assert session.progress(area).answered == 1  # only the N/A remains


async def test_signed_inspection_opens_locked_summary(app: PQMApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")  # no resume
        home = app.screen
        table = home.query_one("#inspections", DataTable)
        signed_row = next(n for n in range(table.row_count) if table.get_row_at(n)[3] == "已签字")
        table.move_cursor(row=signed_row)
        await pilot.press("o")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert summary.signed
        assert "已签字锁定" in str(summary.query_one("#summary-status", Static).render())
        await pilot.press("s", "a", "w")  # all disabled on a signed inspection
        await pilot.pause()
        assert app.screen is summary


async def test_folder_import_in_panel_saves_with_one_key(app: PQMApp, photo: Path) -> None:
    folder = photo.parent
    async with app.run_test(size=SIZE) as pilot:
        walk = await start_new(app, pilot)
        session, area, item = walk.walk, walk.area_id, walk.current_item
        for attempt in ("cancel", "save"):
            await pilot.press("f")
            await pilot.pause()
            panel = app.screen
            assert isinstance(panel, FindingPanel)
            panel.query_one("#photo", Input).value = str(folder)
            await pilot.press("ctrl+o")
            assert [p.original_name for p in panel.stored] == ["IMG_0001.jpg"]  # offered again
            # Esc asks first (a photo was added): d discards it
            await pilot.press(*(["escape", "d"] if attempt == "cancel" else ["ctrl+s"]))
            await pilot.pause()
            assert app.screen is walk
        finding = session.finding(area, item)  # type: ignore[arg-type]
        assert finding is not None and session.photo_counts[finding.id] == 1
