"""The sign-off dialog helps name the receiver: the project manager comes first."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from pqm_tui.app import create_app
from pqm_tui.config import Settings
from pqm_tui.model import organisation
from pqm_tui.model.clock import Clock
from pqm_tui.screens.dialogs.signoff import SignOffDialog


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
