"""Mistakes can be undone (可撤回): abandon a draft, 复检 only with targets, a second check
in the half-month asked about first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import DataTable, Input, Select, Static

from pqm_tui.app import PQMApp, create_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections, organisation, reinspection_targets
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import check_integrity
from pqm_tui.model.entities import InspectionKind, Result
from pqm_tui.model.errors import LockedError, RuleError
from pqm_tui.screens.dialogs.confirm import ConfirmDialog
from pqm_tui.screens.dialogs.finding_panel import FindingPanel
from pqm_tui.screens.dialogs.form import FormDialog
from pqm_tui.screens.dialogs.photos import PhotoListDialog
from pqm_tui.screens.dialogs.start import StartInspectionScreen
from pqm_tui.screens.home import HomeScreen
from pqm_tui.screens.walk import WalkScreen
from pqm_tui.services import photos, reinspection
from pqm_tui.services.cadence import due_items, half_month
from tests.people import person_id
from tests.test_walk import start_new


@pytest.fixture
def app(demo_db_path: Path, settings: Settings, clock: Clock) -> PQMApp:
    return create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)


def kinds_offered(start: StartInspectionScreen) -> list[str]:
    return [str(value) for _, value in start.query_one("#kind", Select)._options]


async def start_for(app: PQMApp, pilot, project_id: str) -> StartInspectionScreen:  # type: ignore[no-untyped-def]
    """On home: the project highlighted, ``n``."""
    screen = await home(app, pilot)
    projects = screen.query_one("#projects", DataTable)
    projects.move_cursor(row=projects.get_row_index(project_id))
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, StartInspectionScreen)
    return app.screen


async def home(app: PQMApp, pilot) -> HomeScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    if isinstance(app.screen, ConfirmDialog):  # do not resume the demo draft
        await pilot.press("n")
        await pilot.pause()
    assert isinstance(app.screen, HomeScreen)
    return app.screen


# ------------------------------------------------------------------------- abandon
async def test_a_draft_is_abandoned_with_a_reason_and_leaves_the_lists(
    app: PQMApp, clock: Clock
) -> None:
    db = app.db
    draft = inspections.latest_draft(db)
    assert draft is not None
    monthly_due_before = [e for e in due_items(db, clock.today()) if e.kind == "group-check"]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(app, pilot)
        recent = screen.query_one("#inspections", DataTable)
        recent.focus()
        recent.move_cursor(row=recent.get_row_index(draft.id))
        await pilot.press("d")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        await pilot.press("ctrl+s")  # no reason: refused, said under the field
        await pilot.pause()
        assert app.screen is form
        assert "作废原因" in str(form.query_one("#error-reason", Static).render())
        await pilot.press(*"wu jian", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert draft.id not in [str(k.value) for k in recent.rows]
    kept = inspections.abandonment(db, draft.id)
    assert kept is not None and kept.reason == "wu jian" and kept.actor == person_id(db, "王丽华")
    assert inspections.get_inspection(db, draft.id).id == draft.id  # kept, not deleted
    assert inspections.latest_draft(db) is None or inspections.latest_draft(db).id != draft.id  # type: ignore[union-attr]
    audited = db.execute(
        "SELECT count(*) FROM audit_log WHERE table_name = 'inspection_abandonments'"
    ).fetchone()[0]
    assert audited == 1
    monthly_due_after = [e for e in due_items(db, clock.today()) if e.kind == "group-check"]
    project = organisation.get_project(db, draft.project_id).name
    assert project not in [e.project for e in monthly_due_before]  # the draft counted ...
    assert project in [e.project for e in monthly_due_after]  # ... and no longer does


def test_abandoned_is_final_and_only_drafts_are_abandoned(app: PQMApp, clock: Clock) -> None:
    db = app.db
    draft = inspections.latest_draft(db)
    assert draft is not None
    with pytest.raises(RuleError):
        inspections.abandon_inspection(db, clock, draft.id, actor="王丽华", reason="  ")
    inspections.abandon_inspection(db, clock, draft.id, actor="王丽华", reason="建错项目")
    with pytest.raises(RuleError):
        inspections.abandon_inspection(db, clock, draft.id, actor="王丽华", reason="再次")
    with pytest.raises(LockedError):  # nothing is recorded in an abandoned inspection
        item = db.execute("SELECT item_id, area_id FROM findings WHERE inspection_id = ?",
                          [draft.id]).fetchone()  # fmt: skip
        inspections.record_finding(db, clock, draft.id, item[0], item[1], Result.NA)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the record stays
        db.execute("DELETE FROM inspection_abandonments")
    assert check_integrity(db).ok  # audited in the hash chain; its triggers are PQM's
    signed = next(
        s.inspection for s in inspections.list_inspections(db) if s.inspection.status == "signed"
    )
    with pytest.raises(RuleError):
        inspections.abandon_inspection(db, clock, signed.id, actor="王丽华", reason="x")


# ------------------------------------------------------------------ 复检 in the n form
async def test_reinspection_is_offered_only_with_items_awaiting_one(app: PQMApp) -> None:
    db = app.db
    projects = organisation.list_projects(db, active_only=True)
    awaiting = {p.id: reinspection.awaiting(db, p.id) for p in projects}
    with_items, emptied = [p for p in projects if awaiting[p.id]][:2]
    while awaiting_now := reinspection.awaiting(db, emptied.id):  # all in pending re-inspections
        reinspection.create_reinspection(db, app.clock, awaiting_now, actor=person_id(db, "王丽华"))
    async with app.run_test(size=(80, 24)) as pilot:
        start = await start_for(app, pilot, with_items.id)
        assert InspectionKind.REINSPECTION.value in kinds_offered(start)
        start.query_one("#project", Select).value = emptied.id  # nothing to re-inspect
        await pilot.pause()
        assert InspectionKind.REINSPECTION.value not in kinds_offered(start)
        start.query_one("#project", Select).value = with_items.id
        await pilot.pause()
        assert InspectionKind.REINSPECTION.value in kinds_offered(start)
        start.query_one("#kind", Select).value = InspectionKind.REINSPECTION
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        created = app.screen.inspection_id
    targets = reinspection_targets.targets(db, created)
    assert {t.rectification_item_id for t in targets} == set(awaiting[with_items.id])
    assert reinspection.awaiting(db, with_items.id) == [] or set(
        reinspection.awaiting(db, with_items.id)
    ).isdisjoint(awaiting[with_items.id])


# ----------------------------------------------------- a second check in the half-month
def test_half_months() -> None:
    from datetime import date

    assert half_month(date(2026, 11, 3)) == (date(2026, 11, 1), date(2026, 11, 15))
    assert half_month(date(2026, 11, 15)) == (date(2026, 11, 15), date(2026, 12, 1))
    assert half_month(date(2026, 12, 31)) == (date(2026, 12, 15), date(2027, 1, 1))


async def test_a_second_check_in_the_half_month_asks_first(app: PQMApp) -> None:
    db = app.db
    draft = inspections.latest_draft(db)
    assert draft is not None and draft.kind == InspectionKind.MONTHLY
    before = len(inspections.list_inspections(db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start_for(app, pilot, draft.project_id)
        await pilot.press("ctrl+s")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert "本半月已有一次" in str(question.query_one(".dialog-title", Static).render())
        await pilot.press("n")  # no: back in the form, nothing made, what was chosen kept
        await pilot.pause()
        assert isinstance(app.screen, StartInspectionScreen)
        assert len(inspections.list_inspections(db)) == before
        assert app.screen.query_one("#time", Input).value
        await pilot.press("ctrl+s", "y")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
    assert len(inspections.list_inspections(db)) == before + 1


# ------------------------------------------------------------ a photo taken off, previewed
async def test_a_photo_is_previewed_and_removed_from_an_unsigned_finding(
    app: PQMApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = tmp_path / "IMG_0042.jpg"
    Image.new("RGB", (32, 24), (200, 30, 30)).save(picture)
    monkeypatch.setattr(photos.shutil, "which", lambda name: None)  # no viewer here
    async with app.run_test(size=(80, 24)) as pilot:
        walk = await start_new(app, pilot)
        area, item = walk.area_id, walk.current_item
        assert item is not None
        await pilot.press("f")
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        panel.query_one("#photo", Input).value = str(picture)
        panel.query_one("#photo", Input).focus()
        await pilot.press("enter")  # stored at once
        await pilot.press("ctrl+s")
        await pilot.pause()
        finding = walk.walk.finding(area, item)
        assert finding is not None and walk.walk.photo_counts[finding.id] == 1

        walk.query_one("#items", DataTable).move_cursor(row=walk.row_items.index(item))
        await pilot.press("e")  # edit the finding
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, FindingPanel)
        await pilot.press("ctrl+t")
        await pilot.pause()
        listing = app.screen
        assert isinstance(listing, PhotoListDialog)
        await pilot.press("enter")  # preview: no viewer on this machine, said clearly
        await pilot.pause()
        assert "没有图片查看程序" in str(listing.query_one("#error", Static).render())
        await pilot.press("x", "escape")
        await pilot.pause()
        assert app.screen is panel
        assert "照片 0 张" in str(panel.query_one("#photos", Static).render())
        assert panel.unsaved_typing()  # taking a photo off is a change quitting asks about
        await pilot.press("ctrl+s")
        await pilot.pause()
        if app.screen is panel:  # a required photo is now missing: warned once
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert walk.walk.photo_counts[finding.id] == 0
    assert not [p for p in inspections.list_photos(app.db, walk.inspection_id)]
