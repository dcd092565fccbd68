"""The sign-off dialog helps name the receiver: the project manager comes first."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Input, SelectionList, Static

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import inspections, organisation, reinspection_targets
from pqm_tui.model.clock import Clock
from pqm_tui.model.db import connect
from pqm_tui.model.entities import Result
from pqm_tui.screens.dialogs.signoff import SignOffDialog
from pqm_tui.screens.summary import SummaryScreen
from pqm_tui.services import reinspection
from pqm_tui.services.demo import DEMO_PIN
from tests.test_reinspection_summary import two_open_items


async def test_receiver_completion_offers_the_project_manager_first(
    demo_db_path: Path, clock: Clock
) -> None:
    app = create_app(Settings(timezone="Asia/Shanghai"), db_path=demo_db_path, clock=clock)
    project = next(p for p in organisation.list_projects(app.db) if p.name == "锦程·滨江壹号")
    people = organisation.list_people(app.db, project.id)
    surnamed = sorted(p.name for p in people if p.name.startswith("孔"))
    manager = next(p for p in people if p.role == "项目经理")
    assert manager.name.startswith("孔") and len(surnamed) > 1  # the demo's case
    inspectors = organisation.inspectors(app.db)[:1]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")  # do not resume the demo draft
        dialog = SignOffDialog(inspectors, people, "")
        await app.push_screen(dialog)
        await pilot.pause()
        receiver = dialog.query_one("#receiver", Input)
        assert manager.name in receiver.placeholder and "项目经理" in receiver.placeholder
        receiver.focus()
        await pilot.press("孔")
        await pilot.pause()
        await pilot.press("right")  # accept the completion
        await pilot.pause()
        assert receiver.value == manager.name
        assert dialog.query_one("#role", Input).value == "项目经理"


async def test_signing_by_keys_only(demo_db_path: Path, settings: Settings, clock: Clock) -> None:
    """Space ticks, Enter on the list goes on (never unticks), Tab walks the fields, what was
    typed stays, ctrl+s signs with the demo PIN: no mouse, no field set from code."""
    passed_id, failed_id = two_open_items(demo_db_path)
    db = connect(demo_db_path, actor="王丽华")
    wang = organisation.find_person(db, "王丽华").id
    created = reinspection.create_reinspection(db, clock, [passed_id, failed_id], actor=wang)
    for t in reinspection_targets.targets(db, created.id):
        inspections.record_finding(
            db, clock, created.id, t.item_id, t.area_id, Result.PASS, occurrences=0, note=""
        )
    inspector_names = [organisation.get_person(db, i).name for i in created.inspector_ids]

    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await app.push_screen(SummaryScreen(created.id))
        await pilot.pause()
        summary = app.screen
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        ticked = dialog.query_one("#ticked", Static)
        assert f"已确认 0/{len(inspector_names)}" in str(ticked.render())
        for n in range(len(inspector_names)):
            await pilot.press(*(["down"] if n else []), "space")
        await pilot.pause()
        assert f"已确认 {len(inspector_names)}/{len(inspector_names)}" in str(ticked.render())
        assert inspector_names[0] in str(ticked.render())
        await pilot.press("enter")  # goes on to the receiver, unticking nobody
        receiver = dialog.query_one("#receiver", Input)
        assert dialog.focused is receiver
        assert len(dialog.query_one("#inspectors", SelectionList).selected) == len(inspector_names)
        await pilot.press(*"张经理", "tab", *"经理")
        await pilot.press("shift+tab", "shift+tab", "enter", "tab")  # back and on again
        assert receiver.value == "张经理"
        assert dialog.query_one("#role", Input).value == "经理"
        assert dialog.focused is dialog.query_one("#role", Input)
        await pilot.press("tab")
        for _ in inspector_names:
            await pilot.press(*DEMO_PIN, "tab")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is summary, str(dialog.query_one("#error", Static).render())
        assert isinstance(summary, SummaryScreen) and summary.signed
    signed = inspections.get_inspection(connect(demo_db_path), created.id)
    assert signed.receiver_name == "张经理" and signed.receiver_role == "经理"


async def test_keys_typed_at_terminal_speed_land_where_tab_sends_them(
    demo_db_path: Path, settings: Settings, clock: Clock
) -> None:
    """A terminal delivers a burst of keys at once (Enter, a name, Tab, a role, Tab, PINs):
    each lands in the field the keys before it moved to, the receiver's PIN included."""
    passed_id, failed_id = two_open_items(demo_db_path)
    db = connect(demo_db_path, actor="王丽华")
    wang = organisation.find_person(db, "王丽华").id
    created = reinspection.create_reinspection(db, clock, [passed_id, failed_id], actor=wang)
    for t in reinspection_targets.targets(db, created.id):
        inspections.record_finding(
            db, clock, created.id, t.item_id, t.area_id, Result.PASS, occurrences=0, note=""
        )
    assert len(created.inspector_ids) == 1
    manager = next(
        p for p in organisation.list_people(db, created.project_id) if p.role == "项目经理"
    )
    assert manager.pin_hash  # the demo's manager signs for receipt with the demo PIN

    app = create_app(settings, db_path=demo_db_path, actor="王丽华", clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")  # do not resume the demo draft
        await app.push_screen(SummaryScreen(created.id))
        await pilot.pause()
        summary = app.screen
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SignOffDialog)
        burst = ["space", "enter", *manager.name, "tab", *"经理", "tab", *DEMO_PIN]
        burst += ["tab", *DEMO_PIN]
        for key in burst:  # posted without waiting, as a terminal delivers them
            char = " " if key == "space" else (key if len(key) == 1 else None)
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert dialog.query_one("#receiver", Input).value == manager.name
        assert dialog.query_one("#role", Input).value == "经理"  # typed, not overwritten
        pin = dialog.query_one(f"#pin-{created.inspector_ids[0]}", Input)
        assert pin.value == DEMO_PIN
        assert dialog.query_one("#receiver-pin", Input).value == DEMO_PIN
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is summary, str(dialog.query_one("#error", Static).render())
